/* api_communes.c - GET /api/communes/{postcode|NIS}, /api/communes?name=
 * and /api/communes?lat=&lon=: a municipality and who serves it
 * (query_commune, communes.c), as JSON. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "feature.h"
#include "gazetteer.h"
#include "params.h"
#include "parse.h"
#include "query.h"
#include "routes.h"

int communes_parse_path(const char *path, const char **code)
{
    static const char prefix[] = "/api/communes";
    *code = NULL;
    if (strncmp(path, prefix, strlen(prefix)) != 0)
        return -1;
    const char *c = path + strlen(prefix);
    if (*c == '\0')
        return 0;
    if (*c++ != '/')
        return -1;
    size_t n = strlen(c);
    bool digits = n > 0;
    for (size_t i = 0; i < n; i++)
        digits &= isdigit((unsigned char)c[i]) != 0;
    if (!digits || (n != 4 && n != 5))
        return -1;
    *code = c;
    return 1;
}

/* The place the request names, or false with the reply set. */
static bool find_place(struct request *rq, struct reply *rp, struct place *p)
{
    const struct gazetteer *gaz = rq->ctx->gaz;
    const char *code;
    int has_code = communes_parse_path(rq->path, &code);
    if (has_code != 0) {
        if (has_code < 0) {
            reply_error(rp, 400, "bad_parameter",
                        "code: a 4-digit postcode or a 5-digit NIS code");
            return false;
        }
        if (reject_unknown_params(rq, rp))
            return false;
        if (!query_locate(gaz, code, p)) {
            reply_error(rp, 404, "not_found", "no Belgian municipality for %s",
                        code);
            return false;
        }
        return true;
    }
    /* ?name=: a municipality (French or Dutch) or a place ("Jambes"), as
     * a visitor types it in the page's "where" box. */
    const char *name = param_get(rq, "name");
    if (name) {
        if (reject_unknown_params(rq, rp))
            return false;
        /* A name is never a code: "1030" is the path's job. */
        bool code_like = strspn(name, "0123456789") == strlen(name);
        if (code_like || !query_locate(gaz, name, p)) {
            reply_error(rp, 404, "not_found",
                        "name: no Belgian municipality "
                        "or place of that name");
            return false;
        }
        p->postcode[0] = '\0';
        return true;
    }
    double lat, lon;
    int a = param_double(rq, rp, "lat", -90, 90, &lat);
    int b = a < 0 ? -1 : param_double(rq, rp, "lon", -180, 180, &lon);
    if (b < 0 || reject_unknown_params(rq, rp))
        return false;
    if (!a || !b) {
        reply_error(rp, 400, "missing_parameter", "%s: required",
                    a ? "lon" : "lat");
        return false;
    }
    if (!query_locate_point(gaz, lat, lon, p)) {
        reply_error(rp, 404, "not_found",
                    "this point is in no Belgian municipality");
        return false;
    }
    return true;
}

static void write_text(struct jw *w, const char *key, const char *v, bool comma)
{
    if (comma)
        jw_raw(w, ",");
    jw_key(w, key);
    jw_string(w, v, v ? strlen(v) : 0);
}

/* "key":[features] */
static void write_list(struct jw *w, const char *key, const struct rows *r)
{
    jw_raw(w, ",");
    jw_key(w, key);
    jw_raw(w, "[");
    features_write(w, r);
    jw_raw(w, "]");
}

/* "key":feature or null */
static void write_one(struct jw *w, const char *key, const struct rows *r)
{
    jw_raw(w, ",");
    jw_key(w, key);
    if (r->n)
        feature_write(w, &r->v[0], NULL);
    else
        jw_raw(w, "null");
}

void api_communes(struct request *rq, struct reply *rp)
{
    struct place p;
    if (!find_place(rq, rp, &p))
        return;
    struct query_env e = request_env(rq);
    struct commune_answer a;
    int rc = query_commune(&e, &p, -1, &a);
    const struct gaz_commune *c = p.commune;
    struct jw w = {.b = &rp->body};
    jw_raw(&w, "{\"commune\":{");
    write_text(&w, "nis", c->nis, false);
    write_text(&w, "name_fr", c->name_fr, true);
    write_text(&w, "name_nl", c->name_nl, true);
    write_text(&w, "arrondissement_nis", c->arr_nis, true);
    write_text(&w, "region_nis", c->reg_nis, true);
    write_text(&w, "postcode", p.postcode[0] ? p.postcode : NULL, true);
    jw_raw(&w, ",\"center\":[");
    jw_coord(&w, p.lon);
    jw_raw(&w, ",");
    jw_coord(&w, p.lat);
    jw_raw(&w, "]}");
    write_one(&w, "cpas", &a.cpas);
    write_list(&w, "amo", &a.amo);
    write_list(&w, "amo_nearest", &a.amo_nearest);
    write_list(&w, "sdj", &a.sdj);
    write_one(&w, "sdj_nearest", &a.sdj_nearest);
    write_list(&w, "planning", &a.planning);
    write_list(&w, "planning_nearest", &a.planning_nearest);
    jw_raw(&w, ",\"notices\":[");
    for (int i = 0; i < a.nnotices; i++) {
        if (i)
            jw_raw(&w, ",");
        jw_string(&w, a.notices[i], strlen(a.notices[i]));
    }
    jw_raw(&w, "]}");
    commune_answer_free(&a);
    reply_written(rq, rp, rc, w.err, "communes", "application/json", 300);
}
