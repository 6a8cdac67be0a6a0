/* test_server.c - bin/amo-server on loopback with the shipped directory:
 * every route, every bad input, caching and encoding, traversal, OGC API
 * Features through GDAL, GeoJSON checked by GDAL, exact nearest against a
 * brute-force scan, reload after an import, 503, privacy and SIGTERM. */
#include "support.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "geo.h"
#include "mvt.h"
#include "server_proc.h"
#include <curl/curl.h>

static struct shipped_server E;

static int group_setup(void **state)
{
    shipped_server_start(&E);
    *state = &E;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    shipped_server_stop(&E);
    return 0;
}

/* json_dumps() into a buffer freed at the next call (keeps asserts short
 * and LeakSanitizer quiet). */
static const char *dump(json_t *j)
{
    static char *last;
    free(last);
    last = json_dumps(j, 0);
    return last ? last : "";
}

static json_t *get_json(const char *path, long want_status)
{
    struct http_answer a;
    http_get(&E.srv, path, &a);
    if (a.status != want_status)
        fail_msg("GET %s: %ld, expected %ld\n%s", path, a.status, want_status,
                 a.body);
    json_error_t err;
    json_t *j = json_loads(a.body, 0, &err);
    if (!j)
        fail_msg("GET %s: not JSON (%s)", path, err.text);
    http_answer_free(&a);
    return j;
}

/* Save an answer and have GDAL read it: the independent GeoJSON check.
 * Returns the feature count GDAL reports. */
static long gdal_features(const char *path)
{
    struct http_answer a;
    http_get(&E.srv, path, &a);
    assert_int_equal(a.status, 200);
    char file[4200], *out;
    snprintf(file, sizeof file, "%s/answer.geojson", E.dir);
    write_file(file, a.body, a.len);
    http_answer_free(&a);
    if (run(&out, "ogrinfo -ro -al -so '%s'", file) != 0)
        fail_msg("GDAL cannot read %s:\n%s", path, out);
    const char *fc = strstr(out, "Feature Count: ");
    long n = fc ? atol(fc + strlen("Feature Count: ")) : -1;
    free(out);
    return n;
}

static void routes_answer_with_the_directory(void **state)
{
    (void)state;
    json_t *j = get_json("/api/status", 200);
    long long total = json_integer_value(json_object_get(j, "total"));
    assert_int_equal(total, db_int(E.db, "SELECT count(*) FROM listings"));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(j, "listings"), "cpas")),
                     db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                  " category = 'cpas'"));
    json_decref(j);
    j = get_json("/api/listings.geojson", 200);
    json_t *fs = json_object_get(j, "features");
    assert_int_equal(json_array_size(fs), total);
    /* RFC 7946: longitude first; Belgium has lon < lat. */
    json_t *c = json_object_get(
        json_object_get(json_array_get(fs, 0), "geometry"), "coordinates");
    assert_true(json_real_value(json_array_get(c, 0)) <
                json_real_value(json_array_get(c, 1)));
    json_decref(j);
    assert_int_equal(gdal_features("/api/listings.geojson"), total);
    assert_int_equal(gdal_features("/api/listings.geojson?category=sdj"),
                     db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                  " category='sdj'"));
    /* bbox: the Brussels region's extent holds its 19 CPAS. */
    j = get_json(
        "/api/listings.geojson?category=cpas&bbox=4.24,50.76,4.49,50.92", 200);
    assert_int_equal(json_array_size(json_object_get(j, "features")), 19);
    json_decref(j);
    /* One listing by id. */
    char path[128];
    snprintf(path, sizeof path, "/api/listings/%lld",
             db_int(E.db, "SELECT id FROM listings WHERE source_id ="
                          " 'cpas-21015'"));
    j = get_json(path, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "properties"), "name")),
                        "CPAS de Schaerbeek");
    json_decref(j);
    assert_int_equal(gdal_features(path), 1);
    json_decref(get_json("/api/listings/12345", 404));
    struct http_answer a;
    http_get(&E.srv, "/healthz", &a);
    assert_int_equal(a.status, 200);
    http_answer_free(&a);
    http_get(&E.srv, "/", &a);
    assert_int_equal(a.status, 200);
    assert_contains(http_header(&a, "Content-Type"), "text/html");
    assert_contains(a.body, "<html lang=\"fr\">");
    http_answer_free(&a);
    /* A shared link carries the page's state in its query string. */
    http_get(&E.srv, "/?q=schaerbeek&category=amo&utm_source=ecole", &a);
    assert_int_equal(a.status, 200);
    assert_contains(a.body, "<html lang=\"fr\">");
    http_answer_free(&a);
}

struct row {
    long long id;
    double d;
};

static int cmp_row(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    return a->d < b->d ? -1 : a->d > b->d;
}

/* The API's k nearest must equal a brute-force scan of the database;
 * GDAL validates the answer when 'gdal' is set. */
static void check_exact_nearest(double lat, double lon, const char *cat, int k,
                                bool gdal)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    struct row rows[2000];
    int n = 0;
    assert_int_equal(sqlite3_open_v2(E.db, &db, SQLITE_OPEN_READONLY, NULL), 0);
    sqlite3_prepare_v2(db,
                       "SELECT id, lat, lon FROM listings WHERE category=?1",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, cat, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && n < 2000) {
        rows[n].id = sqlite3_column_int64(st, 0);
        rows[n].d = geo_distance_m(lat, lon, sqlite3_column_double(st, 1),
                                   sqlite3_column_double(st, 2));
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    qsort(rows, (size_t)n, sizeof *rows, cmp_row);
    char path[256];
    snprintf(path, sizeof path,
             "/api/nearest?lat=%.5f&lon=%.5f&category=%s"
             "&limit=%d",
             lat, lon, cat, k);
    json_t *j = get_json(path, 200);
    json_t *fs = json_object_get(j, "features");
    assert_int_equal(json_array_size(fs), k < n ? k : n);
    for (size_t i = 0; i < json_array_size(fs); i++) {
        json_t *p = json_object_get(json_array_get(fs, i), "properties");
        long long dist = json_integer_value(json_object_get(p, "distance_m"));
        /* Same distance order as the scan (ties may swap ids). */
        if (llabs(dist - llround(rows[i].d)) > 1)
            fail_msg("%s #%zu: %lld m, brute force says %.0f m", path, i, dist,
                     rows[i].d);
    }
    json_decref(j);
    if (gdal)
        assert_int_equal(gdal_features(path), k < n ? k : n);
}

static void expect_exact_nearest(double lat, double lon, const char *cat, int k)
{
    check_exact_nearest(lat, lon, cat, k, true);
}

