/* test_fetch.c - URL inputs against a real HTTP server (libmicrohttpd) that
 * the test starts on loopback: 200 with ETag, 304 on re-run, 404, bodies
 * over the cap (with and without Content-Length), a server that never
 * answers, file:// URLs, and the Nominatim geocoder. */
#include "support.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETAG "\"v1\""

static char *feed;   /* tests/fixtures/listings.csv */
static int hits_304; /* conditional requests answered 304 */
static char last_query[512];

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status,
                             const char *body, size_t len, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (etag)
        MHD_add_response_header(r, "ETag", etag);
    MHD_add_response_header(r, "Content-Type", "text/csv; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static ssize_t endless(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if (pos > 50 * 1024 * 1024)
        return MHD_CONTENT_READER_END_OF_STREAM;
    memset(buf, 'x', max);
    return (ssize_t)max;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *data,
                               size_t *size, void **ctx)
{
    (void)cls, (void)method, (void)version, (void)data, (void)size, (void)ctx;
    if (strcmp(url, "/feed.csv") == 0) {
        const char *inm =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
        if (inm && strcmp(inm, ETAG) == 0) {
            hits_304++;
            return queue(c, 304, "", 0, ETAG);
        }
        return queue(c, 200, feed, strlen(feed), ETAG);
    }
    if (strcmp(url, "/big.csv") == 0) {
        size_t n = 2 * 1024 * 1024;
        char *big = malloc(n);
        memset(big, 'x', n);
        enum MHD_Result r = queue(c, 200, big, n, NULL);
        free(big);
        return r;
    }
    if (strcmp(url, "/chunked.csv") == 0) {
        struct MHD_Response *r = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 65536, endless, NULL, NULL);
        enum MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (strcmp(url, "/search") == 0) {
        const char *street =
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "street");
        const char *pc =
            MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "postalcode");
        snprintf(last_query, sizeof last_query, "%s|%s", street ? street : "",
                 pc ? pc : "");
        /* An answer in Nominatim's jsonv2 shape; coordinates as strings. */
        const char *ans = "[{\"lat\":\"50.8411\",\"lon\":\"4.3462\","
                          "\"display_name\":\"test\"}]";
        return queue(c, 200, ans, strlen(ans), NULL);
    }
    return queue(c, 404, "not found", 9, NULL);
}

struct env {
    char *dir;
    char db[4096];
    struct MHD_Daemon *d;
    int port;
    int stalled_fd, stalled_port;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    e->dir = scratch_new();
    snprintf(e->db, sizeof e->db, "%s/amo.db", e->dir);
    run(&feed, "cat tests/fixtures/listings.csv");
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    e->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                            handler, NULL, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_END);
    assert_non_null(e->d);
    e->port = MHD_get_daemon_info(e->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    /* A server that accepts connections into its backlog and never
     * answers: listen() without accept(). */
    e->stalled_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(e->stalled_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(e->stalled_fd, 8), 0);
    socklen_t len = sizeof sa;
    getsockname(e->stalled_fd, (struct sockaddr *)&sa, &len);
    e->stalled_port = ntohs(sa.sin_port);
    hits_304 = 0;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    MHD_stop_daemon(e->d);
    close(e->stalled_fd);
    scratch_free(e->dir);
    free(feed);
    free(e);
    return 0;
}

static int import_url(struct env *e, char **out, const char *opts,
                      const char *path)
{
    char args[1024];
    snprintf(args, sizeof args, "%s http://127.0.0.1:%d%s", opts, e->port,
             path);
    return import(out, e->db, args);
}

static void url_import_then_conditional_rerun_costs_nothing(void **state)
{
    struct env *e = *state;
    char *out;
    assert_int_equal(import_url(e, &out, "", "/feed.csv"), 0);
    assert_contains(out, "total: 4 added");
    free(out);
    char *etag = db_text(e->db, "SELECT etag FROM sources");
    assert_string_equal(etag, ETAG);
    free(etag);
    /* The re-run sends If-None-Match, gets 304, reads nothing, and even
     * with --prune removes nothing. */
    assert_int_equal(import_url(e, &out, "--prune", "/feed.csv"), 0);
    assert_contains(out, "not modified since the last import (HTTP 304)");
    assert_contains(out, "total: 0 added, 0 changed, 0 unchanged, 0 removed");
    free(out);
    assert_int_equal(hits_304, 1);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 4);
    /* The URL is each record's source_url when the data gives none. */
    char *url = db_text(e->db, "SELECT source FROM listings LIMIT 1");
    assert_contains(url, "/feed.csv");
    free(url);
}

static void http_404_fails_and_keeps_the_data(void **state)
{
    struct env *e = *state;
    char *out;
    assert_int_equal(import_url(e, NULL, "", "/feed.csv"), 0);
    assert_int_equal(import_url(e, &out, "--prune --force", "/gone.csv"), 3);
    assert_contains(out, "/gone.csv: HTTP 404");
    free(out);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 4);
}

static void body_over_the_cap_is_refused(void **state)
{
    struct env *e = *state;
    char *out;
    assert_int_equal(import_url(e, &out, "--max-size 100000", "/big.csv"), 3);
    assert_contains(out, "larger than the 100000-byte cap");
    free(out);
    /* Without Content-Length the cap is enforced while reading. */
    assert_int_equal(import_url(e, &out, "--max-size 100000", "/chunked.csv"),
                     3);
    assert_contains(out, "larger than the 100000-byte cap");
    free(out);
}

static void server_that_never_answers_times_out(void **state)
{
    struct env *e = *state;
    char args[256], *out;
    struct timespec t0, t1;
    snprintf(args, sizeof args, "--timeout 2 http://127.0.0.1:%d/feed.csv",
             e->stalled_port);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(import(&out, e->db, args), 3);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_contains(out, "imeout");
    free(out);
    assert_true(t1.tv_sec - t0.tv_sec < 10);
}

static void file_url_is_read_like_a_file(void **state)
{
    struct env *e = *state;
    char args[4096], cwd[2048], *out;
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(args, sizeof args, "file://%s/tests/fixtures/listings.geojson",
             cwd);
    assert_int_equal(import(&out, e->db, args), 0);
    assert_contains(out, "4 added");
    free(out);
}

static void geocoder_places_an_address(void **state)
{
    struct env *e = *state;
    char args[4096], *out;
    write_file(path_in(e->dir, "addr.csv"),
               "id,category,name,street,postcode,commune\n"
               "sdj,sdj,Service Droit des Jeunes de Bruxelles,"
               "Rue van Artevelde 155,1000,Bruxelles\n",
               (size_t)-1);
    snprintf(args, sizeof args, "--geocoder http://127.0.0.1:%d '%s'", e->port,
             path_in(e->dir, "addr.csv"));
    assert_int_equal(import(&out, e->db, args), 0);
    free(out);
    assert_string_equal(last_query, "Rue van Artevelde 155|1000");
    char *t = db_text(e->db, "SELECT position_source || '|' || lat || '|' ||"
                             " nis FROM listings");
    assert_string_equal(t, "address|50.8411|21004");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(url_import_then_conditional_rerun_costs_nothing),
        T(http_404_fails_and_keeps_the_data),
        T(body_over_the_cap_is_refused),
        T(server_that_never_answers_times_out),
        T(file_url_is_read_like_a_file),
        T(geocoder_places_an_address),
#undef T
    };
    return cmocka_run_group_tests_name("fetch", tests, NULL, NULL);
}
