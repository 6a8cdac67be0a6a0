/* fields.h - from a raw record to a validated listing: column names are
 * matched case- and accent-insensitively in French, Dutch and English,
 * values are checked, coordinates converted and the listing attached to
 * its municipality.
 * Ownership: a field_mapper caches column matches for one input; the
 * caller frees it with fields_mapper_free(). Problems are copied into the
 * caller's struct problems. */
#ifndef AMO_FIELDS_H
#define AMO_FIELDS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "gazetteer.h"
#include "listing.h"
#include "record.h"

struct crs;
struct geocoder;

#define PROBLEMS_MAX 8 /* reported per record; the rest are counted */

/* What is wrong with one record: "field: reason" lines. */
struct problems {
    char msg[PROBLEMS_MAX][320];
    int n;       /* stored */
    int dropped; /* beyond PROBLEMS_MAX */
};

/* Categories known to the database, with their folded labels. */
struct categories {
    size_t n;
    char slug[32][32];
    char key[32][3][64];
};

/* What every record of one input shares. */
struct fields_ctx {
    const struct gazetteer *gaz;
    struct crs *crs;
    struct geocoder *geocoder; /* NULL: gazetteer only */
    const struct categories *cats;
    const char *default_category; /* --category, or NULL */
    int epsg;                     /* --crs or the file's crs member, or 0 */
    const char *input_url;        /* source_url when a record has none */
    bool warned_crs;              /* the guessed CRS was announced */
};

struct field_mapper;

/* Load the categories table. Returns 0 or ERR_DB. */
int fields_load_categories(sqlite3 *db, struct categories *cats);
/* Match 'text' ("AMO", "Planning familial", "cpas") to a category slug;
 * NULL when unknown. */
const char *fields_category(const struct categories *cats, const char *text);

struct field_mapper *fields_mapper_new(void);
void fields_mapper_free(struct field_mapper *m);
/* Column names of the last record that match no field (for a note to the
 * user), written comma-separated into 'out'. */
void fields_unused(const struct field_mapper *m, char *out, size_t outsz);

/* Fill 'out' (initialised by the caller) from 'rec'. Returns true when the
 * listing is valid; otherwise 'p' lists why, field by field. */
bool fields_convert(struct fields_ctx *ctx, struct field_mapper *m,
                    const struct record *rec, struct listing *out,
                    struct problems *p);

#endif
