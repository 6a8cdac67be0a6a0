/* api_search.c - GET /api/search: the parameters of query_search
 * (search.c) and its answer as a GeoJSON FeatureCollection, with the
 * query's words (terms) and the categories it named. */
#include <string.h>

#include "feature.h"
#include "gazetteer.h"
#include "params.h"
#include "query.h"
#include "routes.h"

#define SEARCH_DEFAULT 10

static int read_search(struct request *rq, struct reply *rp,
                       struct search_params *s, char *cats, size_t catsz)
{
    const char *q = param_get(rq, "q");
    if (!q || !*q) {
        reply_error(rp, 400, "missing_parameter", "q: required");
        return -1;
    }
    if (strlen(q) > SEARCH_MAX_QUERY) {
        reply_error(rp, 400, "bad_parameter", "q: longer than %d bytes",
                    SEARCH_MAX_QUERY);
        return -1;
    }
    s->q = q;
    s->limit = SEARCH_DEFAULT;
    int c = param_categories(rq, rp, "category", cats, catsz);
    int nr = c < 0 ? -1 : param_point(rq, rp, "near", &s->lat, &s->lon);
    int l = nr < 0 ? -1 : param_long(rq, rp, "limit", 1, SEARCH_MAX, &s->limit);
    int o =
        l < 0 ? -1
              : param_long(rq, rp, "offset", 0, SEARCH_MAX_OFFSET, &s->offset);
    if (o < 0 || reject_unknown_params(rq, rp))
        return -1;
    s->cats = c > 0 ? cats : NULL;
    s->has_near = nr > 0;
    return 0;
}

/* ",cpas,amo," as ["cpas","amo"]. */
static void write_slugs(struct jw *w, const char *list)
{
    jw_raw(w, "[");
    for (const char *c = list[0] ? list + 1 : list; *c;) {
        size_t len = strcspn(c, ",");
        if (c != list + 1)
            jw_raw(w, ",");
        jw_string(w, c, len);
        c += len + (c[len] == ',');
    }
    jw_raw(w, "]");
}

void api_search(struct request *rq, struct reply *rp)
{
    struct search_params s = {0};
    char cats[300];
    if (read_search(rq, rp, &s, cats, sizeof cats) < 0)
        return;
    struct query_env e = request_env(rq);
    struct search_answer a;
    int rc = query_search(&e, &s, &a);
    struct jw w = {.b = &rp->body};
    jw_raw(&w, "{\"type\":\"FeatureCollection\",\"terms\":[");
    for (int i = 0; i < a.nterms; i++) {
        if (i)
            jw_raw(&w, ",");
        jw_string(&w, a.terms[i], strlen(a.terms[i]));
    }
    jw_raw(&w, "],\"categories\":");
    write_slugs(&w, a.named);
    jw_raw(&w, ",\"situations\":[");
    for (int i = 0; i < a.nsituations; i++) {
        if (i)
            jw_raw(&w, ",");
        situation_write(&w, a.situations[i]);
    }
    jw_raw(&w, "]");
    if (a.located) { /* the place the words named */
        jw_raw(&w, ",\"place\":{\"nis\":");
        jw_string(&w, a.place.commune->nis, strlen(a.place.commune->nis));
        jw_raw(&w, ",\"name_fr\":");
        jw_string(&w, a.place.commune->name_fr,
                  strlen(a.place.commune->name_fr));
        jw_raw(&w, "}");
    }
    jw_raw(&w, ",\"features\":[");
    features_write(&w, &a.rows);
    jw_raw(&w, "],\"numberReturned\":");
    jw_int(&w, (long long)a.rows.n);
    jw_raw(&w, "}");
    search_answer_free(&a);
    if (reply_written(rq, rp, rc, w.err, "search", "application/geo+json", 60))
        rp->cache_control = "private, max-age=60"; /* search text: no shared
                                                      cache */
}