static void nearest_is_exact_in_town_countryside_and_border(void **state)
{
    (void)state;
    /* Grand-Place, Brussels (dense); Bouillon (rural Luxembourg, the
     * nearest AMO tens of km away); Aubange at the French and Luxembourg
     * border; a point at the Dutch border near Visé. */
    expect_exact_nearest(50.8467, 4.3525, "amo", 5);
    expect_exact_nearest(50.8467, 4.3525, "cpas", 10);
    expect_exact_nearest(49.7936, 5.0670, "amo", 3);
    expect_exact_nearest(49.5660, 5.8050, "cpas", 5);
    expect_exact_nearest(50.7480, 5.7000, "planning", 4);
    /* Points over Belgium's box and a little beyond (North Sea, France,
     * Germany), fixed sequence: the k-d tree's pruning must never drop
     * one of the k nearest, whatever the category's density. */
    static const char *const cats[] = {"amo", "cpas", "planning", "sdj"};
    unsigned seed = 20261123;
    for (int i = 0; i < 40; i++) {
        seed = seed * 1103515245u + 12345u;
        double lat = 49.3 + (seed >> 8) % 24000 / 10000.0;
        seed = seed * 1103515245u + 12345u;
        double lon = 2.3 + (seed >> 8) % 43000 / 10000.0;
        check_exact_nearest(lat, lon, cats[i % 4], 1 + i % 12, false);
    }
    /* Known answer: from Schaerbeek's town hall (Place Colignon) the
     * nearest AMO are the two of Schaerbeek, AMOS and AtMOsphères. */
    json_t *j = get_json("/api/nearest?lat=50.8672&lon=4.3779&category=amo"
                         "&limit=2",
                         200);
    const char *a0 = json_string_value(json_object_get(
        json_object_get(json_array_get(json_object_get(j, "features"), 0),
                        "properties"),
        "name"));
    assert_true(strcmp(a0, "AMOS") == 0 || strcmp(a0, "AtMOsphères") == 0);
    assert_contains(dump(j), "AtMOsph");
    assert_contains(dump(j), "\"AMOS\"");
    json_decref(j);
    j = get_json("/api/nearest?lat=49.7936&lon=5.0670&category=amo"
                 "&limit=1",
                 200);
    long long d = json_integer_value(json_object_get(
        json_object_get(json_array_get(json_object_get(j, "features"), 0),
                        "properties"),
        "distance_m"));
    assert_true(d > 10000); /* rural: no AMO within 10 km of Bouillon */
    json_decref(j);
    /* max_km bounds the answer; age keeps listings whose range holds it. */
    j = get_json("/api/nearest?lat=50.8467&lon=4.3525&max_km=0.01", 200);
    assert_int_equal(json_array_size(json_object_get(j, "features")), 0);
    json_decref(j);
    j = get_json("/api/nearest?lat=50.8467&lon=4.3525&category=amo&age=20"
                 "&limit=50",
                 200);
    json_t *fs = json_object_get(j, "features");
    assert_true(json_array_size(fs) > 0);
    for (size_t i = 0; i < json_array_size(fs); i++) {
        json_t *p = json_object_get(json_array_get(fs, i), "properties");
        json_t *mx = json_object_get(p, "age_max");
        assert_true(json_is_null(mx) || json_integer_value(mx) >= 20);
    }
    json_decref(j);
}

/* /api/nearest writes its features as text; they must be the very
 * features /api/listings/{id} builds with jansson, plus distance_m. */
static void nearest_features_equal_the_listing_features(void **state)
{
    (void)state;
    json_t *j = get_json("/api/nearest?lat=50.8467&lon=4.3525&limit=25", 200);
    json_t *fs = json_object_get(j, "features");
    assert_int_equal(json_array_size(fs), 25);
    for (size_t i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        json_t *p = json_object_get(f, "properties");
        assert_true(json_is_integer(json_object_get(p, "distance_m")));
        json_object_del(p, "distance_m");
        char path[64];
        snprintf(path, sizeof path, "/api/listings/%lld",
                 (long long)json_integer_value(json_object_get(f, "id")));
        json_t *one = get_json(path, 200);
        if (!json_equal(f, one))
            fail_msg("%s: nearest gives %s", path, dump(f));
        json_decref(one);
    }
    json_decref(j);
}

static json_t *search(const char *q, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "/api/search?%s", q);
    json_t *j = get_json(path, 200);
    *n = json_array_size(json_object_get(j, "features"));
    return j;
}

static const char *first_name(json_t *j)
{
    return json_string_value(json_object_get(
        json_object_get(json_array_get(json_object_get(j, "features"), 0),
                        "properties"),
        "name"));
}

static void search_ranks_prefixes_typos_and_accents(void **state)
{
    (void)state;
    size_t n;
    json_t *j = search("q=schaer", &n);
    assert_true(n >= 1);
    bool cpas = false;
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_object_get(
            json_array_get(json_object_get(j, "features"), i), "properties");
        cpas |= strcmp(json_string_value(json_object_get(p, "name")),
                       "CPAS de Schaerbeek") == 0;
        assert_true(json_is_false(json_object_get(p, "fuzzy")));
        assert_string_equal(
            json_string_value(json_array_get(json_object_get(p, "matched"), 0)),
            "Schaerbeek");
    }
    assert_true(cpas);
    json_decref(j);
    /* Misspelled communes still find their listings, marked fuzzy. */
    j = search("q=shaerbeek", &n);
    assert_true(n >= 1);
    assert_contains(dump(j), "CPAS de Schaerbeek");
    json_decref(j);
    j = search("q=anderleckt&category=cpas", &n);
    assert_int_equal(n, 1);
    assert_string_equal(first_name(j), "CPAS d'Anderlecht");
    json_decref(j);
    /* Exact matches come before any fuzzy one. */
    j = search("q=anderlecht", &n);
    json_t *fs = json_object_get(j, "features");
    bool seen_fuzzy = false;
    for (size_t i = 0; i < n; i++) {
        bool fz = json_is_true(json_object_get(
            json_object_get(json_array_get(fs, i), "properties"), "fuzzy"));
        assert_false(seen_fuzzy && !fz);
        seen_fuzzy |= fz;
    }
    assert_true(n >= 2);
    json_decref(j);
    /* Words naming a category filter by it: "planning ixelles" finds Free
     * Clinic (a planning centre in Ixelles whose name does not say so),
     * and "cpas" alone lists CPAS, nearest first with near. */
    j = search("q=planning%20familial%20ixelles", &n);
    assert_contains(dump(j), "Free Clinic");
    assert_contains(dump(json_object_get(j, "categories")), "planning");
    json_decref(j);
    j = search("q=cpas&near=50.8676,4.3737&limit=3", &n);
    assert_int_equal(n, 3);
    assert_string_equal(first_name(j), "CPAS de Schaerbeek");
    json_decref(j);
    j = search("q=CPAS&limit=50", &n);
    assert_int_equal(n, 50);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(
            json_string_value(json_object_get(
                json_object_get(
                    json_array_get(json_object_get(j, "features"), i),
                    "properties"),
                "category")),
            "cpas");
    json_decref(j);
    j = search("q=service%20droit%20des%20jeunes%20namur", &n);
    assert_contains(dump(j), "Service Droit des Jeunes de Namur");
    json_decref(j);
    /* Accent- and case-insensitive: "LIEGE" finds Liège. */
    j = search("q=LIEGE&category=cpas", &n);
    assert_true(n >= 1);
    assert_contains(dump(j), "CPAS de Liège");
    json_decref(j);
    /* Text that breaks a raw FTS5 MATCH is answered, not a 500. */
    const char *nasty[] = {"q=l%27aide",
                           "q=c.p.a.s.",
                           "q=aide-jeunesse",
                           "q=planning%20familial%3F",
                           "q=%22%22%22",
                           "q=NEAR(a%20b)",
                           "q=*"};
    for (size_t i = 0; i < sizeof nasty / sizeof *nasty; i++)
        json_decref(search(nasty[i], &n));
    j = search("q=c.p.a.s.%20schaerbeek", &n);
    assert_string_equal(first_name(j), "CPAS de Schaerbeek");
    json_decref(j);
    /* near adds distances; results stay GeoJSON GDAL can read. */
    j = search("q=cpas&near=50.8467,4.3525&limit=5", &n);
    assert_int_equal(n, 5);
    assert_non_null(json_object_get(
        json_object_get(json_array_get(json_object_get(j, "features"), 0),
                        "properties"),
        "distance_m"));
    json_decref(j);
    assert_int_equal(gdal_features("/api/search?q=cpas&limit=7"), 7);
}

