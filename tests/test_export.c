/* test_export.c - bin/amo-export on the shipped directory, checked with
 * independent readers: GDAL (MBTiles and the tile directory), the npm
 * `pmtiles` and `@mapbox/vector-tile` packages (the PMTiles archive), the
 * live server (the same tile bytes for every z/x/y) and jansson (GeoJSON
 * equal to /api/listings.geojson), and the Open Referral HSDS 3.0 export
 * validated against the standard's own schema files with ajv and
 * tests/hsds/check-hsds.mjs. Also: usage errors, and an interrupted or
 * failed export that leaves OUT as it was. */
#include "support.h"

#include "exitcode.h"

#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "server_proc.h"

struct env {
    char *dir;
    char db[4096];
};

static struct env E;

static int group_setup(void **state)
{
    E.dir = scratch_with_shipped_db(E.db, sizeof E.db);
    *state = &E;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    scratch_free(E.dir);
    return 0;
}

static int export_cmd(char **out, const char *db, const char *args)
{
    return run(out, "%s/amo-export --db '%s' %s", bin_dir(), db, args);
}

/* Export the shipped database's tiles as 'format' to 'out'; fails the
 * test when amo-export does. */
static void export_tiles(const char *db, const char *format, const char *out)
{
    char args[4300], *log = NULL;
    snprintf(args, sizeof args, "--quiet tiles --format %s '%s'", format, out);
    if (export_cmd(&log, db, args) != 0)
        fail_msg("export to %s failed:\n%s", out, log);
    free(log);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted list of "id|name|category|commune" lines. */
struct rows {
    char **v;
    size_t n;
};

static void rows_add(struct rows *r, const char *s)
{
    r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
    assert_non_null(r->v);
    r->v[r->n++] = strdup(s);
}

static void rows_free(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

static void rows_sort(struct rows *r)
{
    qsort(r->v, r->n, sizeof *r->v, cmp_str);
}

/* What the tiles must hold at the highest zoom: every positioned listing
 * once, with its tile properties. */
static void db_rows(const char *db, struct rows *r)
{
    char *all = NULL;
    if (run(&all,
            "sqlite3 -noheader -separator '|' '%s' \"SELECT id, name,"
            " category, coalesce(commune, '') FROM listings"
            " WHERE lat IS NOT NULL\"",
            db) != 0)
        fail_msg("sqlite3 failed:\n%s", all);
    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n"))
        rows_add(r, line);
    free(all);
    rows_sort(r);
}

/* The value of "  key (Type) = value" in a GDAL feature block. */
static void gdal_field(const char *block, const char *key, char *val,
                       size_t size)
{
    char k[64];
    snprintf(k, sizeof k, "\n  %s (", key);
    const char *p = strstr(block, k);
    val[0] = '\0';
    if (!p || !(p = strstr(p, ") = ")))
        return;
    p += 4;
    size_t len = strcspn(p, "\n");
    snprintf(val, size, "%.*s", (int)len, p);
    if (strcmp(val, "(null)") == 0)
        val[0] = '\0';
}

/* The features of an ogrinfo -al dump as rows. */
static void gdal_rows(const char *out, struct rows *r)
{
    for (const char *f = strstr(out, "OGRFeature("); f;) {
        const char *next = strstr(f + 1, "OGRFeature(");
        size_t len = next ? (size_t)(next - f) : strlen(f);
        char *block = strndup(f, len), id[32], name[512], cat[64], com[256];
        char line[1024];
        /* The feature id is the listing id; the "id" property GDAL reads
         * as a Real from the metadata's "Number". */
        gdal_field(block, "mvt_id", id, sizeof id);
        gdal_field(block, "name", name, sizeof name);
        gdal_field(block, "category", cat, sizeof cat);
        gdal_field(block, "commune", com, sizeof com);
        snprintf(line, sizeof line, "%s|%s|%s|%s", id, name, cat, com);
        rows_add(r, line);
        free(block);
        f = next;
    }
    rows_sort(r);
}

static void assert_rows_equal(const struct rows *want, const struct rows *got,
                              const char *what)
{
    for (size_t i = 0; i < want->n && i < got->n; i++)
        if (strcmp(want->v[i], got->v[i]) != 0)
            fail_msg("%s: listing %zu differs:\n  database: %s\n  read:     "
                     "%s",
                     what, i, want->v[i], got->v[i]);
    if (want->n != got->n)
        fail_msg("%s: %zu listings read, %zu in the database", what, got->n,
                 want->n);
}

static uint8_t *gunzip(const void *in, size_t len, size_t *outlen)
{
    size_t cap = len * 8 + 1024;
    uint8_t *out = malloc(cap);
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    *outlen = z.total_out;
    inflateEnd(&z);
    return out;
}

static void mbtiles_read_by_gdal(void **state)
{
    (void)state;
    const char *mb = path_in(E.dir, "amo.mbtiles");
    char *out = NULL, mbcopy[4096];
    snprintf(mbcopy, sizeof mbcopy, "%s", mb);
    if (export_cmd(&out, E.db, "tiles --format mbtiles --maxzoom 14 ") != 2)
        fail_msg("no OUT must be a usage error:\n%s", out);
    free(out);
    char args[4200];
    snprintf(args, sizeof args, "tiles --format mbtiles '%s'", mbcopy);
    if (export_cmd(&out, E.db, args) != 0)
        fail_msg("export failed:\n%s", out);
    assert_contains(out, "tiles, zooms 0-14");
    free(out);
    /* MBTiles 1.3 metadata. */
    assert_int_equal(
        db_int(mbcopy, "SELECT count(*) FROM metadata WHERE name = 'format'"
                       " AND value = 'pbf'"),
        1);
    for (const char *k = "name\0bounds\0center\0minzoom\0maxzoom\0json\0"; *k;
         k += strlen(k) + 1) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM metadata WHERE name = '%s'", k);
        if (db_int(mbcopy, sql) != 1)
            fail_msg("metadata '%s' missing", k);
    }
    char *json = db_text(mbcopy, "SELECT value FROM metadata WHERE name ="
                                 " 'json'");
    assert_contains(json, "\"vector_layers\"");
    assert_contains(json, "\"id\":\"listings\"");
    free(json);
    assert_int_equal(db_int(mbcopy, "SELECT max(zoom_level) FROM tiles"), 14);
    /* GDAL reads the highest zoom: every listing once, as stored. */
    if (run(&out, "ogrinfo -ro -al -q '%s'", mbcopy) != 0)
        fail_msg("GDAL cannot read the MBTiles:\n%s", out);
    struct rows want = {0}, got = {0};
    db_rows(E.db, &want);
    gdal_rows(out, &got);
    free(out);
    assert_true(want.n > 300);
    assert_rows_equal(&want, &got, "MBTiles at zoom 14 (GDAL)");
    rows_free(&want);
    rows_free(&got);
}

static void dir_read_by_gdal_and_same_as_mbtiles(void **state)
{
    (void)state;
    char dir[4096], mb[4096], *out = NULL;
    snprintf(dir, sizeof dir, "%s", path_in(E.dir, "tiles"));
    snprintf(mb, sizeof mb, "%s", path_in(E.dir, "same.mbtiles"));
    export_tiles(E.db, "dir", dir);
    export_tiles(E.db, "mbtiles", mb);
    /* The TileJSON and metadata.json beside the tiles. */
    size_t len;
    char *tj = read_file(path_in(dir, "tiles.json"), &len);
    assert_non_null(tj);
    assert_contains(tj, "\"tilejson\": \"3.0.0\"");
    assert_contains(tj, "{z}/{x}/{y}.mvt");
    free(tj);
    if (run(&out, "ogrinfo -ro -al -q -oo TILE_EXTENSION=mvt 'MVT:%s/14'",
            dir) != 0)
        fail_msg("GDAL cannot read the tile directory:\n%s", out);
    struct rows want = {0}, got = {0};
    db_rows(E.db, &want);
    gdal_rows(out, &got);
    free(out);
    assert_rows_equal(&want, &got, "tile directory at zoom 14 (GDAL)");
    rows_free(&want);
    rows_free(&got);
    /* Every MBTiles tile (TMS rows, gzip) is the directory's tile
     * (XYZ rows, plain), and there are as many. */
    char *list = NULL;
    if (run(&list,
            "sqlite3 -noheader -separator / '%s' \"SELECT zoom_level,"
            " tile_column, tile_row FROM tiles\"",
            mb) != 0)
        fail_msg("sqlite3: %s", list);
    long n = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        int z;
        long x, row;
        assert_int_equal(sscanf(line, "%d/%ld/%ld", &z, &x, &row), 3);
        long y = (1L << z) - 1 - row;
        char file[8400], sql[256];
        snprintf(file, sizeof file, "%s/%d/%ld/%ld.mvt", dir, z, x, y);
        size_t flen, rlen;
        char *plain = read_file(file, &flen);
        if (!plain)
            fail_msg("tile %d/%ld/%ld (TMS row %ld) not in the directory", z, x,
                     y, row);
        snprintf(sql, sizeof sql,
                 "SELECT hex(tile_data) FROM tiles WHERE zoom_level = %d AND"
                 " tile_column = %ld AND tile_row = %ld",
                 z, x, row);
        char *hex = db_text(mb, sql);
        size_t glen = strlen(hex) / 2;
        uint8_t *gz = malloc(glen);
        for (size_t i = 0; i < glen; i++)
            sscanf(hex + 2 * i, "%2hhx", &gz[i]);
        uint8_t *raw = gunzip(gz, glen, &rlen);
        if (rlen != flen || memcmp(raw, plain, flen) != 0)
            fail_msg("tile %d/%ld/%ld differs between MBTiles and directory", z,
                     x, y);
        free(raw);
        free(gz);
        free(hex);
        free(plain);
        n++;
    }
    free(list);
    char *count = NULL;
    run(&count, "find '%s' -name '*.mvt' | wc -l", dir);
    assert_int_equal(atol(count), n);
    free(count);
    assert_true(n > 100);
}

