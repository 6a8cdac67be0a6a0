/* support.h - helpers shared by the test programs: scratch directories,
 * running our binaries, reading results back from SQLite.
 * Ownership: returned strings are heap copies the caller frees. */
#ifndef AMO_TEST_SUPPORT_H
#define AMO_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four headers above, so it stays in a block of its
 * own (clang-format sorts includes within a block). */
#include <cmocka.h>

/* A fresh directory under $TMPDIR, removed by scratch_free(). */
char *scratch_new(void);
void scratch_free(char *dir);
/* "dir/name" in a static rotating buffer. */
const char *path_in(const char *dir, const char *name);
/* Write 'len' bytes (or strlen when len is (size_t)-1) to 'path'. */
void write_file(const char *path, const char *data, size_t len);
/* The whole file, NUL-terminated, its length in *len; NULL if unreadable.
 * The caller frees it. */
char *read_file(const char *path, size_t *len);
/* The directory of our programs ($BIN, default "bin"). */
const char *bin_dir(void);
/* Run a shell command, capturing stdout and stderr together into *out
 * (may be NULL). Returns the exit status, or -1 if it did not exit. */
int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run amo-import with 'args' on database 'db'; output into *out. */
int import(char **out, const char *db, const char *args);
/* A new scratch directory holding amo.db with the shipped listings
 * (every CSV of data/listings) imported; the database's path goes into 'db'
 * (PATH_MAX bytes). Fails the test when the import does. */
char *scratch_with_shipped_db(char *db, size_t dbsz);
/* First column of the first row of 'sql' on 'db' as integer / text
 * ("" for NULL or no row). */
long long db_int(const char *db, const char *sql);
char *db_text(const char *db, const char *sql);
/* Assert that 'haystack' contains 'needle', printing both when not. */
#define assert_contains(haystack, needle)                                      \
    do {                                                                       \
        const char *h_ = (haystack);                                           \
        if (!h_ || !strstr(h_, (needle)))                                      \
            fail_msg("expected to find \"%s\" in:\n%s", (needle),              \
                     h_ ? h_ : "(null)");                                      \
    } while (0)

#endif
