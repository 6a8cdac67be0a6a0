/* test_replace.c - a database file replaced by another (a new file renamed
 * over it) while amo-server serves it, right after an import: the server
 * must serve the new file, and the file must read intact. Found by
 * tests/faults.sh (phase d): the import left its committed pages in the
 * WAL (the server's open connections keep the importer from being the last
 * to close, so nothing checkpointed it), and the new file was read through
 * the old file's WAL: "database disk image is malformed" and 500s. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_proc.h"

static void renamed_over_after_an_import_reads_intact(void **state)
{
    (void)state;
    char *dir = scratch_new();
    char db[4096], fresh[4096];
    snprintf(db, sizeof db, "%s/amo.db", dir);
    snprintf(fresh, sizeof fresh, "%s/new.db", dir);
    assert_int_equal(import(NULL, db, "tests/fixtures/listings.csv"), 0);
    /* The replacement: built apart, with other sources. */
    assert_int_equal(
        import(NULL, fresh, "--source new tests/fixtures/listings.geojson"), 0);
    assert_int_equal(
        import(NULL, fresh,
               "--source other --category cpas data/listings/cpas.csv"),
        0);
    long long want = db_int(fresh, "SELECT count(*) FROM listings");

    struct server_proc s;
    struct http_answer a;
    server_start(&s, db, "--threads 1");
    http_get(&s, "/api/status", &a); /* the server's connection is open */
    assert_int_equal(a.status, 200);
    http_answer_free(&a);
    /* An import while the server reads: its commit goes to the WAL. */
    assert_int_equal(
        import(NULL, db, "--source more tests/fixtures/listings.ndjson"), 0);
    assert_int_equal(run(NULL, "mv '%s' '%s'", fresh, db), 0);

    /* The server serves the new file, after at most a few 503s while its
     * connections to the old one close; never a 500, never old data. */
    char total[64];
    snprintf(total, sizeof total, "\"total\":%lld", want);
    long status = 503;
    for (int i = 0; i < 50 && status == 503; i++) {
        http_get(&s, "/api/status", &a);
        status = a.status;
        if (status == 200)
            assert_contains(a.body, total);
        http_answer_free(&a);
    }
    assert_int_equal(status, 200);
    assert_int_equal(server_stop(&s, NULL), 0);
    /* And the file reads intact once nothing has the old one open. */
    char *ok = db_text(db, "PRAGMA integrity_check");
    assert_string_equal(ok, "ok");
    free(ok);
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings"), want);
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings_fts"), want);
    scratch_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renamed_over_after_an_import_reads_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