/* The npm reader of the PMTiles archive: run the checker script and
 * return its JSON summary. */
static json_t *check_pmtiles(const char *archive, const char *dir)
{
    char *out = NULL;
    if (run(&out, "node tests/tiles/check-pmtiles.mjs '%s' '%s' 2>&1", archive,
            dir) != 0)
        fail_msg("the npm pmtiles reader rejects %s (is `npm ci` done?):\n%s",
                 archive, out);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    if (!j)
        fail_msg("checker output is not JSON (%s):\n%s", err.text, out);
    free(out);
    return j;
}

static void pmtiles_read_by_npm(void **state)
{
    (void)state;
    char pm[4096], dir[4096];
    snprintf(pm, sizeof pm, "%s", path_in(E.dir, "amo.pmtiles"));
    snprintf(dir, sizeof dir, "%s", path_in(E.dir, "pmdir"));
    export_tiles(E.db, "pmtiles", pm);
    export_tiles(E.db, "dir", dir);
    json_t *j = check_pmtiles(pm, dir);
    json_t *h = json_object_get(j, "header");
    assert_int_equal(json_integer_value(json_object_get(h, "minZoom")), 0);
    assert_int_equal(json_integer_value(json_object_get(h, "maxZoom")), 14);
    assert_int_equal(json_integer_value(json_object_get(h, "tileType")), 1);
    assert_int_equal(json_integer_value(json_object_get(h, "tileCompression")),
                     2);
    assert_true(json_number_value(json_object_get(h, "minLon")) > 2.5);
    assert_true(json_number_value(json_object_get(h, "maxLat")) < 51.6);
    json_t *meta = json_object_get(j, "metadata");
    assert_non_null(json_object_get(meta, "vector_layers"));
    /* The features of zoom 14 are the listings of the database. */
    struct rows want = {0}, got = {0};
    db_rows(E.db, &want);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(j, "features"), i, f)
    {
        char line[1024];
        const char *com = json_string_value(json_object_get(f, "commune"));
        snprintf(line, sizeof line, "%lld|%s|%s|%s",
                 (long long)json_number_value(json_object_get(f, "id")),
                 json_string_value(json_object_get(f, "name")),
                 json_string_value(json_object_get(f, "category")),
                 com ? com : "");
        rows_add(&got, line);
    }
    rows_sort(&got);
    assert_rows_equal(&want, &got, "PMTiles at zoom 14 (npm pmtiles)");
    rows_free(&want);
    rows_free(&got);
    json_decref(j);
}

