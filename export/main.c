/* main.c - amo-export: the directory as files a partner can host without
 * us: the listings tileset as MBTiles, PMTiles or a tile directory, the
 * listings as GeoJSON, and the directory as Open Referral HSDS. Every output is
 * written under a temporary name beside OUT and renamed over it only once
 * complete, so an interrupted export never leaves a broken file at OUT. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basemap.h"
#include "db.h"
#include "err.h"
#include "exitcode.h"
#include "gazetteer.h"
#include "geojson.h"
#include "hsds.h"
#include "mvt.h"
#include "pyramid.h"
#include "sink.h"
#include "source.h"

#ifndef AMO_DB_PATH
#define AMO_DB_PATH "var/amo.db"
#endif
#ifndef AMO_DATA_DIR
#define AMO_DATA_DIR "data"
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *to)
{
    fputs("usage: amo-export [--db FILE] [--quiet] tiles\n"
          "                  --format mbtiles|pmtiles|dir\n"
          "                  [--tileset listings|basemap] [--minzoom 0]\n"
          "                  [--maxzoom 14 (basemap: 12)]\n"
          "                  [--cluster-maxzoom 13] [--data DIR] OUT\n"
          "       amo-export [--db FILE] [--quiet] geojson [--category C[,C]]"
          " OUT\n"
          "       amo-export [--db FILE] [--quiet] hsds [--data DIR] OUT\n"
          "OUT is written under a temporary name and renamed when complete\n"
          "('-' writes GeoJSON to standard output). hsds writes the\n"
          "directory OUT: services.json (HSDS 3.0 compiled services) and\n"
          "the tabular data package (datapackage.json, one CSV per table).\n"
          "Exit codes: 0 done, 2 usage, 3 boundary or gazetteer files\n"
          "unreadable, 4 database error, 6 OUT cannot be written,\n"
          "7 interrupted (OUT unchanged).\n",
          to);
}

/* Put the finished temporary 'tmp' in place of 'out'. A directory cannot
 * be renamed over a non-empty one: the old one is moved aside first and
 * removed after. */
static int replace(const char *tmp, const char *out, bool dir)
{
    if (!dir)
        return rename(tmp, out) == 0 ? 0 : ERR_IO;
    char old[4200];
    int n = snprintf(old, sizeof old, "%s.old-%ld", out, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof old)
        return ERR_IO;
    bool had = rename(out, old) == 0;
    if (rename(tmp, out) < 0) {
        if (had)
            rename(old, out);
        return ERR_IO;
    }
    if (had)
        sink_remove_tree(old);
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int parse_zoom(const char *opt, const char *v, int *out)
{
    char *end;
    long z = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || z < 0 || z > MVT_MAX_ZOOM) {
        fprintf(stderr,
                "amo-export: %s: expected a zoom from 0 to %d, got "
                "'%s'\n",
                opt, MVT_MAX_ZOOM, v);
        return ERR_USAGE;
    }
    *out = (int)z;
    return 0;
}

/* The listings tileset: read the database, cut, describe. */
static int export_listings(sqlite3 *db, const struct pyramid_opts *po,
                           struct sink *sink, struct pyramid_stats *st,
                           struct sink_meta *meta, char *msg, size_t msgsz)
{
    struct source *src = NULL;
    int rc = source_load(db, &src, msg, msgsz);
    if (rc < 0)
        return rc;
    rc = pyramid_export(src, po, sink, st, msg, msgsz);
    meta->name = "Annuaire AMO";
    meta->description =
        "Services d'aide aux jeunes (AMO, CPAS, planning familial, SDJ) de "
        "la Fédération Wallonie-Bruxelles";
    meta->attribution = TILESET_ATTRIBUTION;
    memcpy(meta->bounds, src->bounds, sizeof meta->bounds);
    if (src->n == 0) { /* Belgium, when there is nothing to show */
        double be[4] = {2.54, 49.49, 6.41, 51.51};
        memcpy(meta->bounds, be, sizeof be);
    }
    meta->vector_layers =
        tileset_vector_layers(&src->cats, po->minzoom, po->maxzoom);
    source_free(src);
    return rc;
}