static void communes_name_the_competent_services(void **state)
{
    (void)state;
    json_t *j = get_json("/api/communes/1030", 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "commune"), "nis")),
                        "21015");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(j, "cpas"), "properties"), "name")),
        "CPAS de Schaerbeek");
    /* No source says which SDJ branch serves Schaerbeek: none is named
     * competent, the nearest (Brussels, about 3 km) is given as such. */
    assert_int_equal(json_array_size(json_object_get(j, "sdj")), 0);
    json_t *near =
        json_object_get(json_object_get(j, "sdj_nearest"), "properties");
    assert_string_equal(json_string_value(json_object_get(near, "name")),
                        "Service Droit des Jeunes de Bruxelles");
    assert_string_equal(json_string_value(json_object_get(near, "basis")),
                        "nearest");
    json_int_t dm = json_integer_value(json_object_get(near, "distance_m"));
    assert_true(dm > 1000 && dm < 6000);
    assert_contains(dump(json_object_get(j, "notices")),
                    "la plus proche est indiquée");
    json_decref(j);
    /* 6700 Arlon: its CPAS and the SDJ antenna of Arlon. */
    j = get_json("/api/communes/6700", 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "commune"), "nis")),
                        "81001");
    assert_contains(dump(json_object_get(j, "cpas")), "CPAS d'Arlon");
    assert_contains(dump(json_object_get(j, "sdj")), "Arlon");
    assert_true(json_is_null(json_object_get(j, "sdj_nearest")));
    json_decref(j);
    /* 5000 Namur: the CPAS de Namur and the SDJ of Namur. */
    j = get_json("/api/communes/5000", 200);
    assert_contains(dump(json_object_get(j, "cpas")), "CPAS de Namur");
    assert_contains(dump(json_object_get(j, "sdj")),
                    "Service Droit des Jeunes de Namur");
    json_decref(j);
    /* By NIS code and by point (Grand-Place is in Bruxelles, 21004). */
    j = get_json("/api/communes?lat=50.8467&lon=4.3525", 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "commune"), "name_fr")),
                        "Bruxelles");
    json_decref(j);
    /* A commune without a CPAS record says so instead of guessing. */
    char path[64];
    /* Incourt (25043): its CPAS is not gathered yet (data/README.md). */
    snprintf(path, sizeof path, "/api/communes/%s", "25043");
    assert_int_equal(db_int(E.db, "SELECT count(*) FROM listing_territory t"
                                  " JOIN listings l ON l.id = t.listing_id"
                                  " WHERE l.category='cpas' AND t.nis='25043'"),
                     0);
    j = get_json(path, 200);
    assert_true(json_is_null(json_object_get(j, "cpas")));
    assert_contains(dump(json_object_get(j, "notices")),
                    "pas encore dans l'annuaire");
    json_decref(j);
    /* 4000 Liège: AMO located in Liège (the CAAJ brochure's). */
    j = get_json("/api/communes/4000", 200);
    json_t *amo = json_object_get(j, "amo");
    bool in_liege = false;
    for (size_t i = 0; i < json_array_size(amo); i++)
        in_liege |=
            strcmp(json_string_value(json_object_get(
                       json_object_get(json_array_get(amo, i), "properties"),
                       "commune"))
                       ?: "",
                   "Liège") == 0;
    assert_true(in_liege);
    assert_int_equal(json_array_size(json_object_get(j, "amo_nearest")), 0);
    json_decref(j);
    /* 6600 Bastogne: no AMO of the directory covers it or sits in it; the
     * three nearest are named as such, nearest first, never nothing. */
    j = get_json("/api/communes/6600", 200);
    assert_int_equal(json_array_size(json_object_get(j, "amo")), 0);
    json_t *an = json_object_get(j, "amo_nearest");
    assert_int_equal(json_array_size(an), 3);
    json_int_t prev = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *pr = json_object_get(json_array_get(an, i), "properties");
        assert_string_equal(json_string_value(json_object_get(pr, "category")),
                            "amo");
        assert_string_equal(json_string_value(json_object_get(pr, "basis")),
                            "nearest");
        json_int_t d = json_integer_value(json_object_get(pr, "distance_m"));
        assert_true(d >= prev && d > 0);
        prev = d;
    }
    assert_contains(dump(json_object_get(j, "notices")),
                    "Aucune AMO de l'annuaire ne couvre cette commune");
    assert_true(json_is_array(json_object_get(j, "planning_nearest")));
    json_decref(j);
    json_decref(get_json("/api/communes/0999", 404));
    json_decref(get_json("/api/communes/12", 400));
    json_decref(get_json("/api/communes?lat=48.85&lon=2.35", 404));
}