/* More tiles than one root directory holds: leaf directories (synthetic
 * listings, see bench/gen_listings.c). */
static void pmtiles_leaf_directories(void **state)
{
    (void)state;
    char db[4096], pm[4096], dir[4096], *out = NULL;
    snprintf(db, sizeof db, "%s", path_in(E.dir, "synthetic.db"));
    snprintf(pm, sizeof pm, "%s", path_in(E.dir, "synthetic.pmtiles"));
    snprintf(dir, sizeof dir, "%s", path_in(E.dir, "synthetic-dir"));
    if (run(&out,
            "%s/bench/gen-listings --count 20000 > '%s.csv' &&"
            " %s/amo-import --quiet --db '%s' --source synthetic '%s.csv'",
            getenv("BUILD") ? getenv("BUILD") : "build", db, bin_dir(), db,
            db) != 0)
        fail_msg("synthetic import failed:\n%s", out);
    free(out);
    export_tiles(db, "pmtiles", pm);
    export_tiles(db, "dir", dir);
    /* The root directory must fit the first 16 KiB: with this many tiles
     * that takes leaves (bytes 40..47 of the header: their length). */
    size_t len;
    char *file = read_file(pm, &len);
    assert_true(len > 127);
    uint64_t leaves = 0;
    for (int i = 0; i < 8; i++)
        leaves |= (uint64_t)(uint8_t)file[48 + i] << (8 * i);
    uint64_t root_off = 0, root_len = 0;
    for (int i = 0; i < 8; i++) {
        root_off |= (uint64_t)(uint8_t)file[8 + i] << (8 * i);
        root_len |= (uint64_t)(uint8_t)file[16 + i] << (8 * i);
    }
    free(file);
    assert_true(leaves > 0);
    assert_true(root_off + root_len <= 16384);
    json_t *j = check_pmtiles(pm, dir);
    assert_int_equal(json_array_size(json_object_get(j, "features")),
                     db_int(db, "SELECT count(*) FROM listings"));
    json_decref(j);
}

/* Every tile listed by 'find_cmd' (run in 'dir', paths "z/x/y.mvt") is
 * served live under 'prefix' with the exported bytes. Returns how many. */
static long live_equals_exported(const struct server_proc *srv,
                                 const char *prefix, const char *dir,
                                 const char *find_cmd)
{
    char *list = NULL;
    long n = 0;
    run(&list, "cd '%s' && %s", dir, find_cmd);
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        char path[300], file[4400];
        snprintf(path, sizeof path, "%s%s", prefix, line);
        snprintf(file, sizeof file, "%s/%s", dir, line);
        struct http_answer a;
        http_get(srv, path, &a);
        size_t flen;
        char *exported = read_file(file, &flen);
        if (a.status != 200 || !exported || a.len != flen ||
            memcmp(a.body, exported, flen) != 0)
            fail_msg("%s: live tile differs from the exported one", path);
        free(exported);
        http_answer_free(&a);
        n++;
    }
    free(list);
    return n;
}

