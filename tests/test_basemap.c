/* test_basemap.c - lines and polygons in lib/mvt.c (checked against the
 * examples of the MVT 2.1 specification, decoded with protobuf-c), and the
 * basemap tileset served by the real amo-server, read back with GDAL's MVT
 * driver and checked with GEOS: names and NIS codes as in the shipped
 * files, valid geometries inside the tile and its buffer, sizes, empty
 * tiles, ETag/304, bad coordinates, TileJSON, and a clear failure at start
 * when a boundary file is bad. */
#include "support.h"

#include "exitcode.h"

#include <geos_c.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basemap.h"
#include "err.h"
#include "mvt.h"
#include "server_proc.h"
#include "vector_tile.pb-c.h"
#include <curl/curl.h>

#define GAZ_DIR AMO_DATA_DIR "/gazetteer"
#define MAX_TILE_BYTES (500 * 1024)          /* issue 5: no tile over 500 KB */
#define WEB_MERCATOR_WORLD 40075016.68557849 /* EPSG:3857 extent, metres */

/* ---- lib/mvt.c: lines and polygons --------------------------------- */

/* Encode one feature added by 'add' and return its geometry integers. */
static size_t encode_one(struct mvt_layer *l, uint32_t *geom, size_t cap,
                         int *type)
{
    uint8_t *data;
    size_t len;
    assert_int_equal(mvt_encode(&l, 1, &data, &len), 0);
    VectorTile__Tile *t = vector_tile__tile__unpack(NULL, len, data);
    assert_non_null(t);
    assert_int_equal(t->n_layers, 1);
    assert_int_equal(t->layers[0]->n_features, 1);
    VectorTile__Tile__Feature *f = t->layers[0]->features[0];
    assert_true(f->n_geometry <= cap);
    memcpy(geom, f->geometry, f->n_geometry * sizeof *geom);
    size_t n = f->n_geometry;
    *type = f->type;
    vector_tile__tile__free_unpacked(t, NULL);
    free(data);
    return n;
}

#define assert_geometry(got, n, ...)                                           \
    do {                                                                       \
        const uint32_t want_[] = {__VA_ARGS__};                                \
        assert_int_equal((n), sizeof want_ / sizeof *want_);                   \
        assert_memory_equal((got), want_, sizeof want_);                       \
    } while (0)

static void mvt_lines_encode_as_the_spec_examples(void **state)
{
    (void)state;
    uint32_t g[64];
    int type;
    /* MVT 2.1 section 4.3.5.2, a linestring. */
    const double a[] = {2, 2, 2, 10, 10, 10};
    struct mvt_layer *l = mvt_layer_new("t", 0, 0, 0);
    struct mvt_path p[2] = {{a, 3, false}};
    assert_int_equal(mvt_layer_add_lines(l, 1, p, 1, NULL, 0), 0);
    size_t n = encode_one(l, g, 64, &type);
    assert_int_equal(type, VECTOR_TILE__TILE__GEOM_TYPE__LINESTRING);
    assert_geometry(g, n, 9, 4, 4, 18, 0, 16, 16, 0);
    mvt_layer_free(l);
    /* Section 4.3.5.3, a multilinestring: the cursor carries over; a
     * repeated point and a line that rounds to one point are dropped. */
    const double b[] = {1, 1, 1.2, 0.9, 3, 5};
    const double c[] = {7.2, 7.1, 6.8, 7.3};
    struct mvt_path m[3] = {{a, 3, false}, {b, 3, false}, {c, 2, false}};
    l = mvt_layer_new("t", 0, 0, 0);
    assert_int_equal(mvt_layer_add_lines(l, 1, m, 3, NULL, 0), 0);
    n = encode_one(l, g, 64, &type);
    assert_geometry(g, n, 9, 4, 4, 18, 0, 16, 16, 0, 9, 17, 17, 10, 4, 8);
    mvt_layer_free(l);
    /* Nothing left: no feature. */
    l = mvt_layer_new("t", 0, 0, 0);
    assert_int_equal(mvt_layer_add_lines(l, 1, &m[2], 1, NULL, 0), 0);
    assert_int_equal(mvt_layer_count(l), 0);
    mvt_layer_free(l);
}