static void bad_input_gets_400_naming_the_parameter(void **state)
{
    (void)state;
    char longq[300] = "/api/search?q=";
    memset(longq + strlen(longq), 'a', 201);
    const struct {
        const char *path;
        long status;
        const char *needle;
    } cases[] = {
        {"/api/nearest?lat=91&lon=4", 400, "lat:"},
        {"/api/nearest?lat=50&lon=abc", 400, "lon:"},
        {"/api/nearest?lat=50&lon=4&limit=0", 400, "limit:"},
        {"/api/nearest?lat=50&lon=4&limit=10000", 400, "limit:"},
        {"/api/nearest?lat=50", 400, "lon: required"},
        {"/api/nearest?lat=50&lon=4&category=youth", 400, "category:"},
        {"/api/nearest?lat=50&lon=4&age=-1", 400, "age:"},
        {"/api/listings.geojson?bbox=1,2,3", 400, "bbox:"},
        {"/api/listings.geojson?bbox=5,50,4,51", 400, "bbox:"},
        {longq, 400, "q: longer than 200"},
        {"/api/search?q=%ff%fe", 400, "q: not valid UTF-8"},
        {"/api/search?q=ab%00cd", 400, "q: contains a control"},
        {"/api/search?q=", 400, "q: required"},
        {"/api/search?q=a&near=50", 400, "near:"},
        {"/api/search?q=a&limit=5&limit=6", 400, "limit: given more"},
        {"/api/status?verbose=1", 400, "verbose: unknown"},
        {"/api/nope", 404, "not_found"},
        {"/ogc/collections/amo/items?foo=1", 400, "foo: unknown"},
        {"/ogc/collections/nope", 404, "not_found"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_answer a;
        http_get(&E.srv, cases[i].path, &a);
        if (a.status != cases[i].status || !strstr(a.body, cases[i].needle) ||
            !strstr(a.body, "{\"error\":{\"code\":"))
            fail_msg("%s: %ld %s", cases[i].path, a.status, a.body);
        http_answer_free(&a);
    }
    const char *methods[] = {"POST", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < 4; i++) {
        struct http_answer a;
        http_req(&E.srv, methods[i], "/api/status", NULL, &a);
        assert_int_equal(a.status, 405);
        assert_string_equal(http_header(&a, "Allow"), "GET, HEAD, OPTIONS");
        http_answer_free(&a);
    }
}

static void head_etag_gzip_cors_and_security_headers(void **state)
{
    (void)state;
    struct http_answer g, h, z, c;
    http_get(&E.srv, "/api/listings.geojson", &g);
    http_req(&E.srv, "HEAD", "/api/listings.geojson", NULL, &h);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.len, 0);
    assert_string_equal(http_header(&h, "Content-Length") ?: "",
                        http_header(&g, "Content-Length") ?: "x");
    char etag[128];
    snprintf(etag, sizeof etag, "%s", http_header(&g, "ETag"));
    assert_true(etag[0] == '"');
    assert_string_equal(http_header(&g, "Access-Control-Allow-Origin"), "*");
    assert_contains(http_header(&g, "Cache-Control"), "max-age");
    assert_string_equal(http_header(&g, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(http_header(&g, "Referrer-Policy"), "no-referrer");
    assert_contains(http_header(&g, "Content-Security-Policy"),
                    "default-src 'self'");
    /* 304 on a matching If-None-Match, also for the gzip variant's tag. */
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *hdr[] = {inm, NULL};
    http_req(&E.srv, "GET", "/api/listings.geojson", hdr, &c);
    assert_int_equal(c.status, 304);
    assert_int_equal(c.len, 0);
    http_answer_free(&c);
    /* gzip when accepted: smaller, and the same JSON once inflated. */
    const char *gz[] = {"Accept-Encoding: gzip", NULL};
    http_req(&E.srv, "GET", "/api/listings.geojson", gz, &z);
    assert_string_equal(http_header(&z, "Content-Encoding"), "gzip");
    assert_true(z.len < g.len / 3);
    char zf[4200], *out;
    snprintf(zf, sizeof zf, "%s/body.gz", E.dir);
    write_file(zf, z.body, z.len);
    run(&out, "gzip -dc '%s' | cmp - '%s' && echo same", zf,
        (write_file(path_in(E.dir, "body"), g.body, g.len),
         path_in(E.dir, "body")));
    assert_contains(out, "same");
    free(out);
    char zinm[220];
    snprintf(zinm, sizeof zinm, "If-None-Match: %s", http_header(&z, "ETag"));
    const char *hdr2[] = {zinm, "Accept-Encoding: gzip", NULL};
    http_req(&E.srv, "GET", "/api/listings.geojson", hdr2, &c);
    assert_int_equal(c.status, 304);
    http_answer_free(&c);
    http_answer_free(&z);
    http_answer_free(&g);
    http_answer_free(&h);
    /* CORS preflight. */
    http_req(&E.srv, "OPTIONS", "/api/nearest", NULL, &c);
    assert_int_equal(c.status, 204);
    http_answer_free(&c);
}

static void paths_never_escape_the_web_directory(void **state)
{
    (void)state;
    const char *paths[] = {"/../Makefile",
                           "/%2e%2e/Makefile",
                           "/%2e%2e%2fMakefile",
                           "/..%2f..%2fetc/passwd",
                           "/../../../../etc/passwd",
                           "/./../README.md",
                           "/index.html/../../Makefile"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        struct http_answer a;
        http_get(&E.srv, paths[i], &a);
        if (a.status != 404 && a.status != 400)
            fail_msg("%s answered %ld", paths[i], a.status);
        assert_null(strstr(a.body, "root:"));
        assert_null(strstr(a.body, "PKGS"));
        http_answer_free(&a);
    }
}

static void ogc_api_features_core_and_gdal(void **state)
{
    (void)state;
    json_t *j = get_json("/ogc", 200);
    char *s = json_dumps(j, 0);
    assert_contains(s, "\"rel\": \"service-desc\"");
    assert_contains(s, "\"rel\": \"conformance\"");
    assert_contains(s, "\"rel\": \"data\"");
    free(s);
    json_decref(j);
    j = get_json("/ogc/conformance", 200);
    assert_contains(dump(j), "conf/geojson");
    json_decref(j);
    json_decref(get_json("/ogc/api", 200));
    j = get_json("/ogc/collections", 200);
    assert_int_equal(json_array_size(json_object_get(j, "collections")), 4);
    json_decref(j);
    long long ncpas = db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                   " category='cpas'");
    j = get_json("/ogc/collections/cpas/items?limit=5&offset=5", 200);
    assert_int_equal(json_integer_value(json_object_get(j, "numberMatched")),
                     ncpas);
    assert_int_equal(json_integer_value(json_object_get(j, "numberReturned")),
                     5);
    s = json_dumps(json_object_get(j, "links"), 0);
    assert_contains(s, "\"rel\": \"next\"");
    assert_contains(s, "offset=10");
    assert_contains(s, "\"rel\": \"prev\"");
    free(s);
    json_decref(j);
    char path[128];
    snprintf(path, sizeof path,
             "/ogc/collections/cpas/items?limit=10&offset=%lld", ncpas - 3);
    j = get_json(path, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "numberReturned")),
                     3);
    assert_null(strstr(dump(json_object_get(j, "links")), "\"next\""));
    json_decref(j);
    snprintf(
        path, sizeof path, "/ogc/collections/cpas/items/%lld",
        db_int(E.db, "SELECT id FROM listings WHERE source_id='cpas-21015'"));
    json_decref(get_json(path, 200));
    json_decref(get_json("/ogc/collections/amo/items/1", 404));
    /* GDAL's own client reads every collection completely. GDAL 3.6
     * (Debian 12) prefixes a relative link with the landing page's URL
     * instead of resolving it (RFC 3986 5.2): it needs the absolute links
     * of --public-url. */
    struct server_proc pub;
    int port = free_loopback_port();
    snprintf(path, sizeof path,
             "--listen 127.0.0.1:%d --public-url http://127.0.0.1:%d", port,
             port);
    server_start(&pub, E.db, path);
    const char *cats[] = {"amo", "cpas", "planning", "sdj"};
    for (int i = 0; i < 4; i++) {
        char *out, sql[128];
        int rc = run(&out,
                     "ogrinfo -ro -al -q OAPIF:http://127.0.0.1:%d/ogc %s"
                     " | grep -c '^OGRFeature'",
                     pub.port, cats[i]);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM listings WHERE category='%s'", cats[i]);
        if (rc != 0 || atoll(out) != db_int(E.db, sql))
            fail_msg("GDAL read %s features of %s, database has %lld", out,
                     cats[i], db_int(E.db, sql));
        free(out);
    }
    /* A filter GDAL sends to the server as the items' nis parameter (it
     * reads the parameters from our OpenAPI description). */
    char *out;
    assert_int_equal(
        run(&out,
            "CPL_DEBUG=ON ogrinfo -ro -al -q OAPIF:http://127.0.0.1:%d/ogc "
            "cpas -where \"nis = '21015'\" 2>&1",
            pub.port),
        0);
    assert_contains(out, "CPAS de Schaerbeek");
    assert_contains(out, "nis=21015");
    free(out);
    assert_int_equal(server_stop(&pub, NULL), 0);
    assert_int_equal(gdal_features("/ogc/collections/sdj/items"),
                     db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                  " category='sdj'"));
}