static void live_tiles_are_the_exported_tiles(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path_in(E.dir, "live-check"));
    export_tiles(E.db, "dir", dir);
    struct server_proc srv;
    server_start(&srv, E.db, NULL);
    /* Every tile over Belgium from zoom 0 to 10, and every exported tile
     * of the higher zooms: a live 200 has the exported bytes, a live 204
     * has no exported file. */
    long same = 0, empty = 0;
    for (int z = 0; z <= 10; z++) {
        double n = (double)(1L << z);
        long x0 = (long)((2.5 + 180) / 360 * n),
             x1 = (long)((6.5 + 180) / 360 * n);
        long y0 = (long)((1 - asinh(tan(51.6 * M_PI / 180)) / M_PI) / 2 * n);
        long y1 = (long)((1 - asinh(tan(49.4 * M_PI / 180)) / M_PI) / 2 * n);
        for (long x = x0; x <= x1; x++)
            for (long y = y0; y <= y1; y++) {
                char path[128], file[4300];
                snprintf(path, sizeof path, "/tiles/%d/%ld/%ld.mvt", z, x, y);
                snprintf(file, sizeof file, "%s/%d/%ld/%ld.mvt", dir, z, x, y);
                struct http_answer a;
                http_get(&srv, path, &a);
                size_t flen;
                char *exported = read_file(file, &flen);
                if (a.status == 204 && !exported) {
                    empty++;
                } else if (a.status == 200 && exported && a.len == flen &&
                           memcmp(a.body, exported, flen) == 0) {
                    same++;
                } else {
                    fail_msg("%s: live %ld (%zu bytes), exported %s (%zu "
                             "bytes)",
                             path, a.status, a.len, exported ? "file" : "none",
                             exported ? flen : 0);
                }
                free(exported);
                http_answer_free(&a);
            }
    }
    same +=
        live_equals_exported(&srv, "/tiles/", dir, "find 1[1-4] -name '*.mvt'");
    server_stop(&srv, NULL);
    assert_true(same > 300);
    assert_true(empty > 100);
}

/* The basemap tileset exported: the live basemap tiles' bytes, and GDAL
 * finds every municipality of the boundaries file at the highest zoom. */
static void basemap_export_matches_live_and_gdal(void **state)
{
    (void)state;
    char dir[4096], mb[4096], args[8400], *out = NULL;
    snprintf(dir, sizeof dir, "%s", path_in(E.dir, "basemap-dir"));
    snprintf(mb, sizeof mb, "%s", path_in(E.dir, "basemap.mbtiles"));
    snprintf(args, sizeof args,
             "--quiet tiles --tileset basemap --format dir '%s'", dir);
    if (export_cmd(&out, E.db, args) != 0)
        fail_msg("basemap export failed:\n%s", out);
    free(out);
    snprintf(args, sizeof args,
             "--quiet tiles --tileset basemap --format mbtiles '%s'", mb);
    if (export_cmd(&out, E.db, args) != 0)
        fail_msg("basemap export failed:\n%s", out);
    free(out);
    struct server_proc srv;
    server_start(&srv, E.db, NULL);
    long n = live_equals_exported(&srv, "/tiles/basemap/", dir,
                                  "find . -name '*.mvt' | sed 's|^./||'");
    server_stop(&srv, NULL);
    assert_true(n > 1000);
    /* Every municipality, by NIS code, in the MBTiles at zoom 12. */
    if (run(&out,
            "ogrinfo -ro -q '%s' municipalities | grep -o 'nis (String) = "
            "[0-9]*' | sort -u | wc -l",
            mb) != 0)
        fail_msg("GDAL cannot read the basemap MBTiles:\n%s", out);
    char *want = NULL;
    run(&want, "grep -o '\"nis\": *\"[0-9]*\"' "
               "data/gazetteer/be-municipalities.geojson | sort -u | wc -l");
    assert_true(atol(want) >= 581);
    assert_int_equal(atol(out), atol(want));
    free(out);
    free(want);
}

static void geojson_equals_the_api(void **state)
{
    (void)state;
    char file[4096], args[8400], *out = NULL;
    snprintf(file, sizeof file, "%s", path_in(E.dir, "amo.geojson"));
    snprintf(args, sizeof args, "geojson --category amo,sdj '%s'", file);
    if (export_cmd(&out, E.db, args) != 0)
        fail_msg("export failed:\n%s", out);
    free(out);
    struct server_proc srv;
    server_start(&srv, E.db, NULL);
    struct http_answer a;
    http_get(&srv, "/api/listings.geojson?category=amo,sdj", &a);
    server_stop(&srv, NULL);
    assert_int_equal(a.status, 200);
    json_error_t err;
    json_t *api = json_loads(a.body, 0, &err);
    json_t *exp = json_load_file(file, 0, &err);
    http_answer_free(&a);
    assert_non_null(api);
    if (!exp)
        fail_msg("%s is not JSON: %s line %d", file, err.text, err.line);
    size_t n = json_array_size(json_object_get(exp, "features"));
    assert_int_equal(n, db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                     " category IN ('amo', 'sdj')"));
    if (!json_equal(json_object_get(api, "features"),
                    json_object_get(exp, "features")))
        fail_msg("the exported features differ from /api/listings.geojson");
    json_decref(api);
    json_decref(exp);
    /* GDAL reads it as GeoJSON with the same count. */
    if (run(&out, "ogrinfo -ro -al -so '%s'", file) != 0)
        fail_msg("GDAL cannot read %s:\n%s", file, out);
    char want[64];
    snprintf(want, sizeof want, "Feature Count: %zu", n);
    assert_contains(out, want);
    free(out);
}