static void mvt_polygons_encode_as_the_spec_examples(void **state)
{
    (void)state;
    uint32_t g[64];
    int type;
    /* Section 4.3.5.4, a polygon (closed by repeating the first point). */
    const double a[] = {3, 6, 8, 12, 20, 34, 3, 6};
    struct mvt_path p = {a, 4, true};
    struct mvt_layer *l = mvt_layer_new("t", 0, 0, 0);
    assert_int_equal(mvt_layer_add_polygon(l, 1, &p, 1, NULL, 0), 0);
    size_t n = encode_one(l, g, 64, &type);
    assert_int_equal(type, VECTOR_TILE__TILE__GEOM_TYPE__POLYGON);
    assert_geometry(g, n, 9, 6, 12, 18, 10, 12, 24, 44, 15);
    mvt_layer_free(l);
    /* The same ring given counter-clockwise is turned clockwise, from
     * the same first point. */
    const double ccw[] = {3, 6, 20, 34, 8, 12};
    p = (struct mvt_path){ccw, 3, true};
    l = mvt_layer_new("t", 0, 0, 0);
    assert_int_equal(mvt_layer_add_polygon(l, 1, &p, 1, NULL, 0), 0);
    n = encode_one(l, g, 64, &type);
    assert_geometry(g, n, 9, 6, 12, 18, 10, 12, 24, 44, 15);
    mvt_layer_free(l);
    /* Section 4.3.5.5, a multipolygon with a hole; here the first
     * polygon comes counter-clockwise and the hole clockwise, and both are
     * turned around. */
    const double p1[] = {0, 0, 0, 10, 10, 10, 10, 0, 0, 0};
    const double p2[] = {11, 11, 20, 11, 20, 20, 11, 20, 11, 11};
    const double h2[] = {13, 13, 17, 13, 17, 17, 13, 17, 13, 13};
    struct mvt_path mp[3] = {{p1, 5, true}, {p2, 5, true}, {h2, 5, false}};
    l = mvt_layer_new("t", 0, 0, 0);
    assert_int_equal(mvt_layer_add_polygon(l, 1, mp, 3, NULL, 0), 0);
    n = encode_one(l, g, 64, &type);
    assert_geometry(g, n, 9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15, 9, 22, 2, 26,
                    18, 0, 0, 18, 17, 0, 15, 9, 4, 13, 26, 0, 8, 8, 0, 0, 7,
                    15);
    mvt_layer_free(l);
}

static void mvt_degenerate_rings_are_dropped(void **state)
{
    (void)state;
    uint32_t g[64];
    int type;
    /* Rounds to one point; a flat ring; an exterior that collapses takes
     * its hole with it; a real square survives. */
    const double dot[] = {0.1, 0.1, 0.3, 0.2, 0.2, 0.4, 0.1, 0.1};
    const double flat[] = {0, 0, 5, 5, 10, 10, 0, 0};
    const double tiny[] = {40, 40, 40.2, 40, 40.2, 40.3, 40, 40};
    const double hole[] = {1, 1, 1, 3, 3, 3, 3, 1};
    const double sq[] = {0, 0, 4, 0, 4, 4, 0, 4};
    struct mvt_path r[5] = {{dot, 4, true},
                            {flat, 4, true},
                            {tiny, 4, true},
                            {hole, 4, false},
                            {sq, 4, true}};
    struct mvt_layer *l = mvt_layer_new("t", 0, 0, 0);
    assert_int_equal(mvt_layer_add_polygon(l, 1, r, 4, NULL, 0), 0);
    assert_int_equal(mvt_layer_count(l), 0);
    assert_int_equal(mvt_layer_add_polygon(l, 1, r, 5, NULL, 0), 0);
    assert_int_equal(mvt_layer_count(l), 1);
    size_t n = encode_one(l, g, 64, &type);
    assert_geometry(g, n, 9, 0, 0, 26, 8, 0, 0, 8, 7, 0, 15);
    mvt_layer_free(l);
}

/* ---- lib/basemap.c without the server ------------------------------ */

static void basemap_load_names_the_bad_file(void **state)
{
    (void)state;
    char *dir = scratch_new(), msg[1024];
    struct basemap *bm = (struct basemap *)1;
    assert_int_equal(basemap_load(dir, &bm, msg, sizeof msg), ERR_IO);
    assert_null(bm);
    assert_contains(msg, "be-provinces.geojson");
    write_file(path_in(dir, "be-provinces.geojson"),
               "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
               "\"Feature\",\"properties\":{\"nis\":\"10000\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[4,50],[5,50],[5,51],"
               "[4,50]]]}}]}",
               (size_t)-1);
    assert_int_equal(basemap_load(dir, &bm, msg, sizeof msg), ERR_PARSE);
    assert_contains(msg, "be-provinces.geojson: feature 1");
    write_file(path_in(dir, "be-provinces.geojson"), "{\"type\":", (size_t)-1);
    assert_int_equal(basemap_load(dir, &bm, msg, sizeof msg), ERR_PARSE);
    assert_contains(msg, "be-provinces.geojson:1:");
    scratch_free(dir);
}

