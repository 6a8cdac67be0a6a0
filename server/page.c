/* page.c - GET / and GET /embed: the public page and the partner widget,
 * and the fragments the page's script asks for (part=results, part=card),
 * all rendered here on the server in the visitor's language, so a visitor
 * without JavaScript or WebGL gets the whole page, a visitor with both
 * sees the first results before any script has run, and there is one
 * card, not a second one in JavaScript (the script swaps in what the
 * server renders: app.js).
 *
 * The HTML lives in web/index.html and web/embed.html; this file fills
 * their {{name}} and {{t:key}} markers. The lists come from the query
 * functions (query.h) in the request's own snapshot, so the page and the
 * API can never disagree; render.c writes them. Also /categories.css,
 * the categories' colours from the database. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "gazetteer.h"
#include "json_write.h"
#include "params.h"
#include "render.h"
#include "routes.h"
#include "situations.h"
#include "snapshot.h"
#include "store.h"
#include "text.h"

#define PAGE_MAX_TEMPLATE (256u << 10) /* web/index.html is about 8 KB */
#define PAGE_NEAREST 20                /* cards near a place */
#define PAGE_NEAREST_OPEN                                                      \
    50                 /* with "open now": most listings give no hours         \
                        */
#define PAGE_SEARCH 30 /* cards for a search */
#define PAGE_ALL 100   /* cards of a category by name, nothing asked */
/* What a search whose words mean nothing to the directory answers: someone
 * to talk to (data/situations/situations.json). */
#define FALLBACK_SITUATION "parler-quelqu-un"
#define PAGE_MAX_WHERE 80
/* Where "Quitter" leaves for when --exit-url is not given: a blank page
 * of our own (web/exit.html). */
#define PAGE_EXIT_URL "/exit.html"

/* What the visitor asked, from the query string (the same names the
 * page's script keeps in the URL). Unknown parameters are ignored, and a
 * page never answers 400: a mangled shared link still shows the
 * directory. */
struct page_query {
    const char *q, *where, *cat, *part;
    /* besoin=: a situation ("dispute-parents") or a group ("famille") */
    const struct situation *sit;
    const struct sit_group *group;
    long long sel;
    int age;        /* -1: none */
    bool open;      /* only what is open now */
    bool has_point; /* lat/lon: "Près de moi", from the script only */
    double lat, lon;
    bool embed;
    enum lang lang;
    struct hours_time now;
    char at[20]; /* the "at" parameter as given, kept in links */
};

/* A parameter's value when it is short enough, else NULL. */
static const char *bounded(struct request *rq, const char *key, size_t max)
{
    for (int i = 0; i < rq->nparams; i++)
        if (strcmp(rq->params[i].key, key) == 0) {
            rq->params[i].used = true;
            return strlen(rq->params[i].value) <= max ? rq->params[i].value
                                                      : NULL;
        }
    return NULL;
}

static bool number(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (!s || !*s)
        return false;
    *out = strtod(s, &end);
    return !*end && *out >= lo && *out <= hi;
}

/* "2026-11-23T10:00", Brussels time: "open now" at that moment instead
 * (tests, and links that ask what was open then). */
static bool parse_at(const char *s, struct hours_time *t)
{
    int y, mo, d, h, mi;
    char extra;
    if (!s ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &extra) != 5 ||
        y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59)
        return false;
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = 12};
    time_t noon = timegm(&tm);
    gmtime_r(&noon, &tm);
    *t = (struct hours_time){.year = y,
                             .month = mo,
                             .day = d,
                             .wday = tm.tm_wday,
                             .minute = h * 60 + mi};
    return tm.tm_mday == d; /* 31 February does not exist */
}