/* The JSON of 'path' on server 's' (status 'want'). */
static json_t *get_json_from(const struct server_proc *s, const char *path,
                             long want)
{
    struct http_answer a;
    http_get(s, path, &a);
    if (a.status != want)
        fail_msg("GET %s: %ld, expected %ld\n%s", path, a.status, want, a.body);
    json_t *j = json_loads(a.body, 0, NULL);
    if (!j)
        fail_msg("GET %s: not JSON", path);
    http_answer_free(&a);
    return j;
}

/* Every route that writes a link, asked with a forged Host (and the
 * forwarding headers a proxy might pass on). */
static void no_answer_names_a_forged_host(const struct server_proc *s)
{
    char item[128];
    snprintf(
        item, sizeof item, "/ogc/collections/cpas/items/%lld",
        db_int(E.db, "SELECT id FROM listings WHERE source_id='cpas-21015'"));
    const char *paths[] = {"/ogc",
                           "/ogc/",
                           "/ogc/collections",
                           "/ogc/collections/cpas",
                           "/ogc/collections/cpas/items?limit=2&offset=2",
                           "/ogc/collections/amo/items?age=15&commune=4000",
                           item,
                           "/ogc/collections/cpas/queryables",
                           "/ogc/api",
                           "/api/openapi.json",
                           "/tiles.json",
                           "/tiles/basemap.json",
                           "/",
                           "/?where=1030&lang=en",
                           "/?q=dispute+parents",
                           "/embed?commune=4000",
                           "/embed?besoin=ecole&commune=4000",
                           "/api/"};
    const char *forged[] = {"Host: evil.example",
                            "X-Forwarded-Host: evil.example",
                            "Forwarded: host=evil.example;proto=https", NULL};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        struct http_answer a;
        http_req(s, "GET", paths[i], forged, &a);
        if (a.status != 200)
            fail_msg("%s: %ld\n%s", paths[i], a.status, a.body);
        if (strstr(a.body, "evil.example") || strstr(a.headers, "evil"))
            fail_msg("%s names the forged host:\n%s", paths[i], a.body);
        http_answer_free(&a);
    }
}

static void forged_host_names_no_link(void **state)
{
    (void)state;
    no_answer_names_a_forged_host(&E.srv);
    /* Without --public-url the links are relative to our root. */
    json_t *j = get_json("/ogc", 200);
    json_t *l;
    size_t i;
    json_array_foreach(json_object_get(j, "links"), i, l)
    {
        const char *href = json_string_value(json_object_get(l, "href"));
        if (strncmp(href, "/ogc", 4) != 0)
            fail_msg("a link not relative to the root: %s", href);
    }
    json_decref(j);
    j = get_json("/tiles.json", 200);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(j, "tiles"), 0)),
        "/tiles/{z}/{x}/{y}.mvt");
    json_decref(j);
}

static void public_url_makes_every_link(void **state)
{
    (void)state;
    struct server_proc s;
    server_start(&s, E.db, "--public-url https://annuaire.example/amo/");
    no_answer_names_a_forged_host(&s);
    const char *ogc[] = {"/ogc", "/ogc/collections", "/ogc/collections/sdj",
                         "/ogc/collections/cpas/items?limit=1&offset=3"};
    for (size_t k = 0; k < sizeof ogc / sizeof *ogc; k++) {
        json_t *j = get_json_from(&s, ogc[k], 200), *l, *c;
        size_t i, n = 0;
        json_t *all = json_array();
        json_array_append(all, json_object_get(j, "links"));
        json_array_foreach(json_object_get(j, "collections"), i, c)
            json_array_append(all, json_object_get(c, "links"));
        json_t *links;
        size_t li;
        json_array_foreach(all, li, links) json_array_foreach(links, i, l)
        {
            const char *href = json_string_value(json_object_get(l, "href"));
            if (strncmp(href, "https://annuaire.example/amo/ogc", 32) != 0)
                fail_msg("%s: link %s", ogc[k], href);
            n++;
        }
        assert_true(n > 0);
        json_decref(all);
        json_decref(j);
    }
    json_t *j = get_json_from(&s, "/tiles.json", 200);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(j, "tiles"), 0)),
        "https://annuaire.example/amo/tiles/{z}/{x}/{y}.mvt");
    json_decref(j);
    j = get_json_from(&s, "/tiles/basemap.json", 200);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(j, "tiles"), 0)),
        "https://annuaire.example/amo/tiles/basemap/{z}/{x}/{y}.mvt");
    json_decref(j);
    j = get_json_from(&s, "/api/openapi.json", 200);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(j, "servers"), 0), "url")),
        "https://annuaire.example/amo");
    json_decref(j);
    j = get_json_from(&s, "/ogc/api", 200);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(j, "servers"), 0), "url")),
        "https://annuaire.example/amo/ogc");
    json_decref(j);
    assert_int_equal(server_stop(&s, NULL), 0);
}

