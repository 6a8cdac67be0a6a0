/* source.h - every positioned listing of a database, in memory, for the
 * exporter: id order, with the properties the listings tiles carry.
 * Ownership: source_load() returns a source the caller frees with
 * source_free(); its strings live in its own arena. */
#ifndef AMO_EXPORT_SOURCE_H
#define AMO_EXPORT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "tileset.h"

struct source_listing {
    uint64_t id;
    double lat, lon;
    const char *name, *category, *commune; /* commune may be NULL */
    uint8_t cat; /* index in the source's category numbering */
    bool approx; /* at a postcode's or commune's centre (tileset.h) */
};

struct source {
    struct source_listing *v; /* sorted by id */
    size_t n;
    struct tileset_cats cats;
    double bounds[4]; /* min lon, min lat, max lon, max lat */
    char **arena;     /* blocks holding the strings */
    size_t narena;
};

/* Read the listings of 'db' (a read transaction is opened and closed
 * here, so the export sees one snapshot). Returns 0, ERR_NOMEM or ERR_DB
 * with SQLite's message in 'msg'. */
int source_load(sqlite3 *db, struct source **out, char *msg, size_t msgsz);
void source_free(struct source *s);
/* The listing with this id, or NULL. */
const struct source_listing *source_find(const struct source *s, uint64_t id);

#endif
