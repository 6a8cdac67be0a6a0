/* render.c - cards, lists and the competence box in three languages (see
 * render.h). */
#include "render.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gazetteer.h"
#include "situations.h"
#include "srcdate.h"

#define OLD_SOURCE_YEARS 3 /* older contact facts: "call before you go" */

void html_text(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

void url_value(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || strchr("-._~", c))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

/* Fill {name} slots of 't' from 'ap' (name, value, ..., NULL); a value
 * is escaped unless 'raw'. */
static void fill_slots(struct buf *b, const char *t, va_list ap, bool raw)
{
    const char *names[8], *values[8];
    int n = 0;
    for (const char *k; n < 8 && (k = va_arg(ap, const char *));) {
        names[n] = k;
        values[n++] = va_arg(ap, const char *);
    }
    for (const char *p = t; *p;) {
        const char *o = strchr(p, '{'), *c = o ? strchr(o, '}') : NULL;
        if (!o || !c) {
            buf_puts(b, p);
            return;
        }
        buf_append(b, p, (size_t)(o - p));
        int i = 0;
        while (i < n && (strlen(names[i]) != (size_t)(c - o - 1) ||
                         strncmp(names[i], o + 1, (size_t)(c - o - 1)) != 0))
            i++;
        if (i < n && raw)
            buf_puts(b, values[i]);
        else if (i < n)
            html_text(b, values[i]);
        else
            buf_append(b, o, (size_t)(c - o + 1));
        p = c + 1;
    }
}

void render_str(struct buf *b, enum lang lang, enum str_key key, ...)
{
    va_list ap;
    va_start(ap, key);
    fill_slots(b, str_get(lang, key), ap, false);
    va_end(ap);
}

/* 't' with its slots filled with values as they are (not HTML). */
static void fill_raw(struct buf *b, const char *t, ...)
{
    va_list ap;
    va_start(ap, t);
    fill_slots(b, t, ap, true);
    va_end(ap);
}

const char *render_category(const struct render_ctx *rc, const char *slug)
{
    for (int i = 0; slug && rc->cats && i < rc->cats->n; i++)
        if (strcmp(rc->cats->c[i].slug, slug) == 0)
            return rc->cats->c[i].label[rc->lang][0]
                       ? rc->cats->c[i].label[rc->lang]
                       : rc->cats->c[i].label[LANG_FR];
    return slug ? slug : "";
}

static bool is_http_url(const char *s)
{
    return s &&
           (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

/* "02/435.50.90" -> "+3224355090" (E.164 for tel: links, RFC 3966). */
static bool tel_uri(const char *phone, char *out, size_t outsz)
{
    size_t k = 0;
    const char *p = phone;
    if (!p || outsz < 16)
        return false;
    if (p[0] == '+')
        out[k++] = '+', p++;
    else if (p[0] == '0' && p[1] == '0')
        out[k++] = '+', p += 2;
    else if (p[0] == '0')
        k += (size_t)snprintf(out, outsz, "+32"), p++;
    for (; *p && k + 1 < outsz; p++)
        if (isdigit((unsigned char)*p))
            out[k++] = *p;
        else if (!strchr(" ./-()", *p))
            return false;
    out[k] = '\0';
    return k >= 9;
}

void render_distance(struct buf *b, const struct render_ctx *rc,
                     const struct row *r)
{
    char d[32];
    if (row_approx(r)) {
        /* whole kilometres, at least 1: a centroid's distance is no
         * better than the size of its area, and never "0,0 km" */
        long km = (long)((r->distance_m + 500) / 1000);
        snprintf(d, sizeof d, "%ld", km < 1 ? 1 : km);
        render_str(b, rc->lang, S_KM_APPROX, "d", d, NULL);
        return;
    }
    long dm = (long)((r->distance_m + 50) / 100);
    snprintf(d, sizeof d, "%ld%c%ld", dm / 10, rc->lang == LANG_EN ? '.' : ',',
             dm % 10);
    render_str(b, rc->lang, S_KM, "d", d, NULL);
}

void render_hours(struct buf *b, enum lang lang, const char *oh)
{
    static const struct {
        const char *osm;
        enum str_key key;
    } words[] = {{"Mo", S_DAY_MO}, {"Tu", S_DAY_TU}, {"We", S_DAY_WE},
                 {"Th", S_DAY_TH}, {"Fr", S_DAY_FR}, {"Sa", S_DAY_SA},
                 {"Su", S_DAY_SU}, {"PH", S_DAY_PH}, {"off", S_OFF},
                 {"closed", S_OFF}};
    if (strcmp(oh, "24/7") == 0) {
        buf_puts(b, str_get(lang, S_H247));
        return;
    }
    for (const char *p = oh; *p;) {
        size_t i = 0;
        for (; i < sizeof words / sizeof *words; i++) {
            size_t n = strlen(words[i].osm);
            if (strncmp(p, words[i].osm, n) == 0 &&
                !isalpha((unsigned char)p[n]))
                break;
        }
        if (i < sizeof words / sizeof *words) {
            buf_puts(b, str_get(lang, words[i].key));
            p += strlen(words[i].osm);
        } else {
            char one[2] = {*p++, 0};
            html_text(b, one);
        }
    }
}

int render_open(const struct render_ctx *rc, const struct row *r)
{
    struct hours h;
    char why[160];
    const char *oh = r->s[R_OPENING_HOURS];
    if (!oh || hours_parse(oh, &h, why, sizeof why) < 0)
        return -1;
    return hours_open(&h, &rc->now, hours_fwb_category(r->s[R_CATEGORY]));
}

/* Where an approximate position lies: "centre de 4000 Liège". */
static void approx_text(struct buf *b, const struct render_ctx *rc,
                        const struct row *r)
{
    const char *ps = r->s[R_POSITION_SOURCE];
    buf_puts(b, "<p class=\"approx\">");
    if (ps && strcmp(ps, "commune") == 0) {
        render_str(b, rc->lang, S_APPROX_C, "c",
                   r->s[R_COMMUNE] ? r->s[R_COMMUNE] : "", NULL);
    } else {
        char where[300];
        snprintf(where, sizeof where, "%s%s%s",
                 r->s[R_POSTCODE] ? r->s[R_POSTCODE] : "",
                 r->s[R_POSTCODE] ? " " : "",
                 r->s[R_COMMUNE] ? r->s[R_COMMUNE] : "");
        render_str(b, rc->lang, S_APPROX_PC, "p", where, NULL);
    }
    buf_puts(b, "</p>");
}

/* A source older than three years: its contact facts may have changed. */
static void old_source_text(struct buf *b, const struct render_ctx *rc,
                            const struct row *r)
{
    struct srcdate d;
    const char *sd = r->s[R_SOURCE_DATE];
    long today = rc->now.year * 10000L + rc->now.month * 100 + rc->now.day;
    if (!sd || !srcdate_parse(sd, &d) ||
        !srcdate_older_than(&d, today, OLD_SOURCE_YEARS))
        return;
    char year[16], when[64];
    snprintf(year, sizeof year, "%d", srcdate_year(&d));
    struct buf w;
    buf_init(&w, sizeof when);
    if (d.first / 10000 != d.last / 10000)
        render_str(&w, rc->lang, S_ABOUT_YEAR, "y", year, NULL);
    else
        buf_puts(&w, year);
    snprintf(when, sizeof when, "%s", buf_str(&w));
    buf_free(&w);
    buf_puts(b, "<p class=\"old\">");
    render_str(b, rc->lang, r->s[R_PHONE] ? S_OLD_CALL : S_OLD_CHECK, "y", when,
               NULL);
    buf_puts(b, "</p>");
}

/* "Signaler une erreur": a mailto: link to the operator's address, so
 * the page itself sends nothing; without one, the card still says that
 * its facts may be wrong. */
static void report_link(struct buf *b, const struct render_ctx *rc,
                        const struct row *r)
{
    buf_puts(b, "<p class=\"report\">");
    if (!rc->report_email) {
        buf_puts(b, str_get(rc->lang, S_MAYBE_WRONG));
        buf_puts(b, "</p>");
        return;
    }
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    /* The subject is a URL's text, not HTML: filled raw, then encoded. */
    struct buf subj;
    buf_init(&subj, 1024);
    fill_raw(&subj, str_get(rc->lang, S_REPORT_SUBJECT), "n",
             r->s[R_NAME] ? r->s[R_NAME] : "", "id", id, NULL);
    buf_printf(b, "<a href=\"mailto:%s?subject=", rc->report_email);
    url_value(b, buf_str(&subj));
    buf_free(&subj);
    buf_puts(b, "\">");
    buf_puts(b, str_get(rc->lang, S_REPORT));
    buf_puts(b, "</a></p>");
}

static void contact(struct buf *b, const struct render_ctx *rc,
                    const struct row *r)
{
    char tel[40];
    const char *phone = r->s[R_PHONE], *email = r->s[R_EMAIL],
               *web = r->s[R_WEBSITE];
    bool has_tel = phone && tel_uri(phone, tel, sizeof tel);
    bool has_mail = email && !strpbrk(email, "\"<>?&");
    if (!has_tel && !has_mail && !is_http_url(web))
        return;
    buf_puts(b, "<ul class=\"contact\">");
    if (has_tel) {
        buf_printf(b, "<li><a href=\"tel:%s\">%s", tel,
                   str_get(rc->lang, S_TEL));
        html_text(b, phone);
        buf_puts(b, "</a></li>");
    }
    if (has_mail) {
        buf_puts(b, "<li><a href=\"mailto:");
        html_text(b, email);
        buf_puts(b, "\">");
        html_text(b, email);
        buf_puts(b, "</a></li>");
    }
    if (is_http_url(web)) {
        buf_puts(b, "<li><a href=\"");
        html_text(b, web);
        buf_printf(b, "\" rel=\"noopener noreferrer\">%s</a></li>",
                   str_get(rc->lang, S_WEB));
    }
    buf_puts(b, "</ul>");
}

void render_card(struct buf *b, const struct render_ctx *rc,
                 const struct row *r, bool selected)
{
    long long id = (long long)r->id;
    const char *cat = r->s[R_CATEGORY];
    buf_printf(b,
               "<li class=\"card%s\" id=\"l-%lld\" data-id=\"%lld\" "
               "data-lon=\"%.6f\" data-lat=\"%.6f\" data-cat=\"",
               selected ? " selected" : "", id, id, r->lon, r->lat);
    html_text(b, cat);
    buf_printf(b,
               "\"%s><article aria-labelledby=\"n-%lld\"><h3 id=\"n-%lld\">"
               "<a href=\"",
               row_approx(r) ? " data-approx=\"1\"" : "", id, id);
    buf_puts(b, rc->link_state ? rc->link_state : "?");
    buf_printf(b, "sel=%lld#l-%lld\"%s>", id, id,
               rc->embed ? " target=\"_blank\"" : "");
    html_text(b, r->s[R_NAME]);
    buf_puts(b, "</a></h3><p class=\"meta\"><span class=\"cat cat-");
    html_text(b, cat);
    buf_puts(b, "\">");
    html_text(b, render_category(rc, cat));
    buf_puts(b, "</span>");
    if (r->distance_m != ROW_NO_DISTANCE) {
        buf_puts(b, " <span class=\"dist\">");
        render_distance(b, rc, r);
        buf_puts(b, "</span>");
    }
    buf_puts(b, "</p><p class=\"addr\">");
    if (r->s[R_STREET]) {
        html_text(b, r->s[R_STREET]);
        buf_puts(b, ", ");
    }
    if (r->s[R_POSTCODE]) {
        html_text(b, r->s[R_POSTCODE]);
        buf_putc(b, ' ');
    }
    html_text(b, r->s[R_COMMUNE]);
    buf_puts(b, "</p>");
    if (row_approx(r))
        approx_text(b, rc, r);
    old_source_text(b, rc, r);
    if (r->s[R_DESCRIPTION]) {
        buf_puts(b, "<p class=\"desc\">");
        html_text(b, r->s[R_DESCRIPTION]);
        buf_puts(b, "</p>");
    }
    contact(b, rc, r);
    if (r->age_min != ROW_NO_AGE && r->age_max != ROW_NO_AGE) {
        char a[16], z[16];
        snprintf(a, sizeof a, "%d", r->age_min);
        snprintf(z, sizeof z, "%d", r->age_max);
        buf_puts(b, "<p class=\"ages\">");
        render_str(b, rc->lang, S_AGES, "a", a, "b", z, NULL);
        buf_puts(b, "</p>");
    }
    if (r->s[R_OPENING_HOURS]) {
        buf_puts(b, "<p class=\"hours\">");
        buf_puts(b, str_get(rc->lang, S_HOURS));
        render_hours(b, rc->lang, r->s[R_OPENING_HOURS]);
        int open = render_open(rc, r);
        if (open >= 0)
            buf_printf(b, " <strong class=\"%s\">%s</strong>",
                       open ? "open" : "closed",
                       str_get(rc->lang, open ? S_OPEN : S_CLOSED));
        buf_puts(b, "</p>");
    }
    report_link(b, rc, r);
    buf_puts(b, "</article></li>\n");
}

/* One row of the box: those who serve the commune, else the nearest
 * (named as the nearest, with their distances), else "not yet". */
static void competence_item(struct buf *b, const struct render_ctx *rc,
                            enum str_key label, const struct rows *serving,
                            const struct rows *nearest)
{
    buf_printf(b, "<dt>%s</dt><dd>", str_get(rc->lang, label));
    const struct rows *shown = serving->n ? serving : nearest;
    if (!serving->n && nearest && nearest->n)
        buf_printf(
            b, "%s ",
            str_get(rc->lang, nearest->n > 1 ? S_NEAREST_MANY : S_NEAREST_ONE));
    for (size_t i = 0; shown && i < shown->n; i++) {
        const struct row *r = &shown->v[i];
        buf_printf(b, "%s<a href=\"#l-%lld\" data-id=\"%lld\">", i ? ", " : "",
                   (long long)r->id, (long long)r->id);
        html_text(b, r->s[R_NAME]);
        buf_puts(b, "</a>");
        if (shown != serving && r->distance_m != ROW_NO_DISTANCE) {
            buf_puts(b, " (");
            render_distance(b, rc, r);
            buf_puts(b, ")");
        }
    }
    if (!serving->n && !(nearest && nearest->n))
        buf_puts(b, str_get(rc->lang, S_NOT_YET));
    buf_puts(b, "</dd>");
}

void render_competence(struct buf *b, const struct render_ctx *rc,
                       const struct commune_answer *a)
{
    const struct gaz_commune *c = a->place.commune;
    const char *name =
        rc->lang == LANG_NL && c->name_nl ? c->name_nl : c->name_fr;
    buf_puts(b, "<h2 id=\"competence-title\">");
    render_str(b, rc->lang, S_FOR_COMMUNE, "c", name, NULL);
    buf_puts(b, "</h2><dl>");
    competence_item(b, rc, S_COMPETENT_CPAS, &a->cpas, NULL);
    competence_item(b, rc, S_COMPETENT_AMO, &a->amo, &a->amo_nearest);
    competence_item(b, rc, S_COMPETENT_SDJ, &a->sdj, &a->sdj_nearest);
    competence_item(b, rc, S_COMPETENT_PLANNING, &a->planning,
                    &a->planning_nearest);
    buf_puts(b, "</dl>");
}

/* ---- situations ---------------------------------------------------------- */

static const char *sit_text(const struct render_ctx *rc,
                            const struct sit_text *t)
{
    return t->t[rc->lang] && *t->t[rc->lang] ? t->t[rc->lang]
           : t->t[0]                         ? t->t[0]
                                             : "";
}

/* A sensitive situation's or group's choice: a button posting besoin=ID,
 * so that without the script its words never enter the URL (the place and
 * the language stay in the action's query). Opens the <li>. */
static void choice_form(struct buf *b, const char *link, const char *id,
                        const char *cls, const char *attr, const char *label)
{
    buf_puts(b, "<li><form class=\"choice-form\" method=\"post\" action=\"");
    buf_puts(b, *link ? link : "?");
    buf_printf(b,
               "\"><button type=\"submit\" class=\"%s\" name=\"besoin\" "
               "value=\"",
               cls);
    html_text(b, id);
    buf_printf(b, "\"%s>", attr);
    html_text(b, label);
    buf_puts(b, "</button></form>");
}

void render_needs(struct buf *b, const struct render_ctx *rc,
                  const struct situations *sits, const char *link,
                  const char *current)
{
    if (!situations_group_count(sits))
        return;
    buf_printf(b,
               "<nav class=\"needs\" aria-labelledby=\"needs-title\">"
               "<h2 id=\"needs-title\">%s</h2><ul>",
               str_get(rc->lang, S_NEEDS_TITLE));
    for (size_t i = 0; i < situations_group_count(sits); i++) {
        const struct sit_group *g = situations_group_at(sits, i);
        const char *cur = current && strcmp(current, g->id) == 0
                              ? " aria-current=\"true\""
                              : "";
        if (situations_group_sensitive(sits, g)) {
            choice_form(b, link, g->id, "need", cur, sit_text(rc, &g->label));
            buf_puts(b, "</li>");
            continue;
        }
        buf_printf(b, "<li><a class=\"need\" href=\"%sbesoin=", link);
        html_text(b, g->id);
        buf_printf(b, "\"%s>", cur);
        html_text(b, sit_text(rc, &g->label));
        buf_puts(b, "</a></li>");
    }
    buf_puts(b, "</ul></nav>");
}

void render_group(struct buf *b, const struct render_ctx *rc,
                  const struct situations *sits, const struct sit_group *g,
                  const char *link)
{
    buf_puts(b, "<div class=\"situation group\"><h2 id=\"situation-title\">");
    html_text(b, sit_text(rc, &g->label));
    buf_printf(b, "</h2><p>%s</p><ul class=\"choices\">",
               str_get(rc->lang, S_CHOOSE));
    for (size_t i = 0; i < situations_count(sits); i++) {
        const struct situation *s = situations_at(sits, i);
        if (s->group != g)
            continue;
        if (s->sensitive) {
            choice_form(b, link, s->id, "choice", "", sit_text(rc, &s->label));
            buf_puts(b, " <span class=\"sub\">");
        } else {
            buf_printf(b, "<li><a href=\"%sbesoin=", link);
            html_text(b, s->id);
            buf_puts(b, "\">");
            html_text(b, sit_text(rc, &s->label));
            buf_puts(b, "</a> <span class=\"sub\">");
        }
        html_text(b, sit_text(rc, &s->description));
        buf_puts(b, "</span></li>");
    }
    buf_puts(b, "</ul></div>");
}

/* A helpline's number as a tel: URI: short numbers (103, 116 000) as
 * dialled, others in E.164 (0800 30 030 -> +3280030030). */
static void tel_of(struct buf *b, const char *number)
{
    char d[32];
    size_t n = 0;
    for (const char *p = number; *p && n + 1 < sizeof d; p++)
        if (*p >= '0' && *p <= '9')
            d[n++] = *p;
    d[n] = '\0';
    if (d[0] == '0')
        buf_printf(b, "+32%s", d + 1);
    else
        buf_puts(b, d);
}

static void helplines(struct buf *b, const struct render_ctx *rc,
                      const struct situation *sit)
{
    if (!sit->nhelplines)
        return;
    buf_printf(b, "<div class=\"helplines\"><h3>%s</h3><ul>",
               str_get(rc->lang, S_HELPLINES));
    for (size_t i = 0; i < sit->nhelplines; i++) {
        const struct sit_helpline *h = &sit->helplines[i];
        buf_puts(b, "<li><a class=\"call\" href=\"tel:");
        tel_of(b, h->number);
        buf_puts(b, "\">");
        html_text(b, h->number);
        buf_puts(b, "</a> ");
        html_text(b, h->name);
        const char *hours = sit_text(rc, &h->hours);
        if (*hours) {
            buf_puts(b, " <span class=\"sub\">");
            html_text(b, hours);
            buf_puts(b, "</span>");
        }
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul></div>");
}

void render_situation(struct buf *b, const struct render_ctx *rc,
                      const struct situation *sit, const struct row *cpas,
                      bool located)
{
    buf_printf(b, "<div class=\"situation%s\"><h2 id=\"situation-title\">",
               sit->urgent ? " urgent" : "");
    html_text(b, sit_text(rc, &sit->label));
    buf_puts(b, "</h2><p class=\"desc\">");
    html_text(b, sit_text(rc, &sit->description));
    buf_puts(b, "</p>");
    if (sit->urgent)
        helplines(b, rc, sit);
    buf_printf(b, "<h3>%s</h3><ul class=\"why\">",
               str_get(rc->lang, S_WHO_HELPS));
    for (size_t i = 0; i < sit->nservices; i++) {
        const struct sit_service *sv = &sit->services[i];
        bool h24 = strcmp(sv->kind, SIT_KIND_24H) == 0;
        buf_printf(b, "<li><strong class=\"kind cat-%s\">",
                   h24 ? "amo" : sv->kind);
        html_text(b, h24 ? str_get(rc->lang, S_KIND_24H)
                         : render_category(rc, sv->kind));
        buf_puts(b, "</strong> ");
        html_text(b, sit_text(rc, &sv->why));
        if (strcmp(sv->kind, "cpas") == 0 && cpas) {
            buf_puts(b, " <span class=\"yours\">");
            render_str(b, rc->lang, S_YOUR_CPAS, "n",
                       cpas->s[R_NAME] ? cpas->s[R_NAME] : "", NULL);
            buf_puts(b, "</span>");
        }
        if (sv->source && sv->source->url) {
            buf_puts(b, " <a class=\"src\" href=\"");
            html_text(b, sv->source->url);
            buf_printf(b, "\" rel=\"noopener noreferrer\">%s</a>",
                       str_get(rc->lang, S_SOURCE));
        }
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul>");
    if (!sit->urgent)
        helplines(b, rc, sit);
    if (!located)
        buf_printf(b, "<p class=\"tell\">%s</p>",
                   str_get(rc->lang, S_TELL_PLACE));
    buf_puts(b, "</div>");
}