static void read_page_query(struct request *rq, struct page_query *pq)
{
    pq->q = bounded(rq, "q", SEARCH_MAX_QUERY);
    pq->where = bounded(rq, pq->embed ? "commune" : "where", PAGE_MAX_WHERE);
    pq->cat = bounded(rq, pq->embed ? "category" : "cat", 40);
    if (pq->cat && (!*pq->cat || !rq->store ||
                    !store_category_known(rq->store, pq->cat, strlen(pq->cat))))
        pq->cat = NULL;
    const char *sel = bounded(rq, "sel", 19);
    if (sel && *sel && strspn(sel, "0123456789") == strlen(sel))
        pq->sel = strtoll(sel, NULL, 10);
    const char *age = bounded(rq, "age", 3);
    pq->age = age && *age && strspn(age, "0123456789") == strlen(age) &&
                      atoi(age) <= 120
                  ? atoi(age)
                  : -1;
    const char *open = bounded(rq, "open", 1);
    pq->open = open && strcmp(open, "1") == 0;
    pq->has_point = number(bounded(rq, "lat", 20), -90, 90, &pq->lat) &&
                    number(bounded(rq, "lon", 20), -180, 180, &pq->lon);
    pq->part = bounded(rq, "part", 10);
    const char *besoin = bounded(rq, "besoin", 64);
    pq->sit = situations_find(rq->ctx->situations, besoin);
    pq->group =
        pq->sit ? NULL : situations_find_group(rq->ctx->situations, besoin);
    pq->lang = lang_choose(bounded(rq, "lang", 2), rq->accept_language);
    const char *at = bounded(rq, "at", 16);
    if (at && parse_at(at, &pq->now))
        snprintf(pq->at, sizeof pq->at, "%s", at);
    else
        hours_brussels(time(NULL), &pq->now);
}

/* The query string of the current state, for links: the cards' (ending
 * with '&amp;' so "sel=" follows) and the language links. */
static void state_query(struct buf *b, const struct page_query *pq,
                        const char *lang)
{
    char age[16] = "";
    if (pq->age >= 0)
        snprintf(age, sizeof age, "%d", pq->age);
    const char *besoin = pq->sit     ? pq->sit->id
                         : pq->group ? pq->group->id
                                     : NULL;
    /* the widget's names for the place and the category */
    const char *kv[] = {"q",
                        pq->q,
                        "besoin",
                        besoin,
                        pq->embed ? "commune" : "where",
                        pq->where,
                        pq->embed ? "category" : "cat",
                        pq->cat,
                        "age",
                        age,
                        "open",
                        pq->open ? "1" : NULL,
                        "at",
                        pq->at,
                        "lang",
                        lang,
                        NULL};
    buf_puts(b, "?");
    for (const char *const *p = kv; p[0]; p += 2)
        if (p[1] && p[1][0]) {
            buf_printf(b, "%s=", p[0]);
            url_value(b, p[1]);
            buf_puts(b, "&amp;");
        }
}

/* The state a "De quoi as-tu besoin ?" link keeps: the place, the
 * filters and the language, not the words nor the situation. */
static void needs_link(struct buf *b, const struct page_query *pq)
{
    struct page_query keep = *pq;
    keep.q = NULL;
    keep.sit = NULL;
    keep.group = NULL;
    state_query(b, &keep, pq->lang == LANG_FR ? NULL : lang_code(pq->lang));
}

/* ---- the results ------------------------------------------------------ */

/* What the page lists, and what it says about it. */
struct results {
    struct rows rows;
    bool located;
    struct place place;
    const struct situation *sit; /* besoin=, or the one the words name */
    bool not_understood;         /* sit is the fallback: no word matched */
    /* Its words must stay out of the URL, the title and the history: a
     * sensitive situation or group, words naming one, or words that meant
     * nothing to the directory (docs/web.md, "No trace"). */
    bool secret;
    struct commune_answer comp; /* when located (not in the widget) */
    bool has_comp;
    struct buf heading; /* HTML */
    struct buf note;    /* HTML: an unknown place */
};

static bool keep(const struct page_query *pq, const struct render_ctx *rc,
                 const struct row *r)
{
    /* As /api/nearest: a listing without ages (a CPAS) serves everyone. */
    if (pq->age >= 0 && ((r->age_min != ROW_NO_AGE && r->age_min > pq->age) ||
                         (r->age_max != ROW_NO_AGE && r->age_max < pq->age)))
        return false;
    if (pq->cat && strcmp(r->s[R_CATEGORY] ? r->s[R_CATEGORY] : "", pq->cat))
        return false;
    return !pq->open || render_open(rc, r) == 1;
}

