/* test_install.c - make install with DESTDIR into a scratch tree, then the
 * installed programs run from there against the shipped data: what an
 * operator or the Debian package gets (docs/deploy.md). */
#include "support.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server_proc.h"

static struct {
    char *dir;      /* the scratch directory */
    char root[512]; /* DESTDIR */
    char share[600];
    int install_rc;
    char *install_out;
} E;

static int setup(void **state)
{
    (void)state;
    E.dir = scratch_new();
    snprintf(E.root, sizeof E.root, "%s/root", E.dir);
    snprintf(E.share, sizeof E.share, "%s/usr/share/amo-annuaire", E.root);
    /* The same BUILD and BIN as the run (make asan's objects under ASan);
     * the objects are built already: install compiles the three mains
     * again, with the installed paths. */
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    E.install_rc = run(&E.install_out,
                       "make --no-print-directory BUILD='%s' BIN='%s' "
                       "DESTDIR='%s' PREFIX=/usr install 2>&1",
                       build, bin_dir(), E.root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(E.install_out);
    scratch_free(E.dir);
    return 0;
}

static const char *installed(const char *rel)
{
    static char p[4][1024];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s%s", E.root, rel);
    return p[i];
}

static bool is_file(const char *path, mode_t want)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           (st.st_mode & want) == want;
}

static void make_install_puts_every_file_in_place(void **state)
{
    (void)state;
    if (E.install_rc != 0)
        fail_msg("make install: %s", E.install_out);
    static const char *const exe[] = {
        "/usr/bin/amo-import", "/usr/bin/amo-export", "/usr/sbin/amo-server"};
    for (size_t i = 0; i < sizeof exe / sizeof *exe; i++)
        if (!is_file(installed(exe[i]), S_IXUSR | S_IXOTH))
            fail_msg("not installed as a program: %s", exe[i]);
    static const char *const files[] = {
        "/usr/share/man/man1/amo-import.1",
        "/usr/share/man/man1/amo-export.1",
        "/usr/share/man/man8/amo-server.8",
        "/usr/share/amo-annuaire/web/index.html",
        "/usr/share/amo-annuaire/web/embed.html",
        "/usr/share/amo-annuaire/web/app.js",
        "/usr/share/amo-annuaire/web/favicon.ico",
        "/usr/share/amo-annuaire/web/vendor/maplibre-gl.js",
        "/usr/share/amo-annuaire/data/gazetteer/be-postcodes.csv",
        "/usr/share/amo-annuaire/data/gazetteer/be-municipalities.geojson",
        "/usr/share/amo-annuaire/data/situations/situations.json",
        "/usr/share/amo-annuaire/data/listings/amo.csv",
        "/usr/share/amo-annuaire/data/listings/amo-evidence.md"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (!is_file(installed(files[i]), S_IRUSR | S_IROTH))
            fail_msg("not installed readable: %s", files[i]);
    /* the icons' source is not a file the page serves */
    assert_false(is_file(installed("/usr/share/amo-annuaire/web/icons/"
                                   "make-icons.py"),
                         0));
}

/* Nothing compiled against the build tree: no installed program holds
 * this checkout's path (not even in its debug information), and their
 * defaults are the installed directories. */
static void installed_programs_name_no_build_path(void **state)
{
    (void)state;
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    static const char *const exe[] = {
        "/usr/bin/amo-import", "/usr/bin/amo-export", "/usr/sbin/amo-server"};
    for (size_t i = 0; i < sizeof exe / sizeof *exe; i++) {
        size_t n = 0;
        char *bytes = read_file(installed(exe[i]), &n);
        assert_non_null(bytes);
        if (memmem(bytes, n, cwd, strlen(cwd)))
            fail_msg("%s holds the build tree's path %s", exe[i], cwd);
        assert_non_null(memmem(bytes, n, "/usr/share/amo-annuaire/data",
                               strlen("/usr/share/amo-annuaire/data")));
        assert_non_null(memmem(bytes, n, "/var/lib/amo-annuaire/amo.db",
                               strlen("/var/lib/amo-annuaire/amo.db")));
        free(bytes);
    }
    /* The default gazetteer is the installed one: absent on this machine
     * (installed under DESTDIR), so the check names it. */
    char *out = NULL;
    int rc = run(&out, "'%s' --check 2>&1", installed("/usr/sbin/amo-server"));
    assert_int_equal(rc, 3);
    assert_non_null(strstr(out, "/usr/share/amo-annuaire/data/gazetteer"));
    free(out);
}

/* mdoc that groff reads without a warning (lintian runs man's own). */
static void man_pages_are_clean_mdoc(void **state)
{
    (void)state;
    static const char *const pages[] = {"/usr/share/man/man1/amo-import.1",
                                        "/usr/share/man/man1/amo-export.1",
                                        "/usr/share/man/man8/amo-server.8"};
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        char *out = NULL;
        int rc = run(&out, "groff -mdoc -ww -z -Tutf8 '%s' 2>&1",
                     installed(pages[i]));
        if (rc != 0 || (out && out[0]))
            fail_msg("%s: %s", pages[i], out ? out : "");
        free(out);
        rc = run(&out, "groff -mdoc -Tutf8 -P-cbou '%s' 2>/dev/null",
                 installed(pages[i]));
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, "EXIT STATUS"));
        free(out);
    }
}