static void bad_usage_is_refused(void **state)
{
    (void)state;
    char *out = NULL, args[8400];
    const char *dir = E.dir;
    assert_int_equal(export_cmd(&out, E.db, "tiles --format gpkg x"), 2);
    assert_contains(out, "--format: expected mbtiles, pmtiles or dir");
    free(out);
    assert_int_equal(
        export_cmd(&out, E.db, "tiles --tileset roads --format dir x"), 2);
    assert_contains(out, "--tileset: expected listings or basemap");
    free(out);
    snprintf(args, sizeof args,
             "tiles --tileset basemap --data '%s' --format dir '%s/bm'", dir,
             dir);
    assert_int_equal(export_cmd(&out, E.db, args), EXIT_INPUT);
    assert_contains(out, "be-provinces.geojson");
    free(out);
    assert_int_equal(
        export_cmd(&out, E.db, "tiles --format dir --maxzoom 23 x"), 2);
    assert_contains(out, "--maxzoom: expected a zoom from 0 to 22");
    free(out);
    assert_int_equal(
        export_cmd(&out, E.db, "tiles --format dir --minzoom 9 --maxzoom 3 x"),
        2);
    assert_contains(out, "above --maxzoom");
    free(out);
    assert_int_equal(export_cmd(&out, E.db, "geojson --category amo,nope x"),
                     2);
    assert_contains(out, "--category: no category 'nope'");
    free(out);
    assert_int_equal(export_cmd(&out, E.db, "maps x"), 2);
    free(out);
    snprintf(args, sizeof args, "geojson '%s/no/such/dir/x.geojson'", dir);
    assert_int_equal(export_cmd(&out, E.db, args), EXIT_OUTPUT);
    assert_contains(out, "cannot create");
    free(out);
    assert_int_equal(run(&out, "%s/amo-export --db '%s/absent.db' geojson -",
                         bin_dir(), dir),
                     4);
    assert_contains(out, "absent.db");
    free(out);
}

/* SIGTERM in the middle of a long export: exit 1, OUT as it was, no
 * temporary left. SIGKILL: OUT as it was too. */
/* "OUT/" is the directory OUT: its temporary copy is made beside it, not
 * inside (it once was "OUT/.tmp-PID", renamed over its own parent). */
static void out_with_a_trailing_slash_is_that_directory(void **state)
{
    (void)state;
    char *dir = scratch_new(), out[4200];
    snprintf(out, sizeof out, "%s/tiles/", dir);
    char args[4400], *log = NULL;
    snprintf(args, sizeof args, "--quiet tiles --format dir --maxzoom 3 '%s'",
             out);
    assert_int_equal(export_cmd(&log, E.db, args), 0);
    free(log);
    char *ls = NULL;
    assert_int_equal(run(&ls, "ls -A '%s'", dir), 0);
    assert_string_equal(ls, "tiles\n");
    free(ls);
    assert_int_equal(run(NULL, "test -s '%s/tiles/0/0/0.mvt'", dir), 0);
    scratch_free(dir);
}

static void interrupted_export_leaves_out_unchanged(void **state)
{
    (void)state;
    char out_path[4096], db[4096];
    snprintf(out_path, sizeof out_path, "%s", path_in(E.dir, "keep.mbtiles"));
    snprintf(db, sizeof db, "%s", path_in(E.dir, "synthetic.db"));
    if (access(db, R_OK) != 0)
        snprintf(db, sizeof db, "%s", E.db);
    for (int sig = 0; sig < 2; sig++) {
        write_file(out_path, "the previous export", (size_t)-1);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char exe[4096];
            snprintf(exe, sizeof exe, "%s/amo-export", bin_dir());
            freopen("/dev/null", "w", stderr);
            execl(exe, exe, "--db", db, "tiles", "--format", "mbtiles",
                  "--maxzoom", "22", out_path, (char *)NULL);
            _exit(127);
        }
        /* Wait until the temporary exists, then stop the export. */
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out_path, (long)pid);
        for (int i = 0; i < 500 && access(tmp, F_OK) != 0; i++)
            usleep(10000);
        usleep(200000);
        kill(pid, sig == 0 ? SIGTERM : SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (sig == 0) {
            if (!WIFEXITED(status) || WEXITSTATUS(status) != EXIT_INTERRUPTED)
                fail_msg("SIGTERM: expected exit %d (interrupted), got "
                         "status %d",
                         EXIT_INTERRUPTED, status);
            assert_int_equal(access(tmp, F_OK), -1);
        } else {
            assert_true(WIFSIGNALED(status));
            unlink(tmp);
        }
        size_t len;
        char *kept = read_file(out_path, &len);
        assert_non_null(kept);
        assert_string_equal(kept, "the previous export");
        free(kept);
    }
}

