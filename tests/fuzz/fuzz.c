/* fuzz.c - shared set-up of the fuzz targets (see fuzz.h). */
#include "fuzz.h"

#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crs.h"
#include "db.h"
#include "fields.h"
#include "gazetteer.h"
#include "import.h"
#include "listing.h"
#include "record.h"

#ifndef AMO_DATA_DIR
#define AMO_DATA_DIR "data"
#endif

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

const struct gazetteer *fuzz_gazetteer(void)
{
    static struct gazetteer *gaz;
    char msg[512];
    if (!gaz && gaz_load(AMO_DATA_DIR "/gazetteer", &gaz, msg, sizeof msg) < 0)
        fuzz_fail("%s", msg);
    return gaz;
}

/* The shipped categories, read from a new database's own table. */
static const struct categories *categories(void)
{
    static struct categories cats;
    static int loaded;
    sqlite3 *db = NULL;
    char msg[512];
    if (loaded)
        return &cats;
    if (db_open(":memory:", DB_READWRITE, &db, msg, sizeof msg) < 0 ||
        fields_load_categories(db, &cats) < 0)
        fuzz_fail("categories: %s", msg);
    sqlite3_close(db);
    loaded = 1;
    return &cats;
}

static struct crs *converter(void)
{
    static struct crs *crs;
    char msg[512];
    if (!crs && crs_new(&crs, msg, sizeof msg) < 0)
        fuzz_fail("%s", msg);
    return crs;
}

void fuzz_import(const uint8_t *data, size_t size, enum format fmt)
{
    struct fields_ctx ctx = {.gaz = fuzz_gazetteer(),
                             .crs = converter(),
                             .cats = categories(),
                             .input_url = "file:///fuzz"};
    struct field_mapper *map = fields_mapper_new();
    struct reader *rd = NULL;
    struct record rec;
    struct listing l;
    struct problems p;
    char msg[1024];
    record_init(&rec);
    listing_init(&l);
    /* glibc 2.22 and later take a zero size (an empty file). */
    FILE *fp = fmemopen((void *)data, size, "r");
    if (!fp || !map)
        fuzz_fail("out of memory");
    if (fmt == FMT_AUTO)
        fmt = reader_detect(fp, "fuzz-input");
    if (reader_open(&rd, fp, "fuzz-input", fmt, 0, msg, sizeof msg) < 0)
        goto out;
    for (int n = 0; n < FUZZ_MAX_RECORDS; n++) {
        int rc = reader_next(rd, &rec, msg, sizeof msg);
        if (rc < 0 && !msg[0])
            fuzz_fail("reader_next returned %d without a message", rc);
        if (rc != 1)
            break;
        if (rec.line < 1)
            fuzz_fail("record without a line number");
        if (!ctx.epsg)
            ctx.epsg = reader_crs(rd);
        listing_free(&l);
        listing_init(&l);
        memset(&p, 0, sizeof p);
        bool ok = fields_convert(&ctx, map, &rec, &l, &p);
        if (ok && (!l.str[F_NAME] || !l.str[F_CATEGORY]))
            fuzz_fail("a valid listing without a name or a category");
        if (ok && (l.pos == POS_NONE || l.lat < 49 || l.lat > 52 || l.lon < 2 ||
                   l.lon > 7))
            fuzz_fail("a valid listing placed outside Belgium: %f %f", l.lat,
                      l.lon);
        if (!ok && p.n == 0)
            fuzz_fail("an invalid listing without a reason");
    }
    char unused[256];
    fields_unused(map, unused, sizeof unused);
out:
    listing_free(&l);
    record_free(&rec);
    reader_free(rd);
    fields_mapper_free(map);
    fclose(fp);
}

static char db_dir[64], db_path[512];

static void remove_database(void)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char f[600];
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        snprintf(f, sizeof f, "%s%s", db_path, suffix[i]);
        remove(f);
    }
    rmdir(db_dir);
}

const char *fuzz_database(void)
{
    char *path = db_path;
    if (path[0])
        return path;
    glob_t g;
    snprintf(db_dir, sizeof db_dir, "/tmp/amo-fuzz-XXXXXX");
    if (!mkdtemp(db_dir) ||
        glob(AMO_DATA_DIR "/listings/*.csv", 0, NULL, &g) != 0)
        fuzz_fail("cannot set up the scratch database");
    snprintf(db_path, sizeof db_path, "%s/amo.db", db_dir);
    atexit(remove_database);
    struct import_opts o = {.db_path = path,
                            .data_dir = AMO_DATA_DIR "/gazetteer",
                            .quiet = true,
                            .timeout_s = 10,
                            .max_bytes = 1 << 20,
                            .inputs = g.gl_pathv,
                            .ninputs = (int)g.gl_pathc};
    /* The summary goes to stdout, which libFuzzer leaves alone. */
    if (import_run(&o) != EXIT_OK)
        fuzz_fail("importing the shipped listings into %s failed", path);
    globfree(&g);
    return path;
}