/* The installed importer loads the installed listings, and the installed
 * server serves them with the installed page: the page, each file it
 * links to, the API and a tile. */
static void installed_server_serves_the_shipped_data(void **state)
{
    (void)state;
    char db[700], data[700], extra[4096];
    snprintf(db, sizeof db, "%s/amo.db", E.dir);
    snprintf(data, sizeof data, "%s/data", E.share);
    char *out = NULL;
    int rc = run(&out,
                 "'%s' --quiet --data '%s/gazetteer' --db '%s' --prune "
                 "'%s'/listings/*.csv 2>&1",
                 installed("/usr/bin/amo-import"), data, db, data);
    if (rc != 0)
        fail_msg("installed amo-import: %s", out);
    free(out);
    snprintf(extra, sizeof extra,
             "--web '%s/web' --data '%s/gazetteer' "
             "--situations '%s/situations/situations.json'",
             E.share, data, data);
    struct server_proc srv;
    server_start_program(&srv, installed("/usr/sbin/amo-server"), db, extra);
    struct http_answer a;
    http_get(&srv, "/", &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "Agora Jeunes"));
    /* every file the page links to: src="/..." and href="/..." */
    int files = 0;
    for (const char *p = a.body; (p = strstr(p, "=\"/")) != NULL; p += 3) {
        if (strncmp(p - 3, "src", 3) != 0 && strncmp(p - 4, "href", 4) != 0)
            continue;
        const char *end = strchr(p + 2, '"');
        char path[512];
        size_t n = (size_t)(end - (p + 2));
        if (!end || n >= sizeof path || p[3] == '?' || p[3] == '#' ||
            p[3] == '"')
            continue;
        memcpy(path, p + 2, n);
        path[n] = '\0';
        if (!strchr(path, '.')) /* a page or an API link, not a file */
            continue;
        for (char *q = strstr(path, "&amp;"); q; q = strstr(q, "&amp;"))
            memmove(q + 1, q + 5, strlen(q + 5) + 1);
        struct http_answer f;
        http_get(&srv, path, &f);
        if (f.status != 200)
            fail_msg("the page links to %s: %ld", path, f.status);
        http_answer_free(&f);
        files++;
    }
    assert_true(files >= 4); /* app.js, app.css, categories.css, favicon */
    http_answer_free(&a);
    http_get(&srv, "/api/nearest?lat=50.8467&lon=4.3525&limit=3", &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body, "\"features\""));
    http_answer_free(&a);
    http_get(&srv, "/vendor/maplibre-gl.js", &a);
    assert_int_equal(a.status, 200);
    http_answer_free(&a);
    http_get(&srv, "/tiles/basemap/7/65/43.mvt", &a);
    assert_int_equal(a.status, 200);
    http_answer_free(&a);
    assert_int_equal(server_stop(&srv, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(make_install_puts_every_file_in_place),
        cmocka_unit_test(installed_programs_name_no_build_path),
        cmocka_unit_test(man_pages_are_clean_mdoc),
        cmocka_unit_test(installed_server_serves_the_shipped_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
