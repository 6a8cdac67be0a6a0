/* main.c - amo-server: options, signals, start and graceful stop. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basemap.h"
#include "db.h"
#include "err.h"
#include "exitcode.h"
#include "gazetteer.h"
#include "http.h"
#include "openapi.h"
#include "publicurl.h"
#include "situations.h"
#include "snapshot.h"

#ifndef AMO_DB_PATH
#define AMO_DB_PATH "var/amo.db"
#endif
#ifndef AMO_DATA_DIR
#define AMO_DATA_DIR "data"
#endif
#ifndef AMO_WEB_DIR
#define AMO_WEB_DIR "web"
#endif

/* --exit-url: "/path" of this site (not "//host") or http(s)://host...,
 * printable ASCII without quotes, spaces, angle brackets or backslashes. */
static bool exit_url_ok(const char *u)
{
    size_t n = strlen(u);
    if (n == 0 || n > 500 || strpbrk(u, " \"'<>\\`"))
        return false;
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return false;
    if (u[0] == '/')
        return u[1] != '/';
    const char *rest = strncmp(u, "https://", 8) == 0  ? u + 8
                       : strncmp(u, "http://", 7) == 0 ? u + 7
                                                       : NULL;
    return rest && *rest && *rest != '/' && *rest != '.';
}

static void usage(FILE *to)
{
    fputs("usage: amo-server [--db FILE] [--listen ADDR:PORT] [--web DIR]\n"
          "                  [--threads N] [--data DIR] [--max-connections N]\n"
          "                  [--per-ip N] [--timeout SECONDS]\n"
          "                  [--cluster-maxzoom Z] [--report-email ADDR]\n"
          "                  [--exit-url URL]\n"
          "                  [--situations FILE] [--check]\n"
          "                  [--public-url http(s)://HOST[:PORT][/PATH]]\n"
          "                  [--search-engine memory|fts5]\n"
          "                  [--http-tuning mode=pool,poll=epoll,...]\n"
          "Serves the directory read-only; SIGTERM finishes the requests in\n"
          "flight and exits 0. No request is logged. --check only reads\n"
          "the data files (gazetteer, boundaries, situations) and says\n"
          "whether they are valid. --public-url is where visitors reach\n"
          "the server (its reverse proxy): absolute links (OGC, TileJSON,\n"
          "OpenAPI servers) start with it; without it they are relative.\n"
          "A request's Host header never makes a link.\n",
          to);
}