static void public_url_is_checked(void **state)
{
    (void)state;
    const char *bad[] = {"ftp://annuaire.example",
                         "annuaire.example",
                         "https://",
                         "https://annuaire.example/?x=1",
                         "https://annuaire.example/#top",
                         "https://user@annuaire.example",
                         "https://annuaire.example:99999",
                         "https://annuaire.example:0",
                         "https://-x.example",
                         "https://annuaire.example/a b",
                         "https://annuaire.example/a\\\"b",
                         "https://annuaire.example//x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *out;
        int rc = run(&out, "%s/amo-server --check --public-url '%s'", bin_dir(),
                     bad[i]);
        if (rc != 2 || !strstr(out, "--public-url"))
            fail_msg("--public-url '%s': exit %d\n%s", bad[i], rc, out);
        free(out);
    }
    char long_url[300] = "https://annuaire.example/";
    memset(long_url + strlen(long_url), 'a', 200);
    long_url[225] = '\0';
    assert_int_equal(run(NULL, "%s/amo-server --check --public-url '%s'",
                         bin_dir(), long_url),
                     2);
    const char *good[] = {"", "http://127.0.0.1:8080", "https://[::1]:8443/",
                          "https://annuaire.example/jeunes/amo"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(run(NULL, "%s/amo-server --check --public-url '%s'",
                             bin_dir(), good[i]),
                         0);
}

static long long matched(const char *path)
{
    json_t *j = get_json(path, 200);
    long long n = json_integer_value(json_object_get(j, "numberMatched"));
    json_decref(j);
    return n;
}

static void expect_400_naming(const char *path, const char *name)
{
    json_t *j = get_json(path, 400);
    const char *msg = json_string_value(
        json_object_get(json_object_get(j, "error"), "message"));
    if (!msg || strncmp(msg, name, strlen(name)) != 0)
        fail_msg("%s: message %s does not name %s", path, msg, name);
    json_decref(j);
}

static void ogc_items_filter_on_age_commune_and_nis(void **state)
{
    (void)state;
    assert_int_equal(matched("/ogc/collections/cpas/items?nis=21015"), 1);
    assert_int_equal(matched("/ogc/collections/cpas/items?commune=1030"), 1);
    assert_int_equal(matched("/ogc/collections/cpas/items?commune=Schaarbeek"),
                     1);
    /* A place names its municipality: Jambes is Namur's. */
    assert_int_equal(matched("/ogc/collections/amo/items?commune=Jambes"),
                     db_int(E.db, "SELECT count(*) FROM listings WHERE "
                                  "category='amo' AND nis='92094'"));
    const char *age_sql =
        "SELECT count(*) FROM listings WHERE category='amo' AND"
        " (age_min IS NULL OR age_min <= 20) AND (age_max IS NULL OR"
        " age_max >= 20)";
    long long n20 = db_int(E.db, age_sql);
    assert_true(n20 > 0 &&
                n20 < db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                   " category='amo'"));
    assert_int_equal(matched("/ogc/collections/amo/items?age=20"), n20);
    assert_int_equal(
        matched("/ogc/collections/amo/items?age=20&nis=21004"),
        db_int(E.db, "SELECT count(*) FROM listings WHERE category='amo' AND"
                     " nis='21004' AND (age_min IS NULL OR age_min <= 20) AND"
                     " (age_max IS NULL OR age_max >= 20)"));
    /* The next page keeps the filters, encoded. */
    json_t *j = get_json("/ogc/collections/amo/items?age=20&limit=1"
                         "&commune=Li%C3%A8ge",
                         200);
    const char *s = dump(json_object_get(j, "links"));
    assert_contains(s, "age=20");
    assert_contains(s, "commune=Li%C3%A8ge");
    json_decref(j);
    expect_400_naming("/ogc/collections/amo/items?age=-1", "age");
    expect_400_naming("/ogc/collections/amo/items?age=121", "age");
    expect_400_naming("/ogc/collections/amo/items?age=ten", "age");
    expect_400_naming("/ogc/collections/amo/items?nis=2101", "nis");
    expect_400_naming("/ogc/collections/amo/items?nis=99999", "nis");
    expect_400_naming("/ogc/collections/amo/items?commune=Atlantis", "commune");
    expect_400_naming("/ogc/collections/amo/items?commune=1030&nis=92094",
                      "commune");
    expect_400_naming("/ogc/collections/amo/items?postcode=1030", "postcode");
}

static void ogc_queryables_are_a_json_schema(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/ogc/collections/amo/queryables", &a);
    assert_int_equal(a.status, 200);
    assert_string_equal(http_header(&a, "Content-Type"),
                        "application/schema+json");
    json_t *j = json_loads(a.body, 0, NULL);
    http_answer_free(&a);
    assert_string_equal(json_string_value(json_object_get(j, "$schema")),
                        "https://json-schema.org/draft/2020-12/schema");
    json_t *p = json_object_get(j, "properties");
    assert_int_equal(json_object_size(p), 3);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(p, "age"), "type")),
        "integer");
    assert_non_null(json_object_get(p, "commune"));
    assert_non_null(json_object_get(p, "nis"));
    json_decref(j);
    j = get_json("/ogc/collections/amo", 200);
    assert_contains(dump(json_object_get(j, "links")),
                    "http://www.opengis.net/def/rel/ogc/1.0/queryables");
    json_decref(j);
    json_decref(get_json("/ogc/collections/nope/queryables", 404));
    json_decref(get_json("/ogc/collections/amo/queryables?x=1", 400));
}

/* GDAL's MVT driver reads tile z/x/y; returns its feature count and its
 * output in *out. */
static long gdal_tile(int z, long x, long y, char **out)
{
    char path[128], file[4200];
    struct http_answer a;
    snprintf(path, sizeof path, "/tiles/%d/%ld/%ld.mvt", z, x, y);
    http_get(&E.srv, path, &a);
    if (a.status != 200)
        fail_msg("%s: %ld", path, a.status);
    assert_string_equal(http_header(&a, "Content-Type"),
                        "application/vnd.mapbox-vector-tile");
    snprintf(file, sizeof file, "%s/tile.mvt", E.dir);
    write_file(file, a.body, a.len);
    http_answer_free(&a);
    if (run(out, "ogrinfo -ro -al -oo X=%ld -oo Y=%ld -oo Z=%d '%s'", x, y, z,
            file) != 0)
        fail_msg("GDAL cannot read tile %s:\n%s", path, *out);
    long n = 0;
    for (const char *p = strstr(*out, "OGRFeature("); p;
         p = strstr(p + 1, "OGRFeature("))
        n++;
    return n;
}

/* Listings in a tile's GDAL dump: point_count for clusters, 1 for each
 * single listing; checks that a cluster's category counts add up. */
static long long tile_listings(const char *out)
{
    static const char *const cats[] = {"amo", "cpas", "planning", "sdj"};
    long long total = 0;
    for (const char *f = strstr(out, "OGRFeature("); f;) {
        const char *next = strstr(f + 1, "OGRFeature(");
        size_t len = next ? (size_t)(next - f) : strlen(f);
        char block[4096];
        snprintf(block, sizeof block, "%.*s", (int)len, f);
        const char *pc = strstr(block, "point_count (");
        long long n = 1;
        if (pc && strstr(pc, ") = ") && !strstr(pc, "(null)")) {
            n = atoll(strstr(pc, ") = ") + 4);
            long long sum = 0;
            for (int c = 0; c < 4; c++) {
                char key[32];
                snprintf(key, sizeof key, "\n  %s (", cats[c]);
                const char *k = strstr(block, key);
                if (k && strstr(k, ") = ") &&
                    strncmp(strstr(k, ") = ") + 4, "(null)", 6) != 0)
                    sum += atoll(strstr(k, ") = ") + 4);
            }
            if (sum != n)
                fail_msg("cluster of %lld with category counts %lld:\n%s", n,
                         sum, block);
        }
        total += n;
        f = next;
    }
    return total;
}

