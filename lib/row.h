/* row.h - a listing as every query returns it: its stored fields, and
 * what the query adds (a distance, why it serves a commune, which words
 * of a search it matched). JSON (feature.c), the page's cards (the
 * server's render.c) and the exports are views of rows.
 * Ownership: a 'struct rows' owns its rows and their strings; rows_free()
 * releases them all. A row's strings stay valid until then. */
#ifndef AMO_ROW_H
#define AMO_ROW_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Columns every listing query selects, in this order (see row_read). */
#define ROW_COLUMNS                                                            \
    "l.id, l.category, l.name, l.description, l.street, l.postcode,"           \
    " l.commune, l.nis, l.lat, l.lon, l.position_source, l.phone, l.email,"    \
    " l.website, l.age_min, l.age_max, l.languages, l.opening_hours,"          \
    " l.themes, l.territory, l.source, l.source_url, l.source_id,"             \
    " l.verified_at, l.updated_at, l.source_date"
#define ROW_NCOLUMNS 26

/* The text fields of a row. */
enum row_field {
    R_CATEGORY,
    R_NAME,
    R_DESCRIPTION,
    R_STREET,
    R_POSTCODE,
    R_COMMUNE,
    R_NIS,
    R_POSITION_SOURCE,
    R_PHONE,
    R_EMAIL,
    R_WEBSITE,
    R_LANGUAGES, /* '|'-separated lists, as stored */
    R_OPENING_HOURS,
    R_THEMES,
    R_TERRITORY,
    R_SOURCE,
    R_SOURCE_URL,
    R_SOURCE_ID,
    R_VERIFIED_AT,
    R_UPDATED_AT,
    R_SOURCE_DATE,
    R_NSTR
};

#define ROW_NO_AGE (-1)
#define ROW_NO_DISTANCE (-1)
#define ROW_MAX_MATCHED 16

struct row {
    int64_t id;
    double lat, lon;       /* WGS84; NAN when not positioned */
    int age_min, age_max;  /* ROW_NO_AGE when not given */
    const char *s[R_NSTR]; /* NULL for SQL NULL */
    long long distance_m;  /* ROW_NO_DISTANCE when not measured */
    const char *basis;     /* why it serves a commune, or NULL */
    signed char fuzzy;     /* a search result: 0 or 1; -1 otherwise */
    int nmatched;          /* a search result's matched words */
    const char *matched[ROW_MAX_MATCHED];
    char *block; /* the strings above, in one allocation */
};

struct rows {
    struct row *v;
    size_t n, cap;
};

void rows_init(struct rows *r);
void rows_free(struct rows *r);
/* Append the row 'st' is on, reading ROW_COLUMNS from column 'first'.
 * Returns the new row, or NULL when memory is short ('r' unchanged). */
struct row *rows_add(struct rows *r, sqlite3_stmt *st, int first);
/* Append a copy of 'src' (its strings and what the query added).
 * Returns the copy, or NULL when memory is short ('r' unchanged). */
struct row *rows_copy(struct rows *r, const struct row *src);
/* Remove the rows from 'n' on. */
void rows_truncate(struct rows *r, size_t n);
/* The row of 'id', or NULL. */
const struct row *rows_find(const struct rows *r, int64_t id);
/* Set a search result's matched words (copied). Returns 0 or ERR_NOMEM. */
int row_set_matched(struct row *row, const char *const *words, int n);

/* The listings query the server's /api/listings.geojson and the
 * exporter share: every listing in id order, restricted by ?1 (categories
 * as ",amo,cpas,", or NULL), and for ROWS_SQL_BBOX to a box ?2..?5 (min
 * lon, min lat, max lon, max lat) through the R*Tree. */
#define ROWS_SQL                                                               \
    "SELECT " ROW_COLUMNS " FROM listings l"                                   \
    " WHERE (?1 IS NULL OR instr(?1, ',' || l.category || ',') > 0)"           \
    " ORDER BY l.id"
#define ROWS_SQL_BBOX                                                          \
    "SELECT " ROW_COLUMNS " FROM listings_rtree r"                             \
    " JOIN listings l ON l.id = r.id"                                          \
    " WHERE r.min_lon >= ?2 AND r.max_lon <= ?4 AND r.min_lat >= ?3"           \
    " AND r.max_lat <= ?5"                                                     \
    " AND (?1 IS NULL OR instr(?1, ',' || l.category || ',') > 0)"             \
    " ORDER BY l.id"

/* Run 'st' (ROWS_SQL, or ROWS_SQL_BBOX when 'bbox' is given) and call
 * 'fn' with each row, valid for the call only. Returns 0, the first
 * non-zero return of 'fn', ERR_NOMEM or ERR_DB; 'st' is reset. */
int rows_each(sqlite3_stmt *st, const char *cats, const double *bbox,
              int (*fn)(const struct row *, void *), void *arg);

/* True when a listing placed as 'position_source' says (as stored) sits
 * at a postcode's or commune's centre, not at a place its source gave:
 * its distances are approximate, and the map draws it so. */
bool row_pos_approx(const char *position_source);
/* row_pos_approx() of the row's position_source. */
bool row_approx(const struct row *row);

#endif
