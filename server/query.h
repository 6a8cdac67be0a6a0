/* query.h - the directory's questions as functions: each takes its
 * parameters and the request's snapshot and returns rows (row.h). The
 * JSON handlers (api_*.c), the page and the widget (page.c, render.c)
 * call them; none of them runs another handler, and nothing is written
 * as text to be parsed back.
 * Ownership: answers own their rows; the *_free() functions release
 * them. Parameters are borrowed. Every function returns 0 or an ERR_*
 * (ERR_DB, ERR_NOMEM), leaving a valid, possibly partial, answer. */
#ifndef AMO_QUERY_H
#define AMO_QUERY_H

#include <stdbool.h>

#include "row.h"

struct store;
struct snapshot;
struct gazetteer;
struct gaz_commune;
struct situations;
struct situation;

/* What every query reads: the request's read transaction and the
 * snapshot of its data version. */
struct query_env {
    struct store *store;
    struct snapshot *snap;
    const struct gazetteer *gaz;
    const struct situations *sits; /* data/situations, or NULL */
    bool fts5_search; /* rank in SQL with FTS5's bm25 (the reference) */
};

/* ---- nearest (queries.c) --------------------------------------------------
 */

#define NEAREST_MAX 50

struct nearest_params {
    double lat, lon, max_m;
    long limit;       /* 1..NEAREST_MAX */
    const char *cats; /* ",amo,cpas," or NULL for every category */
    int age;          /* -1: any */
};

/* The listings nearest the point, nearest first, each with distance_m. */
int query_nearest(const struct query_env *e, const struct nearest_params *p,
                  struct rows *out);

/* ---- listings (queries.c) -------------------------------------------------
 */

/* The listing 'id' appended to 'out'; ERR_NOTFOUND when there is none. */
int query_listing(const struct query_env *e, long long id, struct rows *out);

/* Call 'fn' for every listing of the categories 'cats' (or all), within
 * 'bbox' (min lon, min lat, max lon, max lat; or NULL), in id order. The
 * row passed is valid for the call only. Stops at the first non-zero
 * return of 'fn', which it returns. */
int query_listings(const struct query_env *e, const char *cats,
                   const double *bbox, int (*fn)(const struct row *, void *),
                   void *arg);

/* The listings of category 'slug' by name (then id), 'limit' of them
 * after 'offset', appended to 'out' (through the (category, name)
 * index: a few rows read, however large the category). */
int query_by_name(const struct query_env *e, const char *slug, long limit,
                  long offset, struct rows *out);

/* What OGC API items are filtered on (queryables, api_ogc.c). */
struct page_filter {
    const double *bbox; /* min lon, min lat, max lon, max lat, or NULL */
    int age;            /* listings whose age range holds it (or that have
                         * none, as /api/nearest); -1: any */
    const char *nis;    /* located in that municipality, or NULL */
};

/* One page of the listings of category 'cat' that pass 'f', in id order,
 * and how many match in all (OGC API items). */
int query_page(const struct query_env *e, const char *cat,
               const struct page_filter *f, long limit, long offset,
               long long *matched, struct rows *out);

/* The categories table: slugs, labels in each language, colours. */
#define QUERY_MAX_CATEGORIES 32
struct categories_answer {
    int n;
    struct {
        char slug[32];
        char label[3][128]; /* fr, nl, en; "" when not given */
        char color[8];      /* "#rrggbb", a grey when not given */
    } c[QUERY_MAX_CATEGORIES];
};
int query_categories(const struct query_env *e, struct categories_answer *out);

/* The size of the directory. */
struct status_answer {
    long long data_version, total;
    char last_import[32]; /* "" when unknown */
    int ncats;
    struct {
        char slug[32];
        long long n;
    } cats[32];
};
int query_status(const struct query_env *e, struct status_answer *out);

/* ---- communes (communes.c) ------------------------------------------------
 */

/* Where a visitor is: a municipality and the point to measure from. */
struct place {
    const struct gaz_commune *commune;
    double lat, lon;
    char postcode[5]; /* "" unless located by a postcode */
};

/* 'text' as a visitor types it (a postcode, a NIS code, a municipality's
 * French or Dutch name, a place such as "Jambes") as a place. False when
 * nothing matches. The point is the postcode's or place's centroid, else
 * a point inside the municipality. */
bool query_locate(const struct gazetteer *gaz, const char *text,
                  struct place *out);
/* The place of a point (its municipality by point in polygon). */
bool query_locate_point(const struct gazetteer *gaz, double lat, double lon,
                        struct place *out);

#define COMMUNE_NEAREST 3 /* named when none serves the commune */
#define COMMUNE_MAX_NOTICES 4

/* Who serves a municipality. Each served list is empty when the
 * directory knows none; then the matching *_nearest names the nearest
 * (basis "nearest", distance_m from the place's point), and a notice
 * (French) says so. The CPAS is never guessed: the competent one is the
 * commune's own. */
struct commune_answer {
    struct place place;
    struct rows cpas, amo, sdj, planning; /* basis territory / located_here */
    struct rows amo_nearest, sdj_nearest, planning_nearest;
    int nnotices;
    char notices[COMMUNE_MAX_NOTICES][300];
};
/* 'limit': at most that many of each kind serving the commune (-1: all,
 * as the competence answer lists them). */
int query_commune(const struct query_env *e, const struct place *where,
                  long limit, struct commune_answer *out);
void commune_answer_free(struct commune_answer *a);

/* ---- search (search.c) -----------------------------------------------------
 */

#define SEARCH_MAX 50
#define SEARCH_MAX_OFFSET 1000
#define SEARCH_MAX_QUERY 200 /* bytes */
#define SEARCH_MAX_TERMS 8

struct search_params {
    const char *q;    /* at most SEARCH_MAX_QUERY bytes */
    const char *cats; /* ",amo," or NULL */
    bool has_near;
    double lat, lon;
    long limit, offset;
};

#define SEARCH_MAX_SITUATIONS 2

struct search_answer {
    struct rows rows; /* each with matched, fuzzy (and distance_m) */
    int nterms;       /* the query's words, folded */
    char terms[SEARCH_MAX_TERMS][48];
    char named[64]; /* categories the words named (",cpas,"), or "" */
    /* The situations the words name ("je me dispute avec mes parents"),
     * best first: then the rows are the services of their kinds near
     * the place the words name ("contraception namur") or 'near'. */
    int nsituations;
    const struct situation *situations[SEARCH_MAX_SITUATIONS];
    bool located;
    struct place place;
};
int query_search(const struct query_env *e, const struct search_params *p,
                 struct search_answer *out);

/* The services of a situation's kinds, in its order, for a visitor at
 * 'where' (NULL: unknown): for each kind the ones that serve the commune
 * first (the competent CPAS, the AMO whose territory covers it), then
 * the nearest (an AMO open day and night for "amo-24h"); without a
 * place, the kind's listings by name. 'cats' (",amo,") keeps only those
 * categories. At most 'limit' rows, each once. */
int query_situation(const struct query_env *e, const struct situation *sit,
                    const struct place *where, const char *cats, long limit,
                    struct rows *out);
void search_answer_free(struct search_answer *a);

#endif
