/* load.h - write validated listings into the database: one transaction per
 * run, insert-or-update keyed on (source, source id), the full-text,
 * spatial and territory indexes kept in step, and the prune guard.
 * Ownership: loader_begin() returns a loader that holds the write
 * transaction; loader_end() commits or rolls back and frees it. */
#ifndef AMO_LOAD_H
#define AMO_LOAD_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "listing.h"

enum load_outcome { LOAD_ADDED, LOAD_CHANGED, LOAD_UNCHANGED };

/* Share of a source's listings --prune may remove without --force: a feed
 * cut short must not empty the map. */
#define PRUNE_GUARD_PERCENT 20

struct loader;

/* Start the run's write transaction (BEGIN IMMEDIATE, so two importers
 * queue instead of failing half-way). Returns 0 or ERR_DB. */
int loader_begin(sqlite3 *db, struct loader **out, char *msg, size_t msgsz);

/* Store 'l' for 'source'. Returns a load_outcome (>= 0), ERR_INVALID when
 * the same listing already came earlier in this run (msg names its line),
 * or ERR_DB. 'line' is remembered for that message. */
int loader_put(struct loader *ld, const char *source, const struct listing *l,
               long line, char *msg, size_t msgsz);

/* Called for each listing --prune removes (or would remove). */
typedef void (*loader_removed_fn)(const char *category, const char *name,
                                  void *arg);

/* Remove the listings of 'source' that this run did not put. Refuses with
 * ERR_GUARD (removing nothing) when that is more than PRUNE_GUARD_PERCENT
 * of the source's listings, unless 'force'. Returns the number removed
 * (>= 0) or an ERR_*. */
long loader_prune(struct loader *ld, const char *source, bool force,
                  loader_removed_fn fn, void *arg, char *msg, size_t msgsz);

/* Remember the HTTP validators of a URL source for the next run. */
int loader_set_validators(struct loader *ld, const char *url, const char *etag,
                          const char *last_modified, bool changed);
/* Record the run in the imports table and, when anything changed, bump
 * meta.data_version so servers know to drop their caches. */
int loader_log(struct loader *ld, const char *sources, long added, long changed,
               long unchanged, long removed, long invalid);

/* Commit (when 'commit') or roll back, then free. Returns 0 or ERR_DB. */
int loader_end(struct loader *ld, bool commit, char *msg, size_t msgsz);

#endif
