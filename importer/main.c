/* main.c - amo-import: options and exit codes; the work is in import.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crs.h"
#include "import.h"
#include "report.h"
#include "srcdate.h"

#ifndef AMO_DB_PATH
#define AMO_DB_PATH "var/amo.db"
#endif
#ifndef AMO_DATA_DIR
#define AMO_DATA_DIR "data"
#endif

static void usage(FILE *to)
{
    fputs(
        "usage: amo-import [--db FILE] [--source NAME] [--category CAT]\n"
        "                  [--format auto|csv|geojson|ndjson|json]\n"
        "                  [--crs EPSG:NNNN] [--dry-run] [--prune [--force]]\n"
        "                  [--skip-invalid] [--geocoder URL] [--data DIR]\n"
        "                  [--timeout SECONDS] [--max-size BYTES] [--quiet]\n"
        "                  [--add-category SLUG=LABEL]\n"
        "                  INPUT...\n"
        "       amo-import [--db FILE] --report[=table|csv|coverage]\n"
        "                  [--today YYYY-MM-DD]\n"
        "INPUT is a file, '-' for standard input, or an http://, https:// or\n"
        "file:// URL. Exit codes: 0 imported, 1 invalid records (nothing\n"
        "written), 2 usage, 3 unreadable input, 4 database error, 5 prune\n"
        "refused.\n"
        "--report lists, per category, the listings that lack a phone, an\n"
        "e-mail, a street or a precise position, or whose source is over\n"
        "three years old (coverage: the table of data/README.md).\n",
        to);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"source", required_argument, NULL, 's'},
        {"category", required_argument, NULL, 'c'},
        {"add-category", required_argument, NULL, 'A'},
        {"format", required_argument, NULL, 'f'},
        {"crs", required_argument, NULL, 'r'},
        {"dry-run", no_argument, NULL, 'n'},
        {"prune", no_argument, NULL, 'p'},
        {"force", no_argument, NULL, 'F'},
        {"skip-invalid", no_argument, NULL, 'k'},
        {"geocoder", required_argument, NULL, 'g'},
        {"data", required_argument, NULL, 'D'},
        {"timeout", required_argument, NULL, 't'},
        {"max-size", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"report", optional_argument, NULL, 'R'},
        {"today", required_argument, NULL, 'Y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct import_opts o = {.db_path = AMO_DB_PATH,
                            .data_dir = AMO_DATA_DIR "/gazetteer",
                            .format = FMT_AUTO,
                            .timeout_s = 120,
                            .max_bytes = 256LL * 1024 * 1024};
    int c, fmt, report = -1;
    long today = 0;
    char *end;
    while ((c = getopt_long(argc, argv, "d:s:c:A:f:r:npFkg:D:t:m:qh", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'd': o.db_path = optarg; break;
        case 's': o.source = optarg; break;
        case 'c': o.category = optarg; break;
        case 'A': o.add_category = optarg; break;
        case 'f':
            if ((fmt = reader_format_parse(optarg)) < 0) {
                fprintf(stderr, "amo-import: --format: unknown format \"%s\"\n",
                        optarg);
                return EXIT_USAGE;
            }
            o.format = (enum format)fmt;
            break;
        case 'r':
            if (!(o.epsg = crs_parse(optarg))) {
                fprintf(stderr,
                        "amo-import: --crs: \"%s\" is not EPSG:4326, "
                        "EPSG:31370 or EPSG:3812\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'n': o.dry_run = true; break;
        case 'p': o.prune = true; break;
        case 'F': o.force = true; break;
        case 'k': o.skip_invalid = true; break;
        case 'g': o.geocoder_url = optarg; break;
        case 'D': o.data_dir = optarg; break;
        case 't':
            o.timeout_s = strtol(optarg, &end, 10);
            if (*end || o.timeout_s < 1 || o.timeout_s > 3600) {
                fprintf(stderr, "amo-import: --timeout: 1 to 3600 seconds\n");
                return EXIT_USAGE;
            }
            break;
        case 'm':
            o.max_bytes = strtoll(optarg, &end, 10);
            if (*end || o.max_bytes < 1) {
                fprintf(stderr, "amo-import: --max-size: a number of bytes\n");
                return EXIT_USAGE;
            }
            break;
        case 'q': o.quiet = true; break;
        case 'Y':
            /* The day sources' ages are measured from (default: today),
             * so a table written on that day can be checked later. */
            if (!(today = srcdate_day(optarg))) {
                fprintf(stderr, "amo-import: --today: YYYY-MM-DD\n");
                return EXIT_USAGE;
            }
            break;
        case 'R':
            if ((report = report_format_parse(optarg ? optarg : "table")) < 0) {
                fprintf(stderr, "amo-import: --report: table, csv or "
                                "coverage\n");
                return EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (o.force && !o.prune) {
        fprintf(stderr, "amo-import: --force only goes with --prune\n");
        return EXIT_USAGE;
    }
    if (report >= 0) {
        if (optind != argc) {
            fprintf(stderr, "amo-import: --report takes no INPUT\n");
            return EXIT_USAGE;
        }
        char msg[1024];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        if (!today)
            today = (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100 +
                    tm.tm_mday;
        if (report_write(o.db_path, (enum report_format)report, today, stdout,
                         msg, sizeof msg) < 0) {
            fprintf(stderr, "amo-import: %s\n", msg);
            return EXIT_DATABASE;
        }
        return 0;
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    o.inputs = argv + optind;
    o.ninputs = argc - optind;
    return import_run(&o);
}
