/* test_kill.c - killing the importer with SIGKILL at any moment leaves the
 * database exactly as it was: same listings, indexes intact. Uses
 * SYNTHETIC listings from bench/gen-listings so the import runs long
 * enough to be killed mid-way. */
#include "support.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SYNTHETIC_ROWS 150000

static void sleep_ms(long ms)
{
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
}

static void expect_intact(const char *db, long long listings, long long ver)
{
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings"), listings);
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings_rtree"),
                     listings);
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings_fts"), listings);
    assert_int_equal(db_int(db, "SELECT value FROM meta"
                                " WHERE key = 'data_version'"),
                     ver);
    char *ok = db_text(db, "PRAGMA integrity_check");
    assert_string_equal(ok, "ok");
    free(ok);
}

static void kill_9_mid_import_changes_nothing(void **state)
{
    (void)state;
    char *dir = scratch_new();
    char db[4096], syn[4096], prog[4096];
    snprintf(db, sizeof db, "%s/amo.db", dir);
    snprintf(syn, sizeof syn, "%s/synthetic.csv", dir);
    snprintf(prog, sizeof prog, "%s/amo-import", bin_dir());
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    assert_int_equal(run(NULL, "%s/bench/gen-listings --count %d > '%s'", build,
                         SYNTHETIC_ROWS, syn),
                     0);
    assert_int_equal(import(NULL, db, "tests/fixtures/listings.csv"), 0);
    long long ver = db_int(db, "SELECT value FROM meta"
                               " WHERE key = 'data_version'");
    /* Early (parsing), middle (writing rows), late (building indexes or
     * committing): each kill must leave the four listings alone. */
    const long delays_ms[] = {150, 900, 2500};
    int killed_running = 0;
    for (size_t i = 0; i < sizeof delays_ms / sizeof *delays_ms; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            int devnull = open("/dev/null", 1);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execl(prog, prog, "--db", db, "--quiet", syn, (char *)NULL);
            _exit(127);
        }
        sleep_ms(delays_ms[i]);
        int st;
        if (waitpid(pid, &st, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            killed_running++;
        }
        waitpid(pid, &st, 0);
        expect_intact(db, 4, ver);
    }
    /* At least the early kills must have hit a running import. */
    assert_true(killed_running >= 2);
    /* The database still takes the whole import afterwards. */
    char args[4200];
    snprintf(args, sizeof args, "--quiet '%s'", syn);
    assert_int_equal(import(NULL, db, args), 0);
    expect_intact(db, SYNTHETIC_ROWS + 4, ver + 1);
    scratch_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kill_9_mid_import_changes_nothing),
    };
    return cmocka_run_group_tests_name("kill", tests, NULL, NULL);
}