static long number(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi) {
        fprintf(stderr, "amo-server: %s: a number from %ld to %ld\n", opt, lo,
                hi);
        exit(EXIT_USAGE);
    }
    return n;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, NULL, 'd'},
                                         {"listen", 1, NULL, 'l'},
                                         {"web", 1, NULL, 'w'},
                                         {"threads", 1, NULL, 't'},
                                         {"data", 1, NULL, 'D'},
                                         {"max-connections", 1, NULL, 'c'},
                                         {"per-ip", 1, NULL, 'p'},
                                         {"timeout", 1, NULL, 'T'},
                                         {"report-email", 1, NULL, 'r'},
                                         {"exit-url", 1, NULL, 'x'},
                                         {"cluster-maxzoom", 1, NULL, 'z'},
                                         {"situations", 1, NULL, 's'},
                                         {"check", 0, NULL, 'k'},
                                         {"search-engine", 1, NULL, 'e'},
                                         {"http-tuning", 1, NULL, 'H'},
                                         {"public-url", 1, NULL, 'u'},
                                         {"help", 0, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = AMO_DB_PATH, *listen = "127.0.0.1:8080";
    const char *web = AMO_WEB_DIR, *data = AMO_DATA_DIR "/gazetteer";
    const char *report_email = NULL, *exit_url = NULL;
    char public_url[PUBLIC_URL_MAX + 1] = "";
    const char *situations_path = AMO_DATA_DIR "/situations/situations.json";
    int cluster_maxzoom = 13;
    bool check_only = false, fts5_search = false;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* One worker per core: more only adds context switches (measured with
     * bench-server); requests never block on anything but the CPU. */
    struct http_limits lim = {.threads =
                                  cores > 0 && cores < 64 ? (unsigned)cores : 2,
                              .max_connections = 1024,
                              /* generous: a whole school can sit behind
                               * one address */
                              .per_ip_connections = 256,
                              .idle_timeout_s = 15,
                              .memory_per_connection = 32 * 1024,
                              .tuning = {.poll = HTTP_EPOLL, .turbo = true}};
    int c;
    while ((c = getopt_long(argc, argv, "d:l:w:t:D:c:p:T:z:r:x:s:ke:H:u:h",
                            opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'l': listen = optarg; break;
        case 'w': web = optarg; break;
        case 'D': data = optarg; break;
        case 't':
            lim.threads = (unsigned)number("--threads", optarg, 1, 64);
            break;
        case 'c':
            lim.max_connections =
                (unsigned)number("--max-connections", optarg, 1, 100000);
            break;
        case 'p':
            lim.per_ip_connections =
                (unsigned)number("--per-ip", optarg, 1, 10000);
            break;
        case 'T':
            lim.idle_timeout_s = (unsigned)number("--timeout", optarg, 1, 3600);
            break;
        case 'z':
            cluster_maxzoom = (int)number("--cluster-maxzoom", optarg, 0, 22);
            break;
        case 'r':
            /* Written into mailto: links: a plain address only. */
            if (strlen(optarg) > 200 || !strchr(optarg, '@') ||
                strpbrk(optarg, " \"<>?&#%/\\:;,")) {
                fprintf(stderr,
                        "amo-server: --report-email: \"%s\" is not "
                        "an e-mail address\n",
                        optarg);
                return EXIT_USAGE;
            }
            report_email = optarg;
            break;
        case 'x':
            /* Where "Quitter" leaves for: a path of ours ("/exit.html")
             * or an ordinary http(s) site; written into the page's links
             * and given to location.replace(). */
            if (!exit_url_ok(optarg)) {
                fprintf(stderr,
                        "amo-server: --exit-url: \"%s\" is neither a path "
                        "of this site (\"/...\") nor an http(s) URL\n",
                        optarg);
                return EXIT_USAGE;
            }
            exit_url = optarg;
            break;
        case 's': situations_path = optarg; break;
        case 'u': {
            char msg[300];
            if (public_url_parse(optarg, public_url, sizeof public_url, msg,
                                 sizeof msg) < 0) {
                fprintf(stderr, "amo-server: %s\n", msg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'k': check_only = true; break;
        case 'H': {
            char msg[300];
            if (http_tuning_parse(optarg, &lim.tuning, msg, sizeof msg) < 0) {
                fprintf(stderr, "amo-server: %s\n", msg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'e':
            /* fts5: rank in SQL with FTS5's own bm25, the reference the
             * index in memory is tested and benchmarked against */
            if (strcmp(optarg, "memory") != 0 && strcmp(optarg, "fts5") != 0) {
                fprintf(stderr, "amo-server: --search-engine: memory or "
                                "fts5\n");
                return EXIT_USAGE;
            }
            fts5_search = strcmp(optarg, "fts5") == 0;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    char msg[1024], webreal[PATH_MAX];
    struct gazetteer *gaz = NULL;
    if (gaz_load(data, &gaz, msg, sizeof msg) < 0) {
        fprintf(stderr, "amo-server: %s\n", msg);
        return EXIT_INPUT;
    }
    /* The basemap tileset, from the same boundaries directory. */
    struct basemap *basemap = NULL;
    if (basemap_load(data, &basemap, msg, sizeof msg) < 0) {
        fprintf(stderr, "amo-server: %s\n", msg);
        gaz_free(gaz);
        return EXIT_INPUT;
    }
    /* What young people come with: checked here, so staff see a mistake
     * in the file at once, named with its place. */
    struct situations *sits = NULL;
    if (situations_load(situations_path, &sits, msg, sizeof msg) < 0) {
        fprintf(stderr, "amo-server: %s\n", msg);
        basemap_free(basemap);
        gaz_free(gaz);
        return EXIT_INPUT;
    }
    struct openapi_docs *docs = NULL;
    if (openapi_docs_new(public_url, &docs, msg, sizeof msg) < 0) {
        fprintf(stderr, "amo-server: %s\n", msg);
        situations_free(sits);
        basemap_free(basemap);
        gaz_free(gaz);
        return EXIT_INPUT;
    }
    if (check_only) {
        printf("amo-server: %s: %zu situations in %zu groups; %s: ok\n",
               situations_path, situations_count(sits),
               situations_group_count(sits), data);
        openapi_docs_free(docs);
        situations_free(sits);
        basemap_free(basemap);
        gaz_free(gaz);
        return 0;
    }
    sqlite3 *probe = NULL;
    if (db_open(db, DB_READONLY, &probe, msg, sizeof msg) < 0)
        fprintf(stderr,
                "amo-server: warning: %s (answering 503 until it can "
                "be read)\n",
                msg);
    sqlite3_close(probe);
    struct server_ctx ctx = {.db_path = db,
                             .web_dir = realpath(web, webreal) ? webreal : NULL,
                             .gaz = gaz,
                             .cluster_maxzoom = cluster_maxzoom,
                             .basemap = basemap,
                             .report_email = report_email,
                             .exit_url = exit_url,
                             .situations = sits,
                             .fts5_search = fts5_search,
                             .public_url = public_url,
                             .openapi = docs};
    /* Block the signals before the server's threads start, so that only
     * sigwait() below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct http_server *s = NULL;
    int port, rc = http_start(&s, listen, &lim, &ctx, &port, msg, sizeof msg);
    if (rc < 0) {
        fprintf(stderr, "amo-server: %s\n", msg);
        basemap_free(basemap);
        gaz_free(gaz);
        situations_free(sits);
        openapi_docs_free(docs);
        return rc == ERR_USAGE ? EXIT_USAGE : EXIT_OUTPUT;
    }
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(listen, ':') - listen),
             listen);
    printf("amo-server: listening on http://%s:%d/\n",
           host[0] ? host : "0.0.0.0", port);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    http_stop(s, 10);
    snapshot_shutdown();
    basemap_free(basemap);
    situations_free(sits);
    openapi_docs_free(docs);
    gaz_free(gaz);
    printf("amo-server: stopped\n");
    return 0;
}