/* ---- the server ------------------------------------------------------ */

struct env {
    char *dir;
    char db[4096];
    struct server_proc srv;
    json_t *municipalities; /* the shipped file, to compare names with */
};

static struct env E;

static int group_setup(void **state)
{
    char *out = NULL;
    E.dir = scratch_new();
    snprintf(E.db, sizeof E.db, "%s/amo.db", E.dir);
    if (import(&out, E.db, "tests/fixtures/listings.csv") != 0)
        fail_msg("import failed:\n%s", out);
    free(out);
    json_error_t err;
    E.municipalities =
        json_load_file(GAZ_DIR "/be-municipalities.geojson", 0, &err);
    assert_non_null(E.municipalities);
    server_start(&E.srv, E.db, NULL);
    *state = &E;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    server_stop(&E.srv, NULL);
    json_decref(E.municipalities);
    scratch_free(E.dir);
    return 0;
}

static long tile_x(double lon, int z)
{
    return (long)floor((lon + 180) / 360 * (double)(1L << z));
}

static long tile_y(double lat, int z)
{
    double r = lat * M_PI / 180;
    return (long)floor((1 - asinh(tan(r)) / M_PI) / 2 * (double)(1L << z));
}

static long fetch(const char *path, struct http_answer *a)
{
    http_get(&E.srv, path, a);
    return a->status;
}

/* GDAL's dump of basemap tile z/x/y (which must be a 200 MVT). */
static char *gdal_basemap_tile(int z, long x, long y)
{
    char path[128], file[4200], *out = NULL;
    struct http_answer a;
    snprintf(path, sizeof path, "/tiles/basemap/%d/%ld/%ld.mvt", z, x, y);
    if (fetch(path, &a) != 200)
        fail_msg("%s: %ld", path, a.status);
    assert_string_equal(http_header(&a, "Content-Type"),
                        "application/vnd.mapbox-vector-tile");
    snprintf(file, sizeof file, "%s/basemap.mvt", E.dir);
    write_file(file, a.body, a.len);
    http_answer_free(&a);
    /* CLIP=NO: GDAL would otherwise clip to the tile itself and hide
     * geometry that we failed to clip. */
    if (run(&out,
            "ogrinfo -ro -al -oo CLIP=NO -oo X=%ld -oo Y=%ld -oo Z=%d '%s'", x,
            y, z, file) != 0)
        fail_msg("GDAL cannot read %s:\n%s", path, out);
    return out;
}

/* The block of GDAL's dump for the feature of 'layer' whose nis is
 * 'nis', in a static buffer ("" when absent). */
static const char *feature_block(const char *out, const char *layer,
                                 const char *nis)
{
    static char block[1 << 16];
    char head[64], key[64];
    snprintf(head, sizeof head, "OGRFeature(%s):", layer);
    snprintf(key, sizeof key, "nis (String) = %s\n", nis);
    block[0] = '\0';
    for (const char *f = strstr(out, head); f; f = strstr(f + 1, head)) {
        const char *next = strstr(f + 1, "OGRFeature(");
        size_t len = next ? (size_t)(next - f) : strlen(f);
        snprintf(block, sizeof block, "%.*s", (int)len, f);
        if (strstr(block, key))
            return block;
    }
    block[0] = '\0';
    return block;
}

/* Each geometry GDAL prints (in EPSG:3857 metres) is valid for GEOS and
 * lies within tile z/x/y and its buffer. Returns how many were checked. */