static int by_name(const void *a, const void *b)
{
    char fa[256], fb[256];
    const struct row *x = a, *y = b;
    text_fold(x->s[R_NAME] ? x->s[R_NAME] : "", fa, sizeof fa);
    text_fold(y->s[R_NAME] ? y->s[R_NAME] : "", fb, sizeof fb);
    return strcmp(fa, fb);
}

static void heading_name(struct buf *h, const struct render_ctx *rc,
                         enum str_key key, const char *name)
{
    render_str(h, rc->lang, key, key == S_RESULTS ? "q" : "w", name, "c", name,
               NULL);
}

static const char *commune_name(const struct render_ctx *rc,
                                const struct gaz_commune *c)
{
    return rc->lang == LANG_NL && c->name_nl ? c->name_nl : c->name_fr;
}

/* The rows to list and the heading that says what they are. */
static int compute(struct request *rq, const struct page_query *pq,
                   const struct render_ctx *rc, struct results *res)
{
    struct query_env e = request_env(rq);
    struct place place = {0};
    int rc_ = 0;
    if (pq->has_point && !pq->embed)
        res->located =
            query_locate_point(rq->ctx->gaz, pq->lat, pq->lon, &place);
    else if (pq->where && *pq->where)
        res->located = query_locate(rq->ctx->gaz, pq->where, &place);
    if (pq->where && *pq->where && !res->located && !pq->has_point)
        render_str(&res->note, rc->lang, S_UNKNOWN_PLACE, "w", pq->where, NULL);
    if (res->located && (rc_ = query_commune(&e, &place, -1, &res->comp)) == 0)
        res->has_comp = true;
    if (rc_ < 0)
        return rc_;
    res->place = place;
    char cats[48];
    snprintf(cats, sizeof cats, ",%s,", pq->cat ? pq->cat : "");
    if (pq->sit && !(pq->q && *pq->q)) {
        /* A situation chosen: the services of its kinds near the place. */
        res->sit = pq->sit;
        res->secret = pq->sit->sensitive;
        if (res->located)
            heading_name(&res->heading, rc, S_NEAR_PLACE,
                         pq->has_point && !(pq->where && *pq->where)
                             ? str_get(rc->lang, S_NEAR_YOU)
                             : commune_name(rc, place.commune));
        return query_situation(&e, pq->sit, res->located ? &place : NULL,
                               pq->cat ? cats : NULL, PAGE_SEARCH, &res->rows);
    }
    if (pq->group && !(pq->q && *pq->q)) {
        res->secret =
            situations_group_sensitive(rq->ctx->situations, pq->group);
        return 0; /* a group: its situations to choose from, no cards */
    }
    if (pq->embed && res->has_comp) {
        /* The widget: the services of the category that serve the
         * commune; the nearest when the directory has none. */
        const struct rows *kinds[] = {&res->comp.cpas, &res->comp.amo,
                                      &res->comp.sdj, &res->comp.planning};
        for (size_t i = 0; i < 4; i++)
            for (size_t k = 0; k < kinds[i]->n; k++)
                if (!pq->cat ||
                    strcmp(kinds[i]->v[k].s[R_CATEGORY], pq->cat) == 0)
                    if (!rows_copy(&res->rows, &kinds[i]->v[k]))
                        return ERR_NOMEM;
        if (res->rows.n) {
            heading_name(&res->heading, rc, S_SERVICES_FOR,
                         commune_name(rc, place.commune));
            return 0;
        }
    }
    if (pq->q && *pq->q) {
        struct search_params sp = {.q = pq->q,
                                   .cats = pq->cat ? cats : NULL,
                                   .has_near = res->located,
                                   .lat = place.lat,
                                   .lon = place.lon,
                                   .limit = PAGE_SEARCH};
        struct search_answer a;
        int r = query_search(&e, &sp, &a);
        res->rows = a.rows; /* taken */
        rows_init(&a.rows);
        for (int i = 0; i < a.nsituations; i++)
            if (a.situations[i]->sensitive)
                res->secret = true;
        if (a.nsituations) {
            /* the words named a situation: its answer first */
            res->sit = a.situations[0];
            if (a.located && !res->located) {
                res->located = true;
                res->place = a.place;
                if (query_commune(&e, &a.place, -1, &res->comp) == 0)
                    res->has_comp = true;
            }
        }
        search_answer_free(&a);
        heading_name(&res->heading, rc, S_RESULTS, pq->q);
        const struct situation *talk =
            situations_find(rq->ctx->situations, FALLBACK_SITUATION);
        if (r == 0 && res->rows.n == 0 && !res->sit && talk) {
            /* Nothing meant anything to the directory: a visitor who
             * wrote what is wrong must still leave with someone to
             * talk to, near them, and numbers to call. */
            res->sit = talk;
            res->not_understood = true;
            res->secret = true;
            r = query_situation(&e, talk, res->located ? &place : NULL,
                                pq->cat ? cats : NULL, PAGE_SEARCH, &res->rows);
        }
        return r;
    }
    if (res->located) {
        struct nearest_params np = {.lat = place.lat,
                                    .lon = place.lon,
                                    .max_m = 600000,
                                    .limit = pq->open ? PAGE_NEAREST_OPEN
                                                      : PAGE_NEAREST,
                                    .cats = pq->cat ? cats : NULL,
                                    .age = pq->age};
        if (pq->has_point && !(pq->where && *pq->where))
            heading_name(&res->heading, rc, S_NEAREST_TO,
                         str_get(rc->lang, S_NEAR_YOU));
        else
            heading_name(&res->heading, rc, S_NEAREST_TO,
                         commune_name(rc, place.commune));
        return query_nearest(&e, &np, &res->rows);
    }
    /* Nothing asked yet: the AMO services (or the chosen category), by
     * name; the whole directory would be a long page on a phone. A
     * category larger than a page (not the shipped data) shows its first
     * PAGE_ALL by name and says so. */
    const char *cat = pq->cat ? pq->cat : "amo";
    int r = query_by_name(&e, cat, PAGE_ALL + 1, 0, &res->rows);
    bool more = res->rows.n > PAGE_ALL;
    rows_truncate(&res->rows, PAGE_ALL);
    /* accents folded: "École" among the E, as a reader expects */
    if (res->rows.n > 1)
        qsort(res->rows.v, res->rows.n, sizeof *res->rows.v, by_name);
    heading_name(&res->heading, rc, more ? S_FIRST_OF : S_ALL_OF,
                 render_category(rc, cat));
    return r;
}