/* ---- Open Referral HSDS 3.0 ---- */

#define HSDS_STANDARD "tests/standards/hsds-3.0"

/* Export the shipped database as HSDS into E.dir/'name'; returns its
 * path (static) and the run's time in seconds. */
static const char *export_hsds(const char *db, const char *name, double *secs)
{
    static char dir[4096];
    char args[4300], *log = NULL;
    snprintf(dir, sizeof dir, "%s", path_in(E.dir, name));
    snprintf(args, sizeof args, "hsds '%s'", dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (export_cmd(&log, db, args) != 0)
        fail_msg("amo-export hsds failed:\n%s", log);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (secs)
        *secs = (double)(t1.tv_sec - t0.tv_sec) +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("%s", log);
    free(log);
    return dir;
}

/* Run the validator on 'dir'; returns its exit status and output. */
static int check_hsds(const char *dir, char **out)
{
    return run(out, "node tests/hsds/check-hsds.mjs '%s' " HSDS_STANDARD, dir);
}

static long table_rows(json_t *summary, const char *file)
{
    json_t *n = json_object_get(json_object_get(summary, "tables"), file);
    if (!json_is_integer(n))
        fail_msg("the validator counted no rows of %s", file);
    return (long)json_integer_value(n);
}

/* Every service object against schema/compiled/service.json (ajv, both
 * drafts) and every table against HSDS's datapackage.json: 0 errors, and
 * one service, organization and location per listing. */
static void hsds_export_is_valid_hsds_3(void **state)
{
    (void)state;
    double secs;
    const char *dir = export_hsds(E.db, "hsds", &secs);
    char *out = NULL;
    if (check_hsds(dir, &out) != 0)
        fail_msg("the HSDS export does not validate (is `npm ci` done?):\n%s",
                 out);
    json_error_t err;
    json_t *sum = json_loads(out, 0, &err);
    if (!sum)
        fail_msg("validator output is not JSON (%s):\n%s", err.text, out);
    free(out);
    json_t *je = json_object_get(sum, "json_errors");
    assert_int_equal(json_integer_value(json_object_get(sum, "errors")), 0);
    assert_int_equal(json_integer_value(json_object_get(je, "draft-07")), 0);
    assert_int_equal(json_integer_value(json_object_get(je, "2020-12")), 0);
    long long listings = db_int(E.db, "SELECT count(*) FROM listings");
    assert_true(listings > 300);
    assert_int_equal(json_integer_value(json_object_get(sum, "services")),
                     listings);
    assert_int_equal(table_rows(sum, "services.csv"), listings);
    assert_int_equal(table_rows(sum, "organizations.csv"), listings);
    assert_int_equal(table_rows(sum, "locations.csv"), listings);
    assert_int_equal(table_rows(sum, "service_at_location.csv"), listings);
    assert_int_equal(table_rows(sum, "phones.csv"),
                     db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                  " phone IS NOT NULL"));
    assert_int_equal(table_rows(sum, "addresses.csv"),
                     db_int(E.db, "SELECT count(*) FROM listings WHERE"
                                  " street IS NOT NULL AND postcode IS NOT"
                                  " NULL"));
    assert_int_equal(table_rows(sum, "service_areas.csv"),
                     db_int(E.db, "SELECT count(*) FROM listing_territory"));
    /* Three metadata entries at most per listing: source_url, source_date
     * and verified_on, each only when known. */
    assert_int_equal(table_rows(sum, "metadata.csv"),
                     db_int(E.db,
                            "SELECT count(source_url) + count(source_date) +"
                            " count(verified_at) FROM listings"));
    assert_true(table_rows(sum, "schedules.csv") >=
                db_int(E.db, "SELECT count(opening_hours) FROM listings"));
    print_message("hsds: %lld services, validated with 0 errors; export "
                  "%.2f s\n",
                  listings, secs);
    json_decref(sum);
    /* A schedule from "Mo,We 14:00-18:00; Fr 13:00-17:00". */
    char *sched = NULL;
    run(&sched, "grep -c 'MO,WE\",,,,,14:00:00,18:00:00' '%s/schedules.csv'",
        dir);
    assert_true(atol(sched) >= 1);
    free(sched);
}

/* Copy the export to 'name', break it with 'sh' (run in the copy), and
 * expect the validator to fail saying 'why'. */
static void expect_rejected(const char *good, const char *name, const char *sh,
                            const char *why)
{
    char bad[4096], *out = NULL;
    snprintf(bad, sizeof bad, "%s", path_in(E.dir, name));
    assert_int_equal(
        run(NULL, "rm -rf '%s' && cp -r '%s' '%s'", bad, good, bad), 0);
    if (run(&out, "cd '%s' && %s", bad, sh) != 0)
        fail_msg("could not break %s: %s\n%s", name, sh, out);
    free(out);
    int rc = check_hsds(bad, &out);
    if (rc != 1)
        fail_msg("the validator accepted %s (%s), status %d:\n%s", name, sh, rc,
                 out);
    assert_contains(out, why);
    free(out);
}

/* A validator that accepts anything would pass the test above: each of
 * these broken copies must be refused, for the reason given. */
