/* communes.c - where a visitor is, and who serves that municipality (see
 * query.h). The CPAS of the commune of residence is the competent one;
 * AMO and SDJ serve the communes of their territory; AMO and planning
 * centres also serve the commune they sit in when no territory is known.
 * Where the directory knows no one, the nearest are named as the
 * nearest, never as the competent ones. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "gazetteer.h"
#include "query.h"
#include "snapshot.h"
#include "store.h"
#include "text.h"

static bool from_postcode(const struct gazetteer *gaz,
                          const struct gaz_postcode *pc, struct place *out)
{
    if (!pc)
        return false;
    out->commune = gaz_commune_at(gaz, pc->lat, pc->lon);
    out->lat = pc->lat;
    out->lon = pc->lon;
    return out->commune != NULL;
}

bool query_locate(const struct gazetteer *gaz, const char *text,
                  struct place *out)
{
    memset(out, 0, sizeof *out);
    if (text_digits(text, 4)) {
        snprintf(out->postcode, sizeof out->postcode, "%s", text);
        return from_postcode(gaz, gaz_postcode(gaz, text, NULL), out);
    }
    const struct gaz_commune *c = text_digits(text, 5)
                                      ? gaz_commune_by_nis(gaz, text)
                                      : gaz_commune_by_name(gaz, text);
    if (c) {
        /* a point inside, near the centroid */
        out->commune = c;
        out->lat = c->in_lat;
        out->lon = c->in_lon;
        return true;
    }
    return !text_digits(text, 5) &&
           from_postcode(gaz, gaz_place_by_name(gaz, text), out);
}

bool query_locate_point(const struct gazetteer *gaz, double lat, double lon,
                        struct place *out)
{
    memset(out, 0, sizeof *out);
    out->commune = gaz_commune_at(gaz, lat, lon);
    out->lat = lat;
    out->lon = lon;
    return out->commune != NULL;
}

/* Listings of 'category' serving 'nis': by territory, and (located_too)
 * those located in the commune without a known territory. */
static int serving(const struct query_env *e, const char *category,
                   const char *nis, bool located_too, long limit,
                   struct rows *out)
{
    /* Two indexed halves, the territory's primary key first and (nis,
     * category), not one join from the category: that read every
     * listing of the category, a quarter of a million at 1M. Without
     * statistics the planner prefers (category, name) to spare the sort,
     * so the plan is spelt out (CROSS JOIN keeps the order, INDEXED BY
     * the index). */
    static const char sql[] =
        "SELECT " ROW_COLUMNS ", 'territory' FROM listing_territory t"
        " CROSS JOIN listings l ON l.id = t.listing_id"
        " WHERE t.nis = ?2 AND l.category = ?1"
        " UNION ALL"
        " SELECT " ROW_COLUMNS ", 'located_here' FROM listings l"
        " INDEXED BY listings_nis_category WHERE ?3 AND l.nis = ?2 AND "
        "l.category = ?1"
        "  AND (l.territory IS NULL OR l.territory = '')"
        "  AND NOT EXISTS (SELECT 1 FROM listing_territory t"
        "   WHERE t.nis = ?2 AND t.listing_id = l.id)"
        " ORDER BY 3 LIMIT ?4";
    sqlite3_stmt *st = store_prepare(e->store, sql);
    if (!st)
        return ERR_DB;
    sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nis, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, located_too);
    sqlite3_bind_int64(st, 4, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct row *r = rows_add(out, st, 0);
        if (!r) {
            sqlite3_reset(st);
            return ERR_NOMEM;
        }
        r->basis = strcmp((const char *)sqlite3_column_text(st, ROW_NCOLUMNS),
                          "territory") == 0
                       ? "territory"
                       : "located_here";
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ERR_DB;
}

/* The 'k' listings of 'category' nearest the place, named as such. */
static int nearest_of(const struct query_env *e, const char *category,
                      const struct place *p, long k, struct rows *out)
{
    char cats[48];
    snprintf(cats, sizeof cats, ",%s,", category);
    struct nearest_params np = {.lat = p->lat,
                                .lon = p->lon,
                                .max_m = 1e7,
                                .limit = k,
                                .cats = cats,
                                .age = -1};
    size_t before = out->n;
    int rc = query_nearest(e, &np, out);
    for (size_t i = before; i < out->n; i++)
        out->v[i].basis = "nearest";
    return rc;
}

static void notice(struct commune_answer *a, const char *text)
{
    if (a->nnotices < COMMUNE_MAX_NOTICES)
        snprintf(a->notices[a->nnotices++], sizeof a->notices[0], "%s", text);
}

int query_commune(const struct query_env *e, const struct place *where,
                  long limit, struct commune_answer *a)
{
    const struct gaz_commune *c = where->commune;
    struct rows *all[] = {&a->cpas,
                          &a->amo,
                          &a->sdj,
                          &a->planning,
                          &a->amo_nearest,
                          &a->sdj_nearest,
                          &a->planning_nearest};
    memset(a, 0, sizeof *a);
    a->place = *where;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        rows_init(all[i]);
    int rc = serving(e, "cpas", c->nis, false, limit, &a->cpas);
    rows_truncate(&a->cpas, 1); /* one CPAS per commune */
    if (rc == 0 && a->cpas.n == 0) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "Le CPAS compétent est celui de la commune de résidence "
                 "(%s), mais il n'est pas encore dans l'annuaire.",
                 c->name_fr);
        notice(a, msg);
    }
    if (rc == 0)
        rc = serving(e, "sdj", c->nis, false, limit, &a->sdj);
    if (rc == 0)
        rc = serving(e, "amo", c->nis, true, limit, &a->amo);
    if (rc == 0)
        rc = serving(e, "planning", c->nis, true, limit, &a->planning);
    if (rc == 0 && a->sdj.n == 0) {
        notice(a, "Aucune antenne du Service Droit des Jeunes n'est encore "
                  "liée à cette commune dans l'annuaire ; la plus proche est "
                  "indiquée.");
        rc = nearest_of(e, "sdj", where, 1, &a->sdj_nearest);
    }
    if (rc == 0 && a->amo.n == 0) {
        notice(a, "Aucune AMO de l'annuaire ne couvre cette commune ni ne "
                  "s'y trouve ; les plus proches sont indiquées.");
        rc = nearest_of(e, "amo", where, COMMUNE_NEAREST, &a->amo_nearest);
    }
    if (rc == 0 && a->planning.n == 0) {
        notice(a, "Aucun centre de planning familial de l'annuaire ne se "
                  "trouve dans cette commune ; les plus proches sont "
                  "indiqués.");
        rc = nearest_of(e, "planning", where, COMMUNE_NEAREST,
                        &a->planning_nearest);
    }
    return rc;
}

void commune_answer_free(struct commune_answer *a)
{
    struct rows *all[] = {&a->cpas,
                          &a->amo,
                          &a->sdj,
                          &a->planning,
                          &a->amo_nearest,
                          &a->sdj_nearest,
                          &a->planning_nearest};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        rows_free(all[i]);
}
