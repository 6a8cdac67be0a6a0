/* page.c - GET / and GET /embed: the public page and the partner widget,
 * with the list of services rendered on the server, so a visitor without
 * JavaScript or WebGL still gets it, and a visitor with both sees the
 * first results before any script has run.
 *
 * The HTML lives in web/index.html and web/embed.html; this file fills
 * their {{name}} markers. The lists come from the API handlers themselves
 * (search, nearest, communes, listings), called in the request's own
 * snapshot, so the page and the API can never disagree. Everything taken
 * from the database or the query is HTML-escaped here, in one place
 * (html_text / html_attr); URLs are only written when they are http(s),
 * mailto: or tel: with digits. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gazetteer.h"
#include "routes.h"
#include "srcdate.h"
#include "store.h"
#include "text.h"
#include "tileset.h"

#define PAGE_MAX_TEMPLATE (256u << 10) /* web/index.html is about 8 KB */
#define PAGE_NEAREST 20                /* cards near a postcode */
#define PAGE_SEARCH "30"               /* cards for a search */
#define PAGE_MAX_Q 200                 /* as /api/search */
#define PAGE_MAX_WHERE 80

/* What the visitor asked, from the query string (the same names the
 * page's script keeps in the URL). Unknown parameters are ignored: a
 * shared link may carry a partner's tag. */
struct page_query {
    const char *q, *where, *cat, *sel, *commune;
    char age[8];
    bool embed;
};

/* ---- escaping -------------------------------------------------------- */

static void html_text(struct buf *b, const char *s)
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

/* Percent-encode for a query string value (RFC 3986 unreserved kept). */
static void url_value(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || strchr("-._~", c))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
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

/* ---- calling the API handlers ----------------------------------------- */

/* Run 'h' as if 'path?k0=v0&...' had been requested, in the same
 * snapshot; returns its JSON answer (new reference) or NULL. */
static json_t *call_api(struct request *rq, http_handler h, const char *path,
                        const char *const *kv)
{
    struct request sub = {.method = HTTP_GET,
                          .path = path,
                          .host = rq->host,
                          .store = rq->store,
                          .ctx = rq->ctx};
    for (; kv && kv[0] && sub.nparams < HTTP_MAX_PARAMS; kv += 2)
        if (kv[1] && kv[1][0])
            sub.params[sub.nparams++] =
                (struct param){.key = kv[0], .value = kv[1]};
    struct reply rp = {.status = 200};
    buf_init(&rp.body, HTTP_MAX_BODY);
    h(&sub, &rp);
    json_t *j = rp.status == 200 && rp.body.len
                    ? json_loadb(rp.body.data, rp.body.len, 0, NULL)
                    : NULL;
    buf_free(&rp.body);
    return j;
}

/* ---- one card ---------------------------------------------------------- */

