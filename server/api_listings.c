/* api_listings.c - /api/status, /healthz, /api/listings.geojson and
 * /api/listings/{id}. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "err.h"
#include "feature.h"
#include "params.h"
#include "parse.h"
#include "query.h"
#include "routes.h"
#include "store.h"

/* Bumped when the shape of our answers changes, so cached copies made by
 * an older server are not taken for current ones. */
#define ANSWER_FORMAT 1

void reply_cacheable(struct request *rq, struct reply *rp, int max_age_s)
{
    snprintf(rp->etag, sizeof rp->etag, "\"f%d-d%lld\"", ANSWER_FORMAT,
             rq->store ? store_data_version(rq->store) : 0LL);
    rp->cache_control = max_age_s >= 300  ? "public, max-age=300"
                        : max_age_s >= 60 ? "public, max-age=60"
                                          : "no-cache";
}

bool reply_written(struct request *rq, struct reply *rp, int rc, int werr,
                   const char *what, const char *type, int max_age_s)
{
    if (rc < 0 || werr) {
        reply_error(rp, 500, "internal", "%s failed", what);
        return false;
    }
    rp->content_type = type;
    reply_cacheable(rq, rp, max_age_s);
    return true;
}

/* The process answers, touching no database: for a supervisor's liveness
 * probe, and the HTTP layer's own ceiling in bench-server. */
void api_livez(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    buf_puts(&rp->body, "ok\n");
    rp->content_type = "text/plain; charset=utf-8";
}

void api_healthz(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    buf_puts(&rp->body, "ok\n");
    rp->content_type = "text/plain; charset=utf-8";
}

void api_status(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    struct query_env e = request_env(rq);
    struct status_answer s;
    if (query_status(&e, &s) < 0) {
        reply_error(rp, 500, "internal", "status failed");
        return;
    }
    json_t *counts = json_object();
    for (int i = 0; i < s.ncats; i++)
        json_object_set_new(counts, s.cats[i].slug, json_integer(s.cats[i].n));
    json_t *j = json_pack("{s:I,s:i,s:s?,s:o,s:I}", "data_version",
                          (json_int_t)s.data_version, "schema_version",
                          DB_SCHEMA_VERSION, "last_import",
                          s.last_import[0] ? s.last_import : NULL, "listings",
                          counts, "total", (json_int_t)s.total);
    reply_json_text(rp, json_dumps(j, JW_DUMP_FLAGS), "application/json");
    json_decref(j);
    reply_cacheable(rq, rp, 0);
}

struct writing {
    struct jw w;
    long n;
};

static int write_one(const struct row *r, void *arg)
{
    struct writing *wr = arg;
    if (wr->n++)
        jw_raw(&wr->w, ",");
    feature_write(&wr->w, r, NULL);
    return wr->w.err;
}

void api_listings_geojson(struct request *rq, struct reply *rp)
{
    char cats[300];
    double bb[4];
    int has_cat = param_categories(rq, rp, "category", cats, sizeof cats);
    int has_bbox = has_cat < 0 ? -1 : param_bbox(rq, rp, "bbox", bb);
    if (has_cat < 0 || has_bbox < 0 || reject_unknown_params(rq, rp))
        return;
    struct query_env e = request_env(rq);
    struct writing wr = {.w = {.b = &rp->body}};
    jw_raw(&wr.w, "{\"type\":\"FeatureCollection\",\"features\":[");
    int rc = query_listings(&e, has_cat ? cats : NULL, has_bbox ? bb : NULL,
                            write_one, &wr);
    jw_raw(&wr.w, "]}");
    if (rc == ERR_TOOBIG || rc == ERR_NOMEM || wr.w.err) {
        reply_error(rp, 413, "too_large",
                    "too many listings for one answer: use bbox or category");
        return;
    }
    if (rc < 0) {
        reply_error(rp, 500, "internal", "query failed");
        return;
    }
    rp->content_type = "application/geo+json";
    reply_cacheable(rq, rp, 300);
}

bool listings_parse_path(const char *path, long long *id)
{
    static const char prefix[] = "/api/listings/";
    if (strncmp(path, prefix, strlen(prefix)) != 0)
        return false;
    const char *idtext = path + strlen(prefix);
    char *end;
    /* Digits only: strtoll() would also take " 5" and "+5". */
    if (!isdigit((unsigned char)*idtext))
        return false;
    errno = 0;
    *id = strtoll(idtext, &end, 10);
    return end != idtext && !*end && errno == 0 && *id > 0;
}

void api_listing(struct request *rq, struct reply *rp)
{
    long long id;
    if (!listings_parse_path(rq->path, &id)) {
        reply_error(rp, 404, "not_found", "no listing with this id");
        return;
    }
    if (reject_unknown_params(rq, rp))
        return;
    struct query_env e = request_env(rq);
    struct rows rows;
    rows_init(&rows);
    int rc = query_listing(&e, id, &rows);
    if (rc == ERR_NOTFOUND)
        reply_error(rp, 404, "not_found", "no listing with id %lld", id);
    else if (rc < 0)
        reply_error(rp, 500, "internal", "query failed");
    if (rc < 0) {
        rows_free(&rows);
        return;
    }
    struct jw w = {.b = &rp->body};
    feature_write(&w, &rows.v[0], NULL);
    rows_free(&rows);
    reply_written(rq, rp, 0, w.err, "listing", "application/geo+json", 60);
}