/* The results section's inside: the competence box, the heading, the
 * status line and the list (the script swaps in the same from part=). */
static void render_results(struct request *rq, const struct page_query *pq,
                           const struct render_ctx *rc, struct results *res,
                           struct buf *out)
{
    /* the script keeps a secret search out of the URL (app.js) */
    buf_puts(out, res->secret ? "<div id=\"situation\" data-sensitive=\"1\">"
                              : "<div id=\"situation\">");
    if (res->not_understood)
        buf_printf(out, "<p class=\"unsure\">%s</p>",
                   str_get(rc->lang, S_NOT_UNDERSTOOD));
    if (res->sit)
        render_situation(
            out, rc, res->sit,
            res->has_comp && res->comp.cpas.n ? &res->comp.cpas.v[0] : NULL,
            res->located);
    else if (pq->group && !(pq->q && *pq->q)) {
        struct buf link;
        buf_init(&link, 4096);
        needs_link(&link, pq);
        render_group(out, rc, rq->ctx->situations, pq->group, buf_str(&link));
        buf_free(&link);
    }
    buf_puts(out, "</div>\n<div id=\"competence\" class=\"competence\">");
    if (res->has_comp && !pq->embed)
        render_competence(out, rc, &res->comp);
    /* the widget's heading is its page's first */
    const char *h = pq->embed ? "h1" : "h2";
    buf_printf(out, "</div>\n<%s id=\"results-title\">", h);
    if (res->note.len) {
        buf_puts(out, buf_str(&res->note));
        buf_putc(out, ' ');
    }
    buf_puts(out, buf_str(&res->heading));
    buf_printf(out, "</%s>\n<p id=\"status\" class=\"status\" role=\"status\">",
               h);
    struct buf list;
    buf_init(&list, 4u << 20);
    size_t shown = 0;
    struct query_env e = request_env(rq);
    struct rows sel;
    rows_init(&sel);
    /* The shared listing comes first, whatever the search. */
    if (pq->sel > 0 && query_listing(&e, pq->sel, &sel) == 0) {
        const struct row *hit = rows_find(&res->rows, pq->sel);
        if (hit)
            sel.v[0].distance_m = hit->distance_m;
        render_card(&list, rc, &sel.v[0], true);
    }
    for (size_t i = 0; i < res->rows.n; i++) {
        const struct row *r = &res->rows.v[i];
        if (r->id == pq->sel || !keep(pq, rc, r))
            continue;
        render_card(&list, rc, r, false);
        shown++;
    }
    if (shown == 0 && !sel.n && res->sit)
        ; /* the situation's answer says what to do */
    else if (shown == 0 && !sel.n && pq->group && !(pq->q && *pq->q))
        ;
    else if (shown == 0 && !sel.n)
        buf_puts(out, str_get(rc->lang, S_NONE));
    else if (shown == 1)
        buf_puts(out, str_get(rc->lang, S_ONE_SERVICE));
    else {
        char n[24];
        snprintf(n, sizeof n, "%zu", shown);
        render_str(out, rc->lang, S_N_SERVICES, "n", n, NULL);
    }
    rows_free(&sel);
    buf_printf(out, "</p>\n<ol id=\"list\" class=\"list\">\n%s</ol>",
               buf_str(&list));
    buf_free(&list);
}