static int check_geometries(const char *out, int z, long x, long y)
{
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx);
    double ts = WEB_MERCATOR_WORLD / (double)(1L << z);
    double pad = ts * (MVT_BUFFER + 1) / MVT_EXTENT; /* + rounding */
    double minx = -WEB_MERCATOR_WORLD / 2 + (double)x * ts - pad;
    double maxx = minx + ts + 2 * pad;
    double maxy = WEB_MERCATOR_WORLD / 2 - (double)y * ts + pad;
    double miny = maxy - ts - 2 * pad;
    int n = 0;
    for (const char *l = out; (l = strstr(l, "\n  ")); l++) {
        const char *s = l + 3;
        if (strncmp(s, "MULTIPOLYGON (", 14) && strncmp(s, "POLYGON (", 9) &&
            strncmp(s, "LINESTRING (", 12) &&
            strncmp(s, "MULTILINESTRING (", 17) && strncmp(s, "POINT (", 7))
            continue;
        const char *e = strchr(s, '\n');
        char *wkt = strndup(s, e ? (size_t)(e - s) : strlen(s));
        GEOSGeometry *g = GEOSWKTReader_read_r(ctx, r, wkt);
        if (!g)
            fail_msg("GEOS cannot read %.200s", wkt);
        if (GEOSisValid_r(ctx, g) != 1)
            fail_msg("tile %d/%ld/%ld: invalid geometry: %s", z, x, y,
                     GEOSisValidReason_r(ctx, g));
        double a, b, c, d;
        GEOSGeom_getXMin_r(ctx, g, &a);
        GEOSGeom_getYMin_r(ctx, g, &b);
        GEOSGeom_getXMax_r(ctx, g, &c);
        GEOSGeom_getYMax_r(ctx, g, &d);
        if (a < minx || b < miny || c > maxx || d > maxy)
            fail_msg("tile %d/%ld/%ld: %.80s... outside the tile", z, x, y,
                     wkt);
        GEOSGeom_destroy_r(ctx, g);
        free(wkt);
        n++;
    }
    GEOSWKTReader_destroy_r(ctx, r);
    GEOS_finish_r(ctx);
    return n;
}

/* The properties of municipality 'nis' in the shipped file. */
static json_t *shipped(const char *nis)
{
    json_t *fs = json_object_get(E.municipalities, "features");
    for (size_t i = 0; i < json_array_size(fs); i++) {
        json_t *p = json_object_get(json_array_get(fs, i), "properties");
        if (strcmp(json_string_value(json_object_get(p, "nis")), nis) == 0)
            return p;
    }
    fail_msg("no municipality %s in the shipped file", nis);
    return NULL;
}

static void basemap_tiles_carry_names_and_nis_codes(void **state)
{
    (void)state;
    /* The z10 tile holding Schaerbeek's bpost centroid (1030). */
    int z = 10;
    long x = tile_x(4.3737121, z), y = tile_y(50.8676041, z);
    char *out = gdal_basemap_tile(z, x, y), want[256];
    json_t *p = shipped("21015");
    const char *b = feature_block(out, "municipalities", "21015");
    snprintf(want, sizeof want, "name_fr (String) = %s\n",
             json_string_value(json_object_get(p, "name_fr")));
    assert_contains(b, want);
    snprintf(want, sizeof want, "name_nl (String) = %s\n",
             json_string_value(json_object_get(p, "name_nl")));
    assert_contains(b, want);
    assert_contains(b, "POLYGON ((");
    /* Its label, its arrondissement (Brussels-Capital, 21000) and its
     * region, which stands with the provinces as 04000. */
    assert_contains(feature_block(out, "labels", "21015"),
                    "level (String) = municipality");
    assert_contains(feature_block(out, "arrondissements", "21000"),
                    "POLYGON ((");
    assert_contains(feature_block(out, "provinces", "04000"),
                    "name_fr (String) = Région de Bruxelles-Capitale");
    /* Boundary lines: Schaerbeek's with Evere (municipality) and with
     * Flemish Brabant, the Brussels Region's edge (province). */
    assert_contains(out, "OGRFeature(boundaries)");
    assert_contains(out, "level (String) = municipality");
    assert_contains(out, "level (String) = province");
    assert_null(strstr(out, "level (String) = country"));
    assert_true(check_geometries(out, z, x, y) > 20);
    free(out);
    /* At z6 municipalities are not drawn yet, provinces are. */
    z = 6;
    x = tile_x(4.3737121, z);
    y = tile_y(50.8676041, z);
    out = gdal_basemap_tile(z, x, y);
    assert_null(strstr(out, "OGRFeature(municipalities)"));
    assert_null(strstr(out, "OGRFeature(arrondissements)"));
    assert_contains(feature_block(out, "provinces", "20001"),
                    "name_nl (String) = Provincie Vlaams-Brabant");
    assert_contains(out, "level (String) = country");
    check_geometries(out, z, x, y);
    free(out);
    /* z12 in Liège (the geometry as shipped) and z8 (simplified). */
    int zs[] = {12, 8, 0};
    for (int i = 0; i < 3; i++) {
        x = tile_x(5.5714, zs[i]);
        y = tile_y(50.6326, zs[i]);
        out = gdal_basemap_tile(zs[i], x, y);
        assert_true(check_geometries(out, zs[i], x, y) > 0);
        free(out);
    }
}