static void hsds_validator_rejects_broken_exports(void **state)
{
    (void)state;
    const char *good = export_hsds(E.db, "hsds-good", NULL);
    char good_copy[4096];
    snprintf(good_copy, sizeof good_copy, "%s", good);
    expect_rejected(good_copy, "hsds-bad1",
                    "sed -i '2s/,\"status\":\"active\"//' services.json",
                    "must have required property 'status'");
    expect_rejected(good_copy, "hsds-bad2",
                    "sed -i '3s/\"id\":\"[0-9a-f-]*\"/\"id\":\"amo-42\"/' "
                    "services.json",
                    "must match format \"uuid\"");
    expect_rejected(good_copy, "hsds-bad3",
                    "sed -i '2s/^\\([^,]*\\),\\([^,]*\\),,[^,]*,/\\1,\\2,,,/' "
                    "services.csv",
                    "services.csv:2: name is required");
    expect_rejected(good_copy, "hsds-bad4",
                    "sed -i '2s/^\\([^,]*\\),,[0-9a-f-]*,/\\1,,"
                    "00000000-0000-5000-8000-000000000000,/' phones.csv",
                    "is no service.id");
    expect_rejected(good_copy, "hsds-bad5",
                    "sed -i '0,/,14:00:00,/s//,14h,/' schedules.csv",
                    "is not a time");
    expect_rejected(good_copy, "hsds-bad6",
                    "sed -i '0,/\"type\": \"uuid\"/s//\"type\": \"x\"/;"
                    "0,/\"format\": \"uuid\"/s//\"format\": \"uri\"/' "
                    "datapackage.json",
                    "HSDS: {\"name\":\"id\",\"type\":\"string\","
                    "\"format\":\"uuid\"");
}

/* The ids are UUIDs derived from the listings' ids: two exports of the
 * same database are byte for byte the same, and a fresh import of the
 * same files (in another order) gives the same ids. */
static void hsds_ids_are_stable(void **state)
{
    (void)state;
    char a[4096], b[4096], db2[4096], *out = NULL;
    snprintf(a, sizeof a, "%s", export_hsds(E.db, "hsds-a", NULL));
    snprintf(b, sizeof b, "%s", export_hsds(E.db, "hsds-b", NULL));
    assert_int_equal(run(&out, "diff -r '%s' '%s'", a, b), 0);
    free(out);
    snprintf(db2, sizeof db2, "%s", path_in(E.dir, "reversed.db"));
    if (import(&out, db2, "--quiet $(ls data/listings/*.csv | sort -r)") != 0)
        fail_msg("import failed:\n%s", out);
    free(out);
    snprintf(b, sizeof b, "%s", export_hsds(db2, "hsds-c", NULL));
    /* Each table's first column is its id. */
    assert_int_equal(run(&out,
                         "cd '%s' && for f in *.csv; do cut -d, -f1 $f | "
                         "sort > ../ids.tmp; cut -d, -f1 '%s'/$f | sort | "
                         "cmp -s - ../ids.tmp || echo $f; done; "
                         "rm -f ../ids.tmp",
                         a, b),
                     0);
    assert_string_equal(out, "");
    free(out);
    char *n = NULL;
    run(&n,
        "cut -d, -f1 '%s/services.csv' | grep -c '^[0-9a-f]\\{8\\}-"
        "[0-9a-f]\\{4\\}-5'",
        a);
    assert_int_equal(atol(n), db_int(E.db, "SELECT count(*) FROM listings"));
    free(n);
}

/* Errors name what failed, and OUT stays as it was, with no temporary
 * left beside it. */
static void hsds_failure_leaves_out_unchanged(void **state)
{
    (void)state;
    char *dir = scratch_new(), out[4200], args[8000], *log = NULL;
    snprintf(out, sizeof out, "%s/hsds", dir);
    assert_int_equal(run(NULL, "mkdir '%s' && echo old > '%s/keep'", out, out),
                     0);
    /* The gazetteer cannot be read. */
    snprintf(args, sizeof args, "hsds --data '%s/none' '%s'", dir, out);
    assert_int_equal(export_cmd(&log, E.db, args), EXIT_INPUT);
    assert_contains(log, "be-municipalities.geojson");
    free(log);
    /* A file cannot be written whole (a 200 KB file size limit; the
     * signal ignored, so write() fails with EFBIG). */
    assert_int_equal(run(&log,
                         "trap '' XFSZ; ulimit -f 200; %s/amo-export --db "
                         "'%s' hsds '%s'",
                         bin_dir(), E.db, out),
                     EXIT_OUTPUT);
    assert_contains(log, "services.json: File too large");
    assert_contains(log, "left unchanged");
    free(log);
    /* A directory that does not exist, and no OUT at all. */
    snprintf(args, sizeof args, "hsds '%s/no/such/dir'", dir);
    assert_int_equal(export_cmd(&log, E.db, args), EXIT_OUTPUT);
    assert_contains(log, "cannot create");
    free(log);
    assert_int_equal(export_cmd(&log, E.db, "hsds"), EXIT_USAGE);
    assert_contains(log, "hsds needs one OUT");
    free(log);
    /* An OUT too long for the exporter's buffer is refused, not cut. */
    char longout[5000];
    memset(longout, 'x', sizeof longout - 1);
    longout[sizeof longout - 1] = '\0';
    snprintf(args, sizeof args, "hsds %s", longout);
    assert_int_equal(export_cmd(&log, E.db, args), EXIT_USAGE);
    assert_contains(log, "longer than");
    free(log);
    char *ls = NULL;
    assert_int_equal(run(&ls, "ls -A '%s'; cat '%s'/*", dir, out), 0);
    assert_string_equal(ls, "hsds\nold\n");
    free(ls);
    scratch_free(dir);
}