/* ---- templates --------------------------------------------------------- */

struct var {
    const char *name;
    const char *value; /* already HTML */
};

/* A file's link with its version (static.c), so the browser may keep it
 * for good: "/app.js?v=TAG", or the bare path when it cannot be read. */
static void asset_link(struct buf *out, const char *web, const char *path,
                       size_t n)
{
    char p[256], tag[64];
    snprintf(p, sizeof p, "%.*s", (int)(n < 255 ? n : 255), path);
    html_text(out, p);
    if (static_version(web, p, tag, sizeof tag))
        buf_printf(out, "?v=%s", tag);
}

/* Copy 'tpl' into 'out', replacing each {{name}} by its value, each
 * {{t:key}} by the string 'key' in 'lang' ("" when unknown) and each
 * {{asset:/path}} by the file's versioned link. */
static void fill(struct buf *out, const char *tpl, const struct var *vars,
                 size_t nvars, enum lang lang, const char *web)
{
    for (const char *p = tpl; *p;) {
        const char *m = strstr(p, "{{");
        const char *e = m ? strstr(m, "}}") : NULL;
        if (!m || !e) {
            buf_puts(out, p);
            return;
        }
        buf_append(out, p, (size_t)(m - p));
        size_t n = (size_t)(e - m - 2);
        if (n > 2 && strncmp(m + 2, "t:", 2) == 0) {
            enum str_key k = str_find(m + 4, n - 2);
            if (k != S_COUNT)
                buf_puts(out, str_get(lang, k));
        }
        if (n > 6 && strncmp(m + 2, "asset:", 6) == 0)
            asset_link(out, web, m + 8, n - 6);
        for (size_t i = 0; i < nvars; i++)
            if (strlen(vars[i].name) == n &&
                strncmp(m + 2, vars[i].name, n) == 0)
                buf_puts(out, vars[i].value);
        p = e + 2;
    }
}