static void basemap_low_zooms_stay_small_and_empty_tiles_are_204(void **state)
{
    (void)state;
    struct http_answer a;
    char path[128];
    /* Every tile over Belgium (2.5-6.5 E, 49.4-51.6 N) from z0 to z6:
     * small, and valid. */
    for (int z = 0; z <= 6; z++) {
        int full = 0;
        for (long x = tile_x(2.5, z); x <= tile_x(6.5, z); x++)
            for (long y = tile_y(51.6, z); y <= tile_y(49.4, z); y++) {
                snprintf(path, sizeof path, "/tiles/basemap/%d/%ld/%ld.mvt", z,
                         x, y);
                long st = fetch(path, &a);
                if (st != 200 && st != 204)
                    fail_msg("%s: %ld", path, st);
                if (a.len >= MAX_TILE_BYTES / 5)
                    fail_msg("%s: %zu bytes", path, a.len);
                full += st == 200;
                http_answer_free(&a);
                if (st == 200) { /* valid and inside, as GDAL reads it */
                    char *out = gdal_basemap_tile(z, x, y);
                    assert_true(check_geometries(out, z, x, y) > 0);
                    free(out);
                }
            }
        assert_true(full > 0);
    }
    /* The North Sea off Ostend, Paris, and the other side of the world. */
    const double empty[][2] = {{2.45, 51.75}, {2.35, 48.85}, {-60, -30}};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/tiles/basemap/10/%ld/%ld.mvt",
                 tile_x(empty[i][0], 10), tile_y(empty[i][1], 10));
        assert_int_equal(fetch(path, &a), 204);
        assert_int_equal(a.len, 0);
        http_answer_free(&a);
    }
}

static void basemap_etag_304_gzip_cors_and_404(void **state)
{
    (void)state;
    struct http_answer a;
    const char *gz[] = {"Accept-Encoding: gzip", NULL};
    http_req(&E.srv, "GET", "/tiles/basemap/7/65/43.mvt", gz, &a);
    assert_int_equal(a.status, 200);
    assert_string_equal(http_header(&a, "Content-Encoding") ?: "", "gzip");
    assert_string_equal(http_header(&a, "Access-Control-Allow-Origin"), "*");
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", http_header(&a, "ETag"));
    assert_contains(inm, "\"b");
    http_answer_free(&a);
    const char *cond[] = {inm, "Accept-Encoding: gzip", NULL};
    http_req(&E.srv, "GET", "/tiles/basemap/7/65/43.mvt", cond, &a);
    assert_int_equal(a.status, 304);
    http_answer_free(&a);
    /* The basemap depends on the boundary files, not on the directory:
     * an import that changes the data leaves its ETag alone. */
    long long before = db_int(E.db, "SELECT value FROM meta WHERE"
                                    " key = 'data_version'");
    assert_int_equal(import(NULL, E.db, "tests/fixtures/listings-fr.csv"), 0);
    assert_true(db_int(E.db, "SELECT value FROM meta WHERE"
                             " key = 'data_version'") > before);
    http_req(&E.srv, "GET", "/tiles/basemap/7/65/43.mvt", cond, &a);
    assert_int_equal(a.status, 304);
    http_answer_free(&a);
    const char *bad[] = {"/tiles/basemap/23/0/0.mvt",
                         "/tiles/basemap/3/8/0.mvt",
                         "/tiles/basemap/3/0/8.mvt",
                         "/tiles/basemap/3/-1/0.mvt",
                         "/tiles/basemap/3/1/1.png",
                         "/tiles/basemap/a/b/c.mvt",
                         "/tiles/basemap/3/1/1.mvt/x",
                         "/tiles/basemap/3/+1/1.mvt",
                         "/tiles/basemap/"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (fetch(bad[i], &a) != 404)
            fail_msg("%s: %ld", bad[i], a.status);
        http_answer_free(&a);
    }
    assert_int_equal(fetch("/tiles/basemap/0/0/0.mvt?x=1", &a), 400);
    http_answer_free(&a);
}