/* The basemap tileset, from the boundaries in 'data'. */
static int export_basemap(const char *data, const struct pyramid_opts *po,
                          struct sink *sink, struct pyramid_stats *st,
                          struct sink_meta *meta, bool *bad_input, char *msg,
                          size_t msgsz)
{
    struct basemap *bm = NULL;
    int rc = basemap_load(data, &bm, msg, msgsz);
    if (rc < 0) {
        *bad_input = true;
        return rc;
    }
    rc = pyramid_export_basemap(bm, po, sink, st, msg, msgsz);
    meta->name = BASEMAP_NAME;
    meta->description = BASEMAP_DESCRIPTION;
    meta->attribution = BASEMAP_ATTRIBUTION;
    basemap_bounds(bm, meta->bounds);
    meta->vector_layers = basemap_vector_layers();
    basemap_free(bm);
    return rc;
}

static int tiles_cmd(sqlite3 *db, int argc, char **argv, bool quiet)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"tileset", required_argument, NULL, 't'},
        {"minzoom", required_argument, NULL, 'z'},
        {"maxzoom", required_argument, NULL, 'Z'},
        {"cluster-maxzoom", required_argument, NULL, 'c'},
        {"data", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0}};
    struct pyramid_opts po = {0, -1, TILESET_CLUSTER_MAXZOOM, false, &stop};
    const char *format = NULL, *tileset = "listings",
               *data = AMO_DATA_DIR "/gazetteer";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
        int rc = 0;
        if (c == 'f')
            format = optarg;
        else if (c == 't')
            tileset = optarg;
        else if (c == 'd')
            data = optarg;
        else if (c == 'z')
            rc = parse_zoom("--minzoom", optarg, &po.minzoom);
        else if (c == 'Z')
            rc = parse_zoom("--maxzoom", optarg, &po.maxzoom);
        else if (c == 'c')
            rc = parse_zoom("--cluster-maxzoom", optarg, &po.cluster_maxzoom);
        else
            rc = ERR_USAGE;
        if (rc < 0) {
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    bool basemap = strcmp(tileset, "basemap") == 0;
    if (!basemap && strcmp(tileset, "listings") != 0) {
        fprintf(stderr,
                "amo-export: --tileset: expected listings or basemap, got "
                "'%s'\n",
                tileset);
        return EXIT_USAGE;
    }
    if (po.maxzoom < 0) /* beyond these, clients overzoom */
        po.maxzoom = basemap ? BASEMAP_MAXZOOM : TILESET_MAXZOOM;
    if (optind != argc - 1 || !format) {
        fprintf(stderr, "amo-export: tiles needs --format and one OUT\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (po.minzoom > po.maxzoom) {
        fprintf(stderr, "amo-export: --minzoom %d is above --maxzoom %d\n",
                po.minzoom, po.maxzoom);
        return EXIT_USAGE;
    }
    /* "tiles/" names the directory "tiles": the temporary one goes beside
     * it ("tiles.tmp-PID"), not inside. */
    char outbuf[4096], tmp[4200], msg[512] = "";
    snprintf(outbuf, sizeof outbuf, "%s", argv[optind]);
    for (size_t n = strlen(outbuf); n > 1 && outbuf[n - 1] == '/'; n--)
        outbuf[n - 1] = '\0';
    const char *out = outbuf;
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    struct sink *sink = NULL;
    int rc;
    bool dir = false;
    if (strcmp(format, "mbtiles") == 0)
        rc = sink_mbtiles_open(tmp, &sink, msg, sizeof msg);
    else if (strcmp(format, "pmtiles") == 0)
        rc = sink_pmtiles_open(tmp, &sink, msg, sizeof msg);
    else if (strcmp(format, "dir") == 0)
        rc = sink_dir_open(tmp, &sink, msg, sizeof msg), dir = true;
    else {
        fprintf(stderr,
                "amo-export: --format: expected mbtiles, pmtiles or "
                "dir, got '%s'\n",
                format);
        return EXIT_USAGE;
    }
    if (rc < 0) {
        fprintf(stderr, "amo-export: %s\n", msg);
        return EXIT_OUTPUT;
    }
    double t0 = now_s();
    po.progress = !quiet && isatty(STDERR_FILENO);
    struct pyramid_stats st = {0};
    struct sink_meta meta = {0};
    meta.minzoom = po.minzoom;
    meta.maxzoom = po.maxzoom;
    bool bad_input = false;
    rc = basemap ? export_basemap(data, &po, sink, &st, &meta, &bad_input, msg,
                                  sizeof msg)
                 : export_listings(db, &po, sink, &st, &meta, msg, sizeof msg);
    if (rc == 0 && !meta.vector_layers) {
        rc = ERR_NOMEM;
        snprintf(msg, sizeof msg, "out of memory");
    }
    meta.center[0] = (meta.bounds[0] + meta.bounds[2]) / 2;
    meta.center[1] = (meta.bounds[1] + meta.bounds[3]) / 2;
    meta.center[2] = 8 < po.minzoom   ? po.minzoom
                     : 8 > po.maxzoom ? po.maxzoom
                                      : 8;
    if (rc == 0)
        rc = sink->finish(sink, &meta, msg, sizeof msg);
    else
        sink->abort(sink);
    json_decref(meta.vector_layers);
    if (rc < 0) {
        fprintf(stderr, "amo-export: %s; %s left unchanged\n", msg, out);
        return bad_input               ? EXIT_INPUT
               : rc == ERR_INTERRUPTED ? EXIT_INTERRUPTED
               : rc == ERR_DB          ? EXIT_DATABASE
                                       : EXIT_OUTPUT;
    }
    if (stop || replace(tmp, out, dir) < 0) {
        fprintf(stderr, "amo-export: %s: %s\n", out,
                stop ? "interrupted" : strerror(errno));
        if (dir)
            sink_remove_tree(tmp);
        else
            unlink(tmp);
        return stop ? EXIT_INTERRUPTED : EXIT_OUTPUT;
    }
    if (!quiet)
        fprintf(stderr,
                "amo-export: %s: %llu tiles, zooms %d-%d, %.1f MB (%.1f MB "
                "uncompressed), largest %.1f KB at %d/%ld/%ld, %.1f s\n",
                out, (unsigned long long)st.tiles, po.minzoom, po.maxzoom,
                (double)st.bytes / 1e6, (double)st.raw_bytes / 1e6,
                (double)st.largest / 1e3, st.largest_z, st.largest_x,
                st.largest_y, now_s() - t0);
    return EXIT_OK;
}

static int geojson_cmd(sqlite3 *db, int argc, char **argv, bool quiet)
{
    static const struct option opts[] = {
        {"category", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};
    const char *category = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (c != 'c') {
            usage(stderr);
            return EXIT_USAGE;
        }
        category = optarg;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "amo-export: geojson needs one OUT\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *out = argv[optind];
    char msg[512] = "";
    long n = 0;
    int rc = geojson_export(db, category, out, &stop, &n, msg, sizeof msg);
    if (rc < 0) {
        fprintf(stderr, "amo-export: %s\n", msg);
        return rc == ERR_USAGE         ? EXIT_USAGE
               : rc == ERR_DB          ? EXIT_DATABASE
               : rc == ERR_INTERRUPTED ? EXIT_INTERRUPTED
                                       : EXIT_OUTPUT;
    }
    if (!quiet)
        fprintf(stderr, "amo-export: %s: %ld listings\n", out, n);
    return EXIT_OK;
}

/* Exit code of an export's error. */
static int exit_of(int rc)
{
    return rc == ERR_USAGE         ? EXIT_USAGE
           : rc == ERR_DB          ? EXIT_DATABASE
           : rc == ERR_INTERRUPTED ? EXIT_INTERRUPTED
                                   : EXIT_OUTPUT;
}

/* The HSDS directory: written whole into OUT.tmp-PID beside OUT, which
 * replaces OUT only once every file is complete; on any failure the
 * temporary directory is removed and OUT is as it was. */
static int hsds_cmd(sqlite3 *db, int argc, char **argv, bool quiet)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    const char *data = AMO_DATA_DIR "/gazetteer";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
        if (c != 'd') {
            usage(stderr);
            return EXIT_USAGE;
        }
        data = optarg;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "amo-export: hsds needs one OUT\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    /* A name that does not fit is refused, never cut to another path;
     * the room left is for ".tmp-PID" and "/service_at_location.csv". */
    char out[4096], tmp[4200], msg[600] = "";
    int n = snprintf(out, sizeof out, "%s", argv[optind]);
    if (n < 0 || (size_t)n >= sizeof out || *out == '\0') {
        fprintf(stderr, "amo-export: OUT is empty or longer than %zu bytes\n",
                sizeof out - 1);
        return EXIT_USAGE;
    }
    for (size_t len = strlen(out); len > 1 && out[len - 1] == '/'; len--)
        out[len - 1] = '\0';
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    struct gazetteer *gaz = NULL;
    if (gaz_load(data, &gaz, msg, sizeof msg) < 0) {
        fprintf(stderr, "amo-export: %s; %s left unchanged\n", msg, out);
        return EXIT_INPUT;
    }
    if (mkdir(tmp, 0755) < 0) {
        fprintf(stderr,
                "amo-export: %s: cannot create (%s); %s left "
                "unchanged\n",
                tmp, strerror(errno), out);
        gaz_free(gaz);
        return EXIT_OUTPUT;
    }
    double t0 = now_s();
    struct hsds_stats st;
    int rc = hsds_export(db, gaz, tmp, out, &stop, &st, msg, sizeof msg);
    gaz_free(gaz);
    if (rc == 0 && (stop || replace(tmp, out, true) < 0)) {
        rc = stop ? ERR_INTERRUPTED : ERR_IO;
        snprintf(msg, sizeof msg, "%.400s: %s", out,
                 stop ? "interrupted" : strerror(errno));
    }
    if (rc < 0) {
        sink_remove_tree(tmp);
        fprintf(stderr, "amo-export: %s; %s left unchanged\n", msg, out);
        return exit_of(rc);
    }
    if (!quiet)
        fprintf(stderr,
                "amo-export: %s: %ld services, %ld organizations, %ld "
                "locations (%ld addresses), %ld phones, %ld schedules, %ld "
                "service areas, %ld languages, %ld metadata, %.2f s\n",
                out, st.rows[HSDS_SERVICE], st.rows[HSDS_ORGANIZATION],
                st.rows[HSDS_LOCATION], st.rows[HSDS_ADDRESS],
                st.rows[HSDS_PHONE], st.rows[HSDS_SCHEDULE],
                st.rows[HSDS_SERVICE_AREA], st.rows[HSDS_LANGUAGE],
                st.rows[HSDS_METADATA], now_s() - t0);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db_path = AMO_DB_PATH;
    bool quiet = false;
    int c;
    /* Options up to the command name belong to amo-export itself. */
    while ((c = getopt_long(argc, argv, "+d:qh", opts, NULL)) != -1) {
        if (c == 'd')
            db_path = optarg;
        else if (c == 'q')
            quiet = true;
        else if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        } else {
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc || (strcmp(argv[optind], "tiles") != 0 &&
                           strcmp(argv[optind], "geojson") != 0 &&
                           strcmp(argv[optind], "hsds") != 0)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sqlite3 *db;
    char msg[512];
    if (db_open(db_path, DB_READONLY, &db, msg, sizeof msg) < 0) {
        fprintf(stderr, "amo-export: %s\n", msg);
        return EXIT_DATABASE;
    }
    /* The export reads the whole table once: through SQLite's small page
     * cache rather than a map of the file, which would count the whole
     * database in the exporter's memory. */
    sqlite3_exec(db, "PRAGMA mmap_size=0", NULL, NULL, NULL);
    char **sub = argv + optind;
    int nsub = argc - optind;
    int rc = strcmp(sub[0], "tiles") == 0  ? tiles_cmd(db, nsub, sub, quiet)
             : strcmp(sub[0], "hsds") == 0 ? hsds_cmd(db, nsub, sub, quiet)
                                           : geojson_cmd(db, nsub, sub, quiet);
    sqlite3_close(db);
    return rc;
}