static char *read_template(const char *web, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", web, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, PAGE_MAX_TEMPLATE);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(&b, chunk, n);
    fclose(f);
    if (rc < 0 || b.len == 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* The language links, each keeping the current state. */
static void lang_links(struct buf *b, const struct page_query *pq)
{
    static const char *const names[LANG_COUNT] = {"Français", "Nederlands",
                                                  "English"};
    for (int l = 0; l < LANG_COUNT; l++) {
        buf_puts(b, "<a href=\"");
        state_query(b, pq, lang_code((enum lang)l));
        if (b->len >= 5) /* drop the last "&amp;" */
            b->len -= 5, b->data[b->len] = '\0';
        buf_printf(b, "\" lang=\"%s\" hreflang=\"%s\"%s>%s</a>\n",
                   lang_code((enum lang)l), lang_code((enum lang)l),
                   l == (int)pq->lang ? " aria-current=\"true\"" : "",
                   names[l]);
    }
}

static void cat_options(struct buf *b, const struct render_ctx *rc,
                        const char *chosen)
{
    for (int i = 0; rc->cats && i < rc->cats->n; i++) {
        buf_puts(b, "<option value=\"");
        html_text(b, rc->cats->c[i].slug);
        buf_printf(b, "\"%s>",
                   chosen && strcmp(chosen, rc->cats->c[i].slug) == 0
                       ? " selected"
                       : "");
        html_text(b, render_category(rc, rc->cats->c[i].slug));
        buf_puts(b, "</option>");
    }
}

/* The words and colours the script needs, as JSON in the page (data,
 * not code: the CSP allows no inline script). '<' is escaped so that no
 * text can close the element. */
static void page_data(struct buf *b, const struct render_ctx *rc,
                      const char *web, const char *exit_url)
{
    static const enum str_key keys[] = {
        S_LOADING,   S_GEO_NO,    S_ERROR,          S_MAP,
        S_COPY_LINK, S_COPIED,    S_OFFLINE,        S_OFFLINE_NONE,
        S_WHO_HELPS, S_HELPLINES, S_OFFLINE_RESULTS};
    struct buf j;
    buf_init(&j, 1 << 16);
    struct jw w = {.b = &j};
    jw_raw(&w, "{\"lang\":");
    jw_string(&w, lang_code(rc->lang), 2);
    jw_raw(&w, ",\"strings\":{");
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        jw_raw(&w, i ? "," : "");
        jw_key(&w, str_name(keys[i]));
        const char *t = str_get(rc->lang, keys[i]);
        jw_string(&w, t, strlen(t));
    }
    jw_raw(&w, "},\"exit\":");
    const char *ex = exit_url ? exit_url : PAGE_EXIT_URL;
    jw_string(&w, ex, strlen(ex));
    jw_raw(&w, ",\"colors\":{");
    for (int i = 0; rc->cats && i < rc->cats->n; i++) {
        jw_raw(&w, i ? "," : "");
        jw_string(&w, rc->cats->c[i].slug, strlen(rc->cats->c[i].slug));
        jw_raw(&w, ":");
        jw_string(&w, rc->cats->c[i].color, strlen(rc->cats->c[i].color));
    }
    /* the map's files, loaded by the script when the map is seen */
    jw_raw(&w, "},\"assets\":{");
    static const char *const assets[] = {"/vendor/maplibre-gl.js",
                                         "/vendor/maplibre-gl.css"};
    for (size_t i = 0; i < sizeof assets / sizeof *assets; i++) {
        struct buf link;
        buf_init(&link, 512);
        asset_link(&link, web, assets[i], strlen(assets[i]));
        jw_raw(&w, i ? "," : "");
        jw_string(&w, assets[i], strlen(assets[i]));
        jw_raw(&w, ":");
        /* html_text escaped nothing a path of ours holds but '&' */
        jw_string(&w, buf_str(&link), link.len);
        buf_free(&link);
    }
    jw_raw(&w, "}}");
    for (const char *p = buf_str(&j); *p; p++)
        if (*p == '<')
            buf_puts(b, "\\u003c");
        else
            buf_putc(b, *p);
    buf_free(&j);
}

static void page(struct request *rq, struct reply *rp, bool embed)
{
    struct page_query pq = {.embed = embed, .age = -1};
    struct categories_answer cats = {0};
    struct results res = {0};
    struct buf results, q, where, age, out, langs, options, data, link;
    read_page_query(rq, &pq);
    /* what links keep of it: not the words of a secret search */
    struct page_query lq = pq;
    struct query_env e = request_env(rq);
    if (rq->store)
        query_categories(&e, &cats);
    buf_init(&link, 4096);
    struct render_ctx rc = {.lang = pq.lang,
                            .cats = &cats,
                            .report_email = rq->ctx->report_email,
                            .now = pq.now,
                            .link_state = "",
                            .embed = embed};
    rows_init(&res.rows);
    buf_init(&res.heading, 4096);
    buf_init(&res.note, 1024);
    buf_init(&results, 8u << 20);
    rp->content_type = "text/html; charset=utf-8";
    /* The query is a visitor's search: no shared cache may keep it. */
    rp->cache_control = "private, no-cache";
    if (!rq->store) {
        buf_printf(&results,
                   "<div id=\"competence\" class=\"competence\"></div>\n"
                   "<h2 id=\"results-title\"></h2>\n<p id=\"status\" "
                   "class=\"status\" role=\"status\">%s</p>\n<ol id=\"list\" "
                   "class=\"list\">\n</ol>",
                   str_get(pq.lang, S_UNAVAILABLE));
        rp->status = 503;
    } else if (pq.part && strcmp(pq.part, "card") == 0) {
        /* One card, for a point picked on the map. */
        struct rows one;
        rows_init(&one);
        if (pq.sel > 0 && query_listing(&e, pq.sel, &one) == 0)
            render_card(&results, &rc, &one.v[0], true);
        else
            rp->status = 404;
        rows_free(&one);
    } else {
        if (compute(rq, &pq, &rc, &res) < 0)
            rp->status = 500;
        /* The cards' and languages' links keep the state, but not the
         * words of a secret search (results.secret) */
        if (res.secret)
            lq.q = NULL, lq.sit = NULL, lq.group = NULL;
        if (embed) /* the widget's cards open the whole page */
            buf_printf(&link, "/?%s%s", pq.lang == LANG_FR ? "" : "lang=",
                       pq.lang == LANG_FR ? "" : lang_code(pq.lang));
        if (embed && pq.lang != LANG_FR)
            buf_puts(&link, "&amp;");
        else if (!embed)
            state_query(&link, &lq,
                        pq.lang == LANG_FR ? NULL : lang_code(pq.lang));
        rc.link_state = buf_str(&link);
        if (rq->method == HTTP_POST && !res.secret && !pq.part &&
            link.len < sizeof rp->location - 2) {
            /* The form posts (no words in the URL without the script); a
             * search that is not secret gets its shareable address. */
            char *w = rp->location;
            *w++ = '/';
            for (const char *p = buf_str(&link); *p; p++) {
                *w++ = *p;
                if (strncmp(p, "&amp;", 5) == 0)
                    p += 4;
            }
            while (w > rp->location + 1 && (w[-1] == '&' || w[-1] == '?'))
                w--;
            *w = '\0';
            rp->status = 303;
            rp->content_type = "text/plain; charset=utf-8";
            rp->cache_control = "no-store";
            buf_reset(&rp->body);
            buf_puts(&rp->body, rp->location);
            if (res.has_comp)
                commune_answer_free(&res.comp);
            rows_free(&res.rows);
            buf_free(&res.heading);
            buf_free(&res.note);
            buf_free(&results);
            buf_free(&link);
            return;
        }
        render_results(rq, &pq, &rc, &res, &results);
        if (res.secret || rq->method == HTTP_POST)
            rp->cache_control = "no-store"; /* not even the browser's cache */
    }
    if (res.has_comp)
        commune_answer_free(&res.comp);
    rows_free(&res.rows);
    buf_free(&res.heading);
    buf_free(&res.note);
    if (pq.part) { /* a fragment for the script */
        rp->location[0] = '\0';
        buf_free(&rp->body);
        rp->body = results;
        rp->cache_control = "no-store"; /* it may hold a position */
        buf_free(&link);
        return;
    }
    const char *web = rq->ctx->web_dir;
    char *tpl =
        web ? read_template(web, embed ? "embed.html" : "index.html") : NULL;
    if (!tpl) {
        buf_free(&results);
        buf_free(&link);
        reply_error(rp, 404, "not_found", "no such page");
        return;
    }
    buf_init(&q, 2048), buf_init(&where, 1024), buf_init(&age, 16);
    buf_init(&langs, 4096), buf_init(&options, 4096), buf_init(&data, 4096);
    buf_init(&out, 8u << 20);
    html_text(&q, pq.q);
    html_text(&where, pq.where);
    if (pq.age >= 0)
        buf_printf(&age, "%d", pq.age);
    lang_links(&langs, &lq);
    struct buf needs, nlink;
    buf_init(&needs, 16384);
    buf_init(&nlink, 4096);
    needs_link(&nlink, &pq);
    render_needs(&needs, &rc, rq->ctx->situations, buf_str(&nlink),
                 pq.sit     ? pq.sit->group->id
                 : pq.group ? pq.group->id
                            : NULL);
    buf_free(&nlink);
    cat_options(&options, &rc, pq.cat);
    page_data(&data, &rc, web, rq->ctx->exit_url);
    struct buf exit;
    buf_init(&exit, 4096);
    html_text(&exit, rq->ctx->exit_url ? rq->ctx->exit_url : PAGE_EXIT_URL);
    /* the colours change only with the data: versioned by its version */
    char css_link[64];
    snprintf(css_link, sizeof css_link, "/categories.css?v=%lld",
             rq->snap ? snapshot_version(rq->snap) : 0LL);
    const struct var vars[] = {
        {"lang", lang_code(pq.lang)},
        {"q", buf_str(&q)},
        {"where", buf_str(&where)},
        {"age", buf_str(&age)},
        {"open_checked", pq.open ? "checked" : ""},
        {"at", pq.at},
        {"langs", buf_str(&langs)},
        {"cat_options", buf_str(&options)},
        {"results", buf_str(&results)},
        {"page_data", buf_str(&data)},
        {"needs", buf_str(&needs)},
        {"report_email", rq->ctx->report_email ? rq->ctx->report_email : ""},
        {"categories_css", css_link},
        {"exit_url", buf_str(&exit)},
    };
    fill(&out, tpl, vars, sizeof vars / sizeof *vars, pq.lang, web);
    free(tpl);
    buf_free(&rp->body);
    rp->body = out;
    buf_free(&results), buf_free(&q), buf_free(&where), buf_free(&age);
    buf_free(&langs), buf_free(&options), buf_free(&data), buf_free(&link);
    buf_free(&needs), buf_free(&exit);
}

void page_index(struct request *rq, struct reply *rp)
{
    page(rq, rp, false);
}

void page_embed(struct request *rq, struct reply *rp)
{
    page(rq, rp, true);
}

/* /categories.css: each category's colour, from the categories table. */
void page_categories_css(struct request *rq, struct reply *rp)
{
    struct query_env e = request_env(rq);
    struct categories_answer cats;
    /* the pages link it with the data version: those bytes for good */
    const char *v = param_get(rq, "v");
    if (reject_unknown_params(rq, rp))
        return;
    if (query_categories(&e, &cats) < 0) {
        reply_error(rp, 500, "internal", "categories failed");
        return;
    }
    for (int i = 0; i < cats.n; i++) {
        /* slugs are [a-z0-9-] (the importer's --add-category) */
        if (strspn(cats.c[i].slug, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
            strlen(cats.c[i].slug))
            continue;
        buf_printf(&rp->body,
                   ".cat-%s{background:%s}"
                   ".legend .dot.cat-%s{border-color:%s}\n",
                   cats.c[i].slug, cats.c[i].color, cats.c[i].slug,
                   cats.c[i].color);
    }
    rp->content_type = "text/css; charset=utf-8";
    reply_cacheable(rq, rp, 300);
    char now[32];
    snprintf(now, sizeof now, "%lld",
             rq->snap ? snapshot_version(rq->snap) : -1LL);
    if (v && strcmp(v, now) == 0)
        rp->cache_control = "public, max-age=31536000, immutable";
}