static void vector_tiles_hold_the_listings(void **state)
{
    (void)state;
    json_t *j = get_json("/tiles.json", 200);
    assert_string_equal(json_string_value(json_object_get(j, "tilejson")),
                        "3.0.0");
    assert_contains(dump(json_object_get(j, "tiles")),
                    "/tiles/{z}/{x}/{y}.mvt");
    assert_contains(dump(json_object_get(j, "vector_layers")),
                    "\"id\": \"listings\"");
    assert_int_equal(json_array_size(json_object_get(j, "bounds")), 4);
    json_decref(j);
    /* The z14 tile holding Schaerbeek's bpost centroid: its features are
     * exactly the listings inside the tile and its buffer. */
    int z = 14;
    double lat = 50.8676041, lon = 4.3737121, n = 1 << z;
    long x = (long)floor((lon + 180) / 360 * n);
    long y = (long)floor((1 - asinh(tan(lat * M_PI / 180)) / M_PI) / 2 * n);
    struct mvt_bounds b;
    mvt_tile_bounds(z, x, y, MVT_BUFFER, &b);
    char sql[512], *out;
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM listings WHERE lon >= %.9f AND lon <= %.9f"
             " AND lat >= %.9f AND lat <= %.9f",
             b.min_lon, b.max_lon, b.min_lat, b.max_lat);
    long long want = db_int(E.db, sql);
    assert_true(want >= 3);
    assert_int_equal(gdal_tile(z, x, y, &out), want);
    assert_contains(out, "name (String) = CPAS de Schaerbeek");
    assert_contains(out, "category (String) = cpas");
    assert_contains(out, "commune (String) = Schaerbeek");
    /* Listings at the postcode's centre are marked approximate, and no
     * two points of the tile lie on each other (a shared centre is drawn
     * as a ring around it). */
    assert_contains(out, "approx (Integer) = 1");
    size_t npts = 0;
    char pts[256][64];
    for (const char *p = strstr(out, "POINT ("); p && npts < 256;
         p = strstr(p + 1, "POINT (")) {
        snprintf(pts[npts], sizeof pts[0], "%.*s", (int)strcspn(p, ")"), p);
        for (size_t k = 0; k < npts; k++)
            if (strcmp(pts[k], pts[npts]) == 0)
                fail_msg("two listings drawn at %s", pts[k]);
        npts++;
    }
    assert_true(npts >= 3);
    free(out);
    /* Tile 0/0/0 holds the whole directory, in clusters (point_count)
     * and single listings; each cluster's category counts add up. */
    long long total = db_int(E.db, "SELECT count(*) FROM listings");
    long nf = gdal_tile(0, 0, 0, &out);
    assert_true(nf < total); /* clustered */
    assert_int_equal(tile_listings(out), total);
    free(out);
    /* Brussels at zoom 11 is crowded: clusters; at 13 every listing is a
     * point of its own. */
    x = (long)floor((4.3525 + 180) / 360 * 2048);
    y = (long)floor((1 - asinh(tan(50.8467 * M_PI / 180)) / M_PI) / 2 * 2048);
    gdal_tile(11, x, y, &out);
    assert_contains(out, "point_count (");
    free(out);
    x = (long)floor((4.3525 + 180) / 360 * 8192);
    y = (long)floor((1 - asinh(tan(50.8467 * M_PI / 180)) / M_PI) / 2 * 8192);
    gdal_tile(13, x, y, &out);
    assert_null(strstr(out, "point_count (Integer"));
    free(out);
    char crowded[128];
    snprintf(crowded, sizeof crowded, "/tiles/13/%ld/%ld.mvt", x, y);
    /* Empty is 204, outside the grid 404; gzip, ETag and CORS apply. */
    struct http_answer a;
    http_get(&E.srv, "/tiles/12/0/0.mvt", &a);
    assert_int_equal(a.status, 204);
    assert_int_equal(a.len, 0);
    http_answer_free(&a);
    const char *bad[] = {"/tiles/23/0/0.mvt", "/tiles/3/8/0.mvt",
                         "/tiles/3/-1/0.mvt", "/tiles/3/1/1.png",
                         "/tiles/a/b/c.mvt",  "/tiles/3/1/1.mvt/x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        http_get(&E.srv, bad[i], &a);
        if (a.status != 404)
            fail_msg("%s: %ld", bad[i], a.status);
        http_answer_free(&a);
    }
    /* Tiles are gzipped for clients that accept it once they are worth it
     * (860 bytes, about one packet); smaller ones go as they are. */
    const char *gz[] = {"Accept-Encoding: gzip", NULL};
    http_get(&E.srv, crowded, &a);
    size_t plain = a.len;
    http_answer_free(&a);
    http_req(&E.srv, "GET", crowded, gz, &a);
    if (plain >= 860)
        assert_string_equal(http_header(&a, "Content-Encoding") ?: "", "gzip");
    else
        assert_null(http_header(&a, "Content-Encoding"));
    assert_string_equal(http_header(&a, "Access-Control-Allow-Origin"), "*");
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", http_header(&a, "ETag"));
    http_answer_free(&a);
    const char *cond[] = {inm, "Accept-Encoding: gzip", NULL};
    http_req(&E.srv, "GET", crowded, cond, &a);
    assert_int_equal(a.status, 304);
    http_answer_free(&a);
}

/* ---- tests with their own server ------------------------------------- */

/* --cluster-maxzoom is in the usage and must be taken: it once was
 * refused as an unknown option (the long-option table lacked it). */
static void cluster_maxzoom_option_is_taken(void **state)
{
    (void)state;
    struct server_proc s;
    server_start(&s, E.db, "--cluster-maxzoom 12");
    /* Brussels at zoom 12: single points from 12 on, no cluster. */
    long x = (long)floor((4.3525 + 180) / 360 * 4096);
    long y =
        (long)floor((1 - asinh(tan(50.8467 * M_PI / 180)) / M_PI) / 2 * 4096);
    char path[64], file[4200], *out = NULL;
    snprintf(path, sizeof path, "/tiles/12/%ld/%ld.mvt", x, y);
    struct http_answer a;
    http_get(&s, path, &a);
    assert_int_equal(a.status, 200);
    snprintf(file, sizeof file, "%s/z12.mvt", E.dir);
    write_file(file, a.body, a.len);
    http_answer_free(&a);
    assert_int_equal(run(&out,
                         "ogrinfo -ro -al -oo X=%ld -oo Y=%ld -oo Z=12 "
                         "'%s'",
                         x, y, file),
                     0);
    assert_contains(out, "name (String) = ");
    assert_null(strstr(out, "point_count ("));
    free(out);
    assert_int_equal(server_stop(&s, NULL), 0);
}

struct hammer {
    struct server_proc *srv;
    volatile int stop;
    long ok, bad, total_seen[2];
};

static void *hammer_loop(void *arg)
{
    struct hammer *h = arg;
    for (int i = 0; i < 4000 && !h->stop; i++) {
        struct http_answer a;
        http_get(h->srv,
                 i % 2 ? "/api/nearest?lat=50.85&lon=4.35&limit=3"
                       : "/api/status",
                 &a);
        if (a.status == 200)
            h->ok++;
        else
            h->bad++;
        http_answer_free(&a);
    }
    return NULL;
}

static void new_data_is_served_after_an_import_without_restart(void **state)
{
    (void)state;
    char db[4200], *out;
    snprintf(db, sizeof db, "%s/live.db", E.dir);
    run(NULL, "cp '%s' '%s'", E.db, db);
    struct server_proc srv;
    server_start(&srv, db, NULL);
    struct hammer h = {.srv = &srv};
    pthread_t t;
    pthread_create(&t, NULL, hammer_loop, &h);
    /* A large import runs while requests keep coming. */
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    assert_int_equal(run(NULL,
                         "%s/bench/gen-listings --count 30000 > '%s/syn.csv'",
                         build, E.dir),
                     0);
    char args[8400];
    snprintf(args, sizeof args, "--quiet '%s/syn.csv'", E.dir);
    assert_int_equal(import(&out, db, args), 0);
    free(out);
    h.stop = 1;
    pthread_join(t, NULL);
    assert_int_equal(h.bad, 0);
    assert_true(h.ok > 10);
    json_t *j;
    struct http_answer a;
    http_get(&srv, "/api/status", &a);
    j = json_loads(a.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "total")),
                     db_int(db, "SELECT count(*) FROM listings"));
    json_decref(j);
    http_answer_free(&a);
    assert_int_equal(server_stop(&srv, NULL), 0);
}