/* What the shipped listings do not hold yet (languages) and the other
 * mappings, on one listing: languages with their names, one schedule per
 * span with its days, the address with its region, the territory's
 * communes by name; still valid HSDS. */
static void hsds_maps_one_listing_field_by_field(void **state)
{
    (void)state;
    char *dir = scratch_new(), csv[4200], db[4200], out[4200], *log = NULL;
    snprintf(csv, sizeof csv, "%s/one.csv", dir);
    snprintf(db, sizeof db, "%s/one.db", dir);
    snprintf(out, sizeof out, "%s/hsds", dir);
    write_file(csv,
               "source_id,category,name,description,street,postcode,commune,"
               "nis,phone,email,website,age_min,age_max,languages,"
               "opening_hours,themes,territory,lat,lon,source_url,"
               "source_date,verified_on\n"
               "amo-test,amo,AMO Test,,Rue Test 1,1030,Schaerbeek,21015,"
               "02 000 00 00,info@example.org,https://example.org,12,18,"
               "fr|nl,\"Mo-Fr 09:00-12:00,13:00-16:00; Sa 09:00-12:00; PH "
               "off\",,21015|21004,,,https://example.org/about,2024-05,"
               "2026-11-23\n",
               (size_t)-1);
    if (import(&log, db, csv) != 0)
        fail_msg("import failed:\n%s", log);
    free(log);
    char args[8400];
    snprintf(args, sizeof args, "--quiet hsds '%s'", out);
    if (export_cmd(&log, db, args) != 0)
        fail_msg("export failed:\n%s", log);
    free(log);
    if (check_hsds(out, &log) != 0)
        fail_msg("not valid HSDS:\n%s", log);
    free(log);
    char path[4400];
    snprintf(path, sizeof path, "%s/services.json", out);
    json_error_t err;
    json_t *all = json_load_file(path, 0, &err), *s = json_array_get(all, 0);
    assert_int_equal(json_array_size(all), 1);
    json_t *langs = json_object_get(s, "languages");
    assert_int_equal(json_array_size(langs), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(langs, 1), "name")),
        "Nederlands");
    json_t *sch = json_object_get(s, "schedules");
    assert_int_equal(json_array_size(sch), 2); /* 09:00-12:00, 13:00-16:00 */
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(sch, 0), "byday")),
        "MO,TU,WE,TH,FR,SA");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(sch, 1), "byday")),
        "MO,TU,WE,TH,FR");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(sch, 1), "closes_at")),
        "16:00:00");
    assert_int_equal(json_integer_value(json_object_get(s, "minimum_age")), 12);
    json_t *loc = json_object_get(
        json_array_get(json_object_get(s, "service_at_locations"), 0),
        "location");
    /* At a postcode's centre: no coordinates. */
    assert_null(json_object_get(loc, "latitude"));
    json_t *addr = json_array_get(json_object_get(loc, "addresses"), 0);
    assert_string_equal(
        json_string_value(json_object_get(addr, "state_province")),
        "Région de Bruxelles-Capitale");
    assert_string_equal(json_string_value(json_object_get(addr, "country")),
                        "BE");
    json_t *areas = json_object_get(s, "service_areas");
    assert_int_equal(json_array_size(areas), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(areas, 0), "name")),
        "Schaerbeek");
    /* No description: the organization has its category's label. */
    assert_null(json_object_get(s, "description"));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(s, "organization"), "description")),
                        "Service AMO (actions en milieu ouvert)");
    assert_int_equal(json_array_size(json_object_get(s, "metadata")), 3);
    json_decref(all);
    scratch_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mbtiles_read_by_gdal),
        cmocka_unit_test(dir_read_by_gdal_and_same_as_mbtiles),
        cmocka_unit_test(pmtiles_read_by_npm),
        cmocka_unit_test(pmtiles_leaf_directories),
        cmocka_unit_test(live_tiles_are_the_exported_tiles),
        cmocka_unit_test(basemap_export_matches_live_and_gdal),
        cmocka_unit_test(geojson_equals_the_api),
        cmocka_unit_test(bad_usage_is_refused),
        cmocka_unit_test(out_with_a_trailing_slash_is_that_directory),
        cmocka_unit_test(interrupted_export_leaves_out_unchanged),
        cmocka_unit_test(hsds_export_is_valid_hsds_3),
        cmocka_unit_test(hsds_validator_rejects_broken_exports),
        cmocka_unit_test(hsds_ids_are_stable),
        cmocka_unit_test(hsds_maps_one_listing_field_by_field),
        cmocka_unit_test(hsds_failure_leaves_out_unchanged),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