static const char *category_label(const char *slug)
{
    static const char *const labels[][2] = {
        {"amo", "AMO (aide en milieu ouvert)"},
        {"cpas", "CPAS"},
        {"planning", "Planning familial"},
        {"sdj", "Service Droit des Jeunes"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (slug && strcmp(slug, labels[i][0]) == 0)
            return labels[i][1];
    return slug ? slug : "";
}

static const char *str(json_t *props, const char *key)
{
    const char *s = json_string_value(json_object_get(props, key));
    return s && *s ? s : NULL;
}

/* OpenStreetMap opening_hours with French day names ("Mo-Fr" -> "lun-ven");
 * whether it is open now is left to the script, which knows the
 * visitor's clock. */
static void hours_text(struct buf *b, const char *oh)
{
    static const char *const days[][2] = {
        {"Mo", "lun"}, {"Tu", "mar"}, {"We", "mer"}, {"Th", "jeu"},
        {"Fr", "ven"}, {"Sa", "sam"}, {"Su", "dim"}, {"PH", "jours fériés"}};
    if (strcmp(oh, "24/7") == 0) {
        buf_puts(b, "24 h sur 24, 7 jours sur 7");
        return;
    }
    for (const char *p = oh; *p;) {
        bool done = false;
        for (size_t i = 0; i < sizeof days / sizeof *days && !done; i++)
            if (strncmp(p, days[i][0], 2) == 0) {
                buf_puts(b, days[i][1]);
                p += 2;
                done = true;
            }
        if (!done && strncmp(p, "off", 3) == 0) {
            buf_puts(b, "fermé");
            p += 3;
        } else if (!done) {
            char one[2] = {*p++, 0};
            html_text(b, one);
        }
    }
}

/* How far a listing is: "à 1,2 km", or "≈ 2 km" (whole kilometres, at
 * least 1) when it sits at a postcode's or commune's centre, whose
 * distance is no better than the size of that area. */
static void distance_text(struct buf *b, long long m, bool approx)
{
    if (approx) {
        long km = (long)((m + 500) / 1000);
        buf_printf(b, "≈ %ld km", km < 1 ? 1 : km);
        return;
    }
    long dm = (long)((m + 50) / 100); /* French decimal comma: "à 1,2 km" */
    buf_printf(b, "à %ld,%ld km", dm / 10, dm % 10);
}

static bool approx_of(json_t *pr)
{
    return tileset_pos_approx(str(pr, "position_source"));
}

/* Where an approximate position lies: "centre de 4000 Liège". */
static void approx_text(struct buf *b, json_t *pr)
{
    const char *ps = str(pr, "position_source");
    buf_puts(b, "<p class=\"approx\">Position approximative (");
    if (ps && strcmp(ps, "commune") == 0) {
        buf_puts(b, "dans la commune de ");
        html_text(b, str(pr, "commune"));
    } else {
        buf_puts(b, "centre de ");
        if (str(pr, "postcode")) {
            html_text(b, str(pr, "postcode"));
            buf_putc(b, ' ');
        }
        html_text(b, str(pr, "commune"));
    }
    buf_puts(b, ")</p>");
}

/* Today as yyyymmdd (UTC: a day's error does not matter for a source
 * three years old). */
static long today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* A source older than three years: its contact facts may have changed,
 * and the card says so in plain words. */
#define OLD_SOURCE_YEARS 3
static void old_source_text(struct buf *b, json_t *pr)
{
    struct srcdate d;
    const char *sd = str(pr, "source_date");
    if (!sd || !srcdate_parse(sd, &d) ||
        !srcdate_older_than(&d, today(), OLD_SOURCE_YEARS))
        return;
    bool range = d.first / 10000 != d.last / 10000;
    buf_printf(b,
               "<p class=\"old\">Coordonnées de %d%s : %s avant d'y "
               "aller.</p>",
               srcdate_year(&d), range ? " environ" : "",
               str(pr, "phone") ? "appelle" : "vérifie");
}

/* "Signaler une erreur": a mailto: link to the operator's address, so
 * the page itself sends nothing; without one, the card still says that
 * its facts may be wrong. */
static void report_link(struct buf *b, const char *to, json_t *pr, long long id)
{
    if (!to) {
        buf_puts(b, "<p class=\"report\">Ces informations peuvent avoir "
                    "changé : vérifie-les auprès du service.</p>");
        return;
    }
    buf_printf(b, "<p class=\"report\"><a href=\"mailto:%s?subject=", to);
    struct buf subj;
    buf_init(&subj, 1024);
    buf_printf(&subj, "Erreur dans l'annuaire : %s (%lld)",
               str(pr, "name") ? str(pr, "name") : "", id);
    url_value(b, buf_str(&subj));
    buf_free(&subj);
    buf_puts(b, "\">Signaler une erreur</a></p>");
}

/* One listing as a card; 'state' is the link prefix that keeps the
 * search ("?q=...&" on the page, "/?" in the widget, which opens the
 * full page in a new tab). */
static void card(struct buf *b, json_t *f, const struct buf *state,
                 bool selected, bool embed, const char *report_to)
{
    json_t *pr = json_object_get(f, "properties");
    json_int_t id = json_integer_value(json_object_get(pr, "id"));
    json_t *coords =
        json_object_get(json_object_get(f, "geometry"), "coordinates");
    const char *cat = str(pr, "category");
    buf_printf(b,
               "<li class=\"card%s\" id=\"l-%lld\" data-id=\"%lld\" "
               "data-lon=\"%.6f\" data-lat=\"%.6f\"><article "
               "aria-labelledby=\"n-%lld\"><h3 id=\"n-%lld\"><a href=\"",
               selected ? " selected" : "", (long long)id, (long long)id,
               json_real_value(json_array_get(coords, 0)),
               json_real_value(json_array_get(coords, 1)), (long long)id,
               (long long)id);
    buf_puts(b, buf_str(state));
    buf_printf(b, "sel=%lld#l-%lld\"%s>", (long long)id, (long long)id,
               embed ? " target=\"_blank\"" : "");
    html_text(b, str(pr, "name"));
    buf_puts(b, "</a></h3><p class=\"meta\"><span class=\"cat cat-");
    html_text(b, cat);
    buf_puts(b, "\">");
    html_text(b, category_label(cat));
    buf_puts(b, "</span>");
    json_t *d = json_object_get(pr, "distance_m");
    if (json_is_integer(d)) {
        buf_puts(b, " <span class=\"dist\">");
        distance_text(b, json_integer_value(d), approx_of(pr));
        buf_puts(b, "</span>");
    }
    buf_puts(b, "</p><p class=\"addr\">");
    if (str(pr, "street")) {
        html_text(b, str(pr, "street"));
        buf_puts(b, ", ");
    }
    if (str(pr, "postcode")) {
        html_text(b, str(pr, "postcode"));
        buf_putc(b, ' ');
    }
    html_text(b, str(pr, "commune"));
    buf_puts(b, "</p>");
    if (approx_of(pr))
        approx_text(b, pr);
    old_source_text(b, pr);
    if (str(pr, "description")) {
        buf_puts(b, "<p class=\"desc\">");
        html_text(b, str(pr, "description"));
        buf_puts(b, "</p>");
    }
    char tel[40];
    const char *phone = str(pr, "phone"), *email = str(pr, "email"),
               *web = str(pr, "website");
    if (phone || email || is_http_url(web)) {
        buf_puts(b, "<ul class=\"contact\">");
        if (phone && tel_uri(phone, tel, sizeof tel)) {
            buf_printf(b, "<li><a href=\"tel:%s\">Tél. ", tel);
            html_text(b, phone);
            buf_puts(b, "</a></li>");
        }
        if (email && !strpbrk(email, "\"<>?&")) {
            buf_puts(b, "<li><a href=\"mailto:");
            html_text(b, email);
            buf_puts(b, "\">");
            html_text(b, email);
            buf_puts(b, "</a></li>");
        }
        if (is_http_url(web)) {
            buf_puts(b, "<li><a href=\"");
            html_text(b, web);
            buf_puts(b, "\" rel=\"noopener noreferrer\">Site web</a></li>");
        }
        buf_puts(b, "</ul>");
    }
    json_t *amin = json_object_get(pr, "age_min"),
           *amax = json_object_get(pr, "age_max");
    if (json_is_integer(amin) && json_is_integer(amax))
        buf_printf(b, "<p class=\"ages\">De %lld à %lld ans</p>",
                   (long long)json_integer_value(amin),
                   (long long)json_integer_value(amax));
    if (str(pr, "opening_hours")) {
        buf_puts(b, "<p class=\"hours\">Horaires : <span data-oh=\"");
        html_text(b, str(pr, "opening_hours"));
        buf_puts(b, "\">");
        hours_text(b, str(pr, "opening_hours"));
        buf_puts(b, "</span></p>");
    }
    report_link(b, report_to, pr, (long long)id);
    buf_puts(b, "</article></li>\n");
}

/* ---- the page's parts --------------------------------------------------- */

static bool age_fits(json_t *f, long age)
{
    json_t *pr = json_object_get(f, "properties");
    json_t *lo = json_object_get(pr, "age_min"),
           *hi = json_object_get(pr, "age_max");
    /* As /api/nearest: a listing without ages (a CPAS) serves everyone. */
    return age < 0 ||
           ((!json_is_integer(lo) || json_integer_value(lo) <= age) &&
            (!json_is_integer(hi) || json_integer_value(hi) >= age));
}

static int by_name(const void *a, const void *b)
{
    char fa[256], fb[256];
    json_t *const *x = a, *const *y = b;
    text_fold(str(json_object_get(*x, "properties"), "name"), fa, sizeof fa);
    text_fold(str(json_object_get(*y, "properties"), "name"), fb, sizeof fb);
    return strcmp(fa, fb);
}

/* Sort a JSON array of features by folded name, in place. */
static void sort_by_name(json_t *fs)
{
    size_t n = json_array_size(fs);
    json_t **v = n > 1 ? malloc(n * sizeof *v) : NULL;
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(fs, i));
    qsort(v, n, sizeof *v, by_name);
    json_array_clear(fs);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(fs, v[i]);
    free(v);
}

/* A postcode, a municipality or a place name -> a point and its
 * municipality; false when nothing matches. */
static bool locate(const struct gazetteer *gaz, const char *where, double *lat,
                   double *lon, const struct gaz_commune **c)
{
    const struct gaz_postcode *pc = NULL;
    *c = NULL;
    if (strlen(where) == 4 && strspn(where, "0123456789") == 4)
        pc = gaz_postcode(gaz, where, NULL);
    else if (!(*c = gaz_commune_by_name(gaz, where)))
        pc = gaz_place_by_name(gaz, where);
    if (pc) {
        *lat = pc->lat, *lon = pc->lon;
        *c = gaz_commune_at(gaz, pc->lat, pc->lon);
    } else if (*c) {
        *lat = (*c)->in_lat, *lon = (*c)->in_lon;
    }
    return *c != NULL;
}

/* 'fs' serve the commune; when there are none, 'nearest' (an array of
 * features with distance_m, or NULL) are named as the nearest, not as
 * the competent ones. */
static void competence_item(struct buf *b, const char *label, json_t *fs,
                            json_t *nearest)
{
    buf_printf(b, "<dt>%s</dt><dd>", label);
    size_t n = json_is_array(fs) ? json_array_size(fs) : 0;
    size_t nn = n == 0 && json_is_array(nearest) ? json_array_size(nearest) : 0;
    if (nn)
        buf_puts(b, nn > 1 ? "les plus proches : " : "le plus proche : ");
    for (size_t i = 0; i < (n ? n : nn); i++) {
        json_t *pr =
            json_object_get(json_array_get(n ? fs : nearest, i), "properties");
        long long id = (long long)json_integer_value(json_object_get(pr, "id"));
        buf_printf(b, "%s<a href=\"#l-%lld\" data-id=\"%lld\">", i ? ", " : "",
                   id, id);
        html_text(b, str(pr, "name"));
        buf_puts(b, "</a>");
        json_t *d = json_object_get(pr, "distance_m");
        if (!n && json_is_integer(d)) {
            buf_puts(b, " (");
            distance_text(b, json_integer_value(d), approx_of(pr));
            buf_puts(b, ")");
        }
    }
    buf_puts(b, n || nn ? "</dd>" : "pas encore dans l'annuaire</dd>");
}

/* The nearest features of a commune answer under 'key', as an array
 * (sdj_nearest is one feature or null). New reference. */
static json_t *nearest_array(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    if (json_is_array(v))
        return json_incref(v);
    json_t *a = json_array();
    if (json_is_object(v))
        json_array_append(a, v);
    return a;
}

/* Which CPAS, AMO, SDJ and planning centres serve the municipality
 * (/api/communes), measured from the same point as the list below. */
static void competence(struct request *rq, struct buf *b,
                       const struct gaz_commune *c, double lat, double lon)
{
    char slat[32], slon[32];
    snprintf(slat, sizeof slat, "%.6f", lat);
    snprintf(slon, sizeof slon, "%.6f", lon);
    const char *kv[] = {"lat", slat, "lon", slon, NULL};
    json_t *j = call_api(rq, api_communes, "/api/communes", kv);
    if (!j)
        return;
    buf_puts(b, "<h2 id=\"competence-title\">Pour la commune de ");
    html_text(b, c->name_fr);
    buf_puts(b, "</h2><dl>");
    json_t *cpas = json_array();
    if (json_is_object(json_object_get(j, "cpas")))
        json_array_append(cpas, json_object_get(j, "cpas"));
    json_t *amo_n = nearest_array(j, "amo_nearest"),
           *sdj_n = nearest_array(j, "sdj_nearest"),
           *pl_n = nearest_array(j, "planning_nearest");
    competence_item(b, "CPAS compétent", cpas, NULL);
    competence_item(b, "AMO", json_object_get(j, "amo"), amo_n);
    competence_item(b, "Service Droit des Jeunes", json_object_get(j, "sdj"),
                    sdj_n);
    competence_item(b, "Planning familial", json_object_get(j, "planning"),
                    pl_n);
    buf_puts(b, "</dl>");
    json_decref(amo_n), json_decref(sdj_n), json_decref(pl_n);
    json_decref(cpas);
    json_decref(j);
}

/* For the widget: the services of 'cat' (or of every category) that
 * serve the municipality, as {"features":[...]}; NULL when there are
 * none (the widget then lists the nearest). */
static json_t *serving_commune(struct request *rq, const struct gaz_commune *c,
                               const char *cat)
{
    static const char *const cats[] = {"cpas", "amo", "sdj", "planning"};
    char path[64];
    snprintf(path, sizeof path, "/api/communes/%s", c->nis);
    json_t *j = call_api(rq, api_communes, path, NULL);
    json_t *fs = json_array();
    for (size_t i = 0; j && i < sizeof cats / sizeof *cats; i++) {
        if (cat && strcmp(cat, cats[i]) != 0)
            continue;
        json_t *v = json_object_get(j, cats[i]);
        if (json_is_object(v))
            json_array_append(fs, v);
        else if (json_is_array(v))
            json_array_extend(fs, v);
    }
    json_decref(j);
    if (json_array_size(fs) == 0) {
        json_decref(fs);
        return NULL;
    }
    return json_pack("{s:o}", "features", fs);
}

/* The features to list, and the heading that says what they are. */
static json_t *results(struct request *rq, const struct page_query *pq,
                       struct buf *heading, struct buf *comp)
{
    double lat = 0, lon = 0;
    const struct gaz_commune *c = NULL;
    char near[64] = "", slat[32], slon[32];
    const char *where = pq->embed ? pq->commune : pq->where;
    if (where && *where && locate(rq->ctx->gaz, where, &lat, &lon, &c)) {
        snprintf(near, sizeof near, "%.6f,%.6f", lat, lon);
        snprintf(slat, sizeof slat, "%.6f", lat);
        snprintf(slon, sizeof slon, "%.6f", lon);
        if (!pq->embed)
            competence(rq, comp, c, lat, lon);
    } else if (where && *where) {
        buf_puts(heading, "Code postal ou commune inconnu : « ");
        html_text(heading, where);
        buf_puts(heading, " ». ");
    }
    json_t *j = NULL;
    if (pq->embed && c && (j = serving_commune(rq, c, pq->cat))) {
        buf_puts(heading, "Services pour ");
        html_text(heading, c->name_fr);
        return j;
    }
    if (pq->q && *pq->q) {
        const char *kv[] = {"q",  pq->q,   "category",  pq->cat, "near",
                            near, "limit", PAGE_SEARCH, NULL};
        j = call_api(rq, api_search, "/api/search", kv);
        buf_puts(heading, "Résultats pour « ");
        html_text(heading, pq->q);
        buf_puts(heading, " »");
    } else if (near[0]) {
        char limit[8];
        snprintf(limit, sizeof limit, "%d", PAGE_NEAREST);
        const char *kv[] = {"lat", slat,    "lon",   slon,  "category", pq->cat,
                            "age", pq->age, "limit", limit, NULL};
        j = call_api(rq, api_nearest, "/api/nearest", kv);
        buf_puts(heading, "Les plus proches de ");
        html_text(heading, c->name_fr);
    } else {
        /* Nothing asked yet: the AMO services (or the chosen category),
         * by name; the whole directory would be a long page on a phone. */
        const char *cat = pq->cat && *pq->cat ? pq->cat : "amo";
        const char *kv[] = {"category", cat, NULL};
        j = call_api(rq, api_listings_geojson, "/api/listings.geojson", kv);
        sort_by_name(json_object_get(j, "features"));
        buf_puts(heading, "Tous les services : ");
        html_text(heading, category_label(cat));
    }
    return j;
}

/* The query string of the current state, ending with '&', for the cards'
 * links (so following one keeps the search). */
static void state_query(struct buf *b, const struct page_query *pq)
{
    const char *kv[] = {"q",     pq->q, "where", pq->where, "cat",
                        pq->cat, "age", pq->age, NULL};
    buf_puts(b, pq->embed ? "/?" : "?");
    if (pq->embed)
        return;
    for (const char *const *p = kv; p[0]; p += 2)
        if (p[1] && p[1][0]) {
            buf_printf(b, "%s=", p[0]);
            url_value(b, p[1]);
            buf_puts(b, "&amp;");
        }
}

static void render_list(struct request *rq, const struct page_query *pq,
                        json_t *j, struct buf *list, struct buf *status)
{
    struct buf state;
    buf_init(&state, 4096);
    state_query(&state, pq);
    long age = pq->age[0] ? atol(pq->age) : -1;
    json_int_t sel = pq->sel ? strtoll(pq->sel, NULL, 10) : 0;
    if (sel > 0) {
        /* The shared listing comes first, whatever the search. */
        char path[64];
        snprintf(path, sizeof path, "/api/listings/%lld", (long long)sel);
        json_t *f = call_api(rq, api_listing, path, NULL);
        if (f)
            card(list, f, &state, true, pq->embed, rq->ctx->report_email);
        json_decref(f);
    }
    json_t *fs = json_object_get(j, "features");
    size_t shown = 0;
    for (size_t i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        json_int_t id = json_integer_value(
            json_object_get(json_object_get(f, "properties"), "id"));
        if (id == sel || !age_fits(f, age))
            continue;
        card(list, f, &state, false, pq->embed, rq->ctx->report_email);
        shown++;
    }
    if (shown == 0 && sel <= 0)
        buf_puts(status, "Aucun service trouvé. Essayez un autre mot, ou "
                         "votre code postal.");
    else
        buf_printf(status, "%zu service%s.", shown, shown > 1 ? "s" : "");
    buf_free(&state);
}

/* ---- templates ------------------------------------------------------------
 */

struct var {
    const char *name;
    const char *value; /* already HTML */
};

/* Copy 'tpl' into 'out', replacing each {{name}} by its value ("" when
 * the name is not in 'vars'). */
static void fill(struct buf *out, const char *tpl, const struct var *vars,
                 size_t nvars)
{
    for (const char *p = tpl; *p;) {
        const char *m = strstr(p, "{{");
        const char *e = m ? strstr(m, "}}") : NULL;
        if (!m || !e) {
            buf_puts(out, p);
            return;
        }
        buf_append(out, p, (size_t)(m - p));
        for (size_t i = 0; i < nvars; i++)
            if (strlen(vars[i].name) == (size_t)(e - m - 2) &&
                strncmp(m + 2, vars[i].name, (size_t)(e - m - 2)) == 0)
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

/* A parameter's value when it is short enough, else NULL (a page never
 * answers 400: a mangled shared link still shows the directory). */
static const char *bounded(struct request *rq, const char *key, size_t max)
{
    for (int i = 0; i < rq->nparams; i++)
        if (strcmp(rq->params[i].key, key) == 0) {
            rq->params[i].used = true;
            size_t n = strlen(rq->params[i].value);
            return n <= max ? rq->params[i].value : NULL;
        }
    return NULL;
}

static void read_page_query(struct request *rq, struct page_query *pq)
{
    pq->q = bounded(rq, "q", PAGE_MAX_Q);
    pq->where = bounded(rq, "where", PAGE_MAX_WHERE);
    pq->commune = bounded(rq, "commune", PAGE_MAX_WHERE);
    pq->cat = bounded(rq, pq->embed ? "category" : "cat", 40);
    if (pq->cat && (!*pq->cat ||
                    !store_category_known(rq->store, pq->cat, strlen(pq->cat))))
        pq->cat = NULL;
    const char *sel = bounded(rq, "sel", 20);
    pq->sel =
        sel && *sel && strspn(sel, "0123456789") == strlen(sel) ? sel : NULL;
    const char *age = bounded(rq, "age", 3);
    if (age && *age && strspn(age, "0123456789") == strlen(age) &&
        atoi(age) <= 120)
        snprintf(pq->age, sizeof pq->age, "%s", age);
}

static void page(struct request *rq, struct reply *rp, bool embed)
{
    struct page_query pq = {.embed = embed};
    struct buf heading, comp, list, status, q, where, cats, out;
    const char *web = rq->ctx->web_dir;
    char *tpl =
        web ? read_template(web, embed ? "embed.html" : "index.html") : NULL;
    if (!tpl) {
        reply_error(rp, 404, "not_found", "no such page");
        return;
    }
    buf_init(&heading, 4096), buf_init(&comp, 1 << 16);
    buf_init(&list, 4u << 20), buf_init(&status, 256);
    buf_init(&q, 2048), buf_init(&where, 1024), buf_init(&cats, 64);
    buf_init(&out, 8u << 20);
    if (rq->store) {
        read_page_query(rq, &pq);
        json_t *j = results(rq, &pq, &heading, &comp);
        render_list(rq, &pq, j, &list, &status);
        json_decref(j);
    } else {
        buf_puts(&status, "L'annuaire est momentanément indisponible. "
                          "Réessayez dans un instant.");
        rp->status = 503;
    }
    html_text(&q, pq.q);
    html_text(&where, embed ? pq.commune : pq.where);
    buf_puts(&cats, pq.cat ? pq.cat : "");
    char sel_attr[4][40];
    static const char *const slugs[] = {"amo", "cpas", "planning", "sdj"};
    for (int i = 0; i < 4; i++)
        snprintf(sel_attr[i], sizeof sel_attr[i], "%s",
                 pq.cat && strcmp(pq.cat, slugs[i]) == 0 ? "selected" : "");
    const struct var vars[] = {
        {"q", buf_str(&q)},
        {"where", buf_str(&where)},
        {"age", pq.age},
        {"cat", buf_str(&cats)},
        {"sel_amo", sel_attr[0]},
        {"sel_cpas", sel_attr[1]},
        {"sel_planning", sel_attr[2]},
        {"sel_sdj", sel_attr[3]},
        {"heading", buf_str(&heading)},
        {"competence", buf_str(&comp)},
        {"status", buf_str(&status)},
        {"list", buf_str(&list)},
        {"report_email", rq->ctx->report_email ? rq->ctx->report_email : ""},
    };
    fill(&out, tpl, vars, sizeof vars / sizeof *vars);
    free(tpl);
    buf_free(&rp->body);
    rp->body = out;
    rp->content_type = "text/html; charset=utf-8";
    /* The query is a visitor's search: no shared cache may keep it. */
    rp->cache_control = "private, no-cache";
    rp->frameable = embed;
    buf_free(&heading), buf_free(&comp), buf_free(&list);
    buf_free(&status), buf_free(&q), buf_free(&where), buf_free(&cats);
}

void page_index(struct request *rq, struct reply *rp)
{
    page(rq, rp, false);
}

void page_embed(struct request *rq, struct reply *rp)
{
    page(rq, rp, true);
}