static void unreadable_database_is_503_until_it_appears(void **state)
{
    (void)state;
    char db[4200];
    snprintf(db, sizeof db, "%s/later.db", E.dir);
    struct server_proc srv;
    server_start(&srv, db, NULL);
    struct http_answer a;
    http_get(&srv, "/api/status", &a);
    assert_int_equal(a.status, 503);
    assert_contains(a.body, "\"code\":\"unavailable\"");
    http_answer_free(&a);
    http_get(&srv, "/healthz", &a);
    assert_int_equal(a.status, 503);
    http_answer_free(&a);
    run(NULL, "cp '%s' '%s'", E.db, db);
    http_get(&srv, "/api/status", &a);
    assert_int_equal(a.status, 200);
    http_answer_free(&a);
    assert_int_equal(server_stop(&srv, NULL), 0);
}

static void server_logs_no_position_or_search_text(void **state)
{
    (void)state;
    struct server_proc srv;
    server_start(&srv, E.db, NULL);
    struct http_answer a;
    http_get(&srv, "/api/search?q=confidentielxyz&near=50.123456,4.654321", &a);
    http_answer_free(&a);
    http_get(&srv, "/api/nearest?lat=50.987654&lon=4.123456", &a);
    http_answer_free(&a);
    http_get(&srv, "/api/nearest?lat=abc&lon=4.111111", &a);
    http_answer_free(&a);
    char *out = NULL;
    assert_int_equal(server_stop(&srv, &out), 0);
    assert_null(strstr(out, "confidentielxyz"));
    assert_null(strstr(out, "50.12"));
    assert_null(strstr(out, "50.98"));
    assert_null(strstr(out, "4.11"));
    /* After its "listening on" line (read by server_start) the server
     * printed no address: the clients came from 127.0.0.1. */
    assert_null(strstr(out, "127.0.0.1"));
    free(out);
}

/* One connection serves many requests (HTTP/1.1 keep-alive): a browser
 * loading the page, its files and tiles, or a partner's client, pays one
 * TCP handshake, not one per request; a request with a body is answered
 * too, and the connection still serves the next. */
static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)arg;
    return size * n;
}

static void connections_are_kept_alive(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    char url[256];
    long connects = -1, status = 0, total = 0;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    const char *paths[] = {"/livez", "/api/search?q=schaerbeek", "/app.css",
                           "/api/nearest?lat=50.85&lon=4.35", "/livez"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", E.srv.port,
                 paths[i]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        if (i == 3) /* a body nobody asked for */
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
        if (i == 4)
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        assert_int_equal(curl_easy_perform(c), CURLE_OK);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        assert_true(status == 200 || (i == 3 && status == 405));
        curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
        total += connects;
    }
    curl_easy_cleanup(c);
    assert_int_equal(total, 1); /* the first request's connection only */
}

static void stalled_clients_are_dropped_and_others_served(void **state)
{
    (void)state;
    struct server_proc srv;
    server_start(&srv, E.db, "--timeout 1 --per-ip 64");
    int socks[8];
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)srv.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 8; i++) {
        socks[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(socks[i], (struct sockaddr *)&sa, sizeof sa),
                         0);
        /* Half a request line, then nothing. */
        assert_int_equal(write(socks[i], "GET /api/sta", 12), 12);
    }
    struct http_answer a;
    http_get(&srv, "/api/status", &a);
    assert_int_equal(a.status, 200);
    http_answer_free(&a);
    /* Within a few seconds the server has closed the stalled ones. */
    struct timeval tv = {5, 0};
    for (int i = 0; i < 8; i++) {
        char c;
        setsockopt(socks[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ssize_t n = read(socks[i], &c, 1);
        assert_true(n <= 0 || c == 'H'); /* closed (or a 408 reply) */
        close(socks[i]);
    }
    assert_int_equal(server_stop(&srv, NULL), 0);
}

struct slow_get {
    int port;
    long status;
    size_t bytes;
    struct buf body;
};

static size_t slow_collect(char *p, size_t size, size_t n, void *arg)
{
    struct slow_get *g = arg;
    buf_append(&g->body, p, size * n);
    return size * n;
}

static void *slow_get_run(void *arg)
{
    struct slow_get *g = arg;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/listings.geojson",
             g->port);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)4000000);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, slow_collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, g);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &g->status);
    curl_easy_cleanup(h);
    return NULL;
}

static void sigterm_finishes_requests_in_flight_and_exits_0(void **state)
{
    (void)state;
    char db[4200], args[8400];
    snprintf(db, sizeof db, "%s/term.db", E.dir);
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    assert_int_equal(run(NULL,
                         "%s/bench/gen-listings --count 20000 > '%s/t.csv'",
                         build, E.dir),
                     0);
    snprintf(args, sizeof args, "--quiet '%s/t.csv'", E.dir);
    assert_int_equal(import(NULL, db, args), 0);
    struct server_proc srv;
    server_start(&srv, db, NULL);
    /* A 13 MB answer read at 4 MB/s is still flowing when SIGTERM comes. */
    struct slow_get g = {.port = srv.port};
    buf_init(&g.body, 64u << 20);
    pthread_t t;
    pthread_create(&t, NULL, slow_get_run, &g);
    struct timespec d = {0, 800 * 1000000L};
    nanosleep(&d, NULL);
    char *out = NULL;
    assert_int_equal(server_stop(&srv, &out), 0);
    free(out);
    pthread_join(t, NULL);
    assert_int_equal(g.status, 200);
    json_t *j = json_loadb(buf_str(&g.body), g.body.len, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "features")), 20000);
    json_decref(j);
    buf_free(&g.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(routes_answer_with_the_directory),
        cmocka_unit_test(nearest_is_exact_in_town_countryside_and_border),
        cmocka_unit_test(nearest_features_equal_the_listing_features),
        cmocka_unit_test(search_ranks_prefixes_typos_and_accents),
        cmocka_unit_test(communes_name_the_competent_services),
        cmocka_unit_test(bad_input_gets_400_naming_the_parameter),
        cmocka_unit_test(head_etag_gzip_cors_and_security_headers),
        cmocka_unit_test(paths_never_escape_the_web_directory),
        cmocka_unit_test(ogc_api_features_core_and_gdal),
        cmocka_unit_test(forged_host_names_no_link),
        cmocka_unit_test(public_url_makes_every_link),
        cmocka_unit_test(public_url_is_checked),
        cmocka_unit_test(ogc_items_filter_on_age_commune_and_nis),
        cmocka_unit_test(ogc_queryables_are_a_json_schema),
        cmocka_unit_test(vector_tiles_hold_the_listings),
        cmocka_unit_test(cluster_maxzoom_option_is_taken),
        cmocka_unit_test(new_data_is_served_after_an_import_without_restart),
        cmocka_unit_test(unreadable_database_is_503_until_it_appears),
        cmocka_unit_test(server_logs_no_position_or_search_text),
        cmocka_unit_test(connections_are_kept_alive),
        cmocka_unit_test(stalled_clients_are_dropped_and_others_served),
        cmocka_unit_test(sigterm_finishes_requests_in_flight_and_exits_0),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests_name("server", tests, group_setup,
                                         group_teardown);
    curl_global_cleanup();
    return rc;
}