static void basemap_tilejson_describes_the_layers(void **state)
{
    (void)state;
    struct http_answer a;
    assert_int_equal(fetch("/tiles/basemap.json", &a), 200);
    json_t *j = json_loads(a.body, 0, NULL);
    http_answer_free(&a);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "tilejson")),
                        "3.0.0");
    assert_contains(
        json_string_value(json_array_get(json_object_get(j, "tiles"), 0)),
        "/tiles/basemap/{z}/{x}/{y}.mvt");
    json_t *layers = json_object_get(j, "vector_layers");
    const char *ids[] = {"provinces", "arrondissements", "municipalities",
                         "boundaries", "labels"};
    assert_int_equal(json_array_size(layers), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *l = json_array_get(layers, i);
        assert_string_equal(json_string_value(json_object_get(l, "id")),
                            ids[i]);
        json_t *f = json_object_get(l, "fields");
        assert_non_null(json_object_get(f, i == 3 ? "level" : "name_nl"));
    }
    /* Belgium's extent. */
    json_t *b = json_object_get(j, "bounds");
    assert_true(fabs(json_real_value(json_array_get(b, 0)) - 2.55) < 0.1);
    assert_true(fabs(json_real_value(json_array_get(b, 3)) - 51.5) < 0.1);
    json_decref(j);
    /* The listings' routes are still theirs. */
    assert_int_equal(fetch("/tiles.json", &a), 200);
    assert_contains(a.body, "\"listings\"");
    http_answer_free(&a);
}

struct fetcher {
    int z;
    long x, y;
    char *body;
    size_t len;
    long status;
};

static void *fetch_run(void *arg)
{
    struct fetcher *f = arg;
    char path[128];
    struct http_answer a;
    snprintf(path, sizeof path, "/tiles/basemap/%d/%ld/%ld.mvt", f->z, f->x,
             f->y);
    http_get(&E.srv, path, &a);
    f->status = a.status;
    f->len = a.len;
    f->body = a.body;
    a.body = NULL;
    http_answer_free(&a);
    return NULL;
}

/* Tiles built at once by the server's threads (each with its own GEOS
 * context) are the same as tiles built one at a time. */
static void basemap_concurrent_tiles_match_serial_ones(void **state)
{
    (void)state;
    enum { N = 8 };
    struct fetcher f[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        f[i] = (struct fetcher){.z = 9 + i % 3};
        f[i].x = tile_x(4.35 + 0.3 * (i % 4), f[i].z);
        f[i].y = tile_y(50.85 - 0.2 * (i / 4), f[i].z);
        pthread_create(&t[i], NULL, fetch_run, &f[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++) {
        struct fetcher again = f[i];
        fetch_run(&again);
        assert_int_equal(f[i].status, 200);
        assert_int_equal(again.len, f[i].len);
        assert_memory_equal(again.body, f[i].body, f[i].len);
        free(again.body);
        free(f[i].body);
    }
}

/* A bad boundary file stops the server at start, naming the file. */
static void server_refuses_to_start_with_a_bad_boundary_file(void **state)
{
    (void)state;
    char *dir = scratch_new(), *out = NULL;
    assert_int_equal(run(NULL, "cp '%s'/* '%s'/", GAZ_DIR, dir), 0);
    write_file(path_in(dir, "be-arrondissements.geojson"),
               "{\"type\":\"FeatureCollection\",\"features\":[]}", (size_t)-1);
    int rc = run(&out,
                 "timeout 60 %s/amo-server --listen 127.0.0.1:0 --db '%s' "
                 "--data '%s'",
                 bin_dir(), E.db, dir);
    assert_int_equal(rc, EXIT_INPUT); /* an input cannot be read */
    assert_contains(out, "be-arrondissements.geojson");
    assert_contains(out, "no features");
    free(out);
    scratch_free(dir);
}

int main(void)
{
    /* One group: tests/run counts the last summary line of a program. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mvt_lines_encode_as_the_spec_examples),
        cmocka_unit_test(mvt_polygons_encode_as_the_spec_examples),
        cmocka_unit_test(mvt_degenerate_rings_are_dropped),
        cmocka_unit_test(basemap_load_names_the_bad_file),
        cmocka_unit_test(basemap_tiles_carry_names_and_nis_codes),
        cmocka_unit_test(basemap_low_zooms_stay_small_and_empty_tiles_are_204),
        cmocka_unit_test(basemap_etag_304_gzip_cors_and_404),
        cmocka_unit_test(basemap_tilejson_describes_the_layers),
        cmocka_unit_test(basemap_concurrent_tiles_match_serial_ones),
        cmocka_unit_test(server_refuses_to_start_with_a_bad_boundary_file),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests_name("basemap", tests, group_setup,
                                         group_teardown);
    curl_global_cleanup();
    return rc;
}
