/* test_api_docs.c - the API descriptions (server/openapi/api.json and
 * ogc.json): redocly lint finds no error, the server serves them with
 * its servers, real answers of the server on the shipped data match their
 * schemas (ajv, tests/api/validate.mjs, which also checks that mutated
 * answers fail), and the reference page loads from our origin only. */
#include "support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_proc.h"

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

/* No telemetry, no update check: tests never reach the network. */
#define REDOCLY                                                                \
    "REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "               \
    "node_modules/.bin/redocly"

static void openapi_documents_pass_redocly_lint(void **state)
{
    (void)state;
    char *out;
    int rc = run(&out, REDOCLY " lint --config redocly.yaml 2>&1");
    if (rc != 0 || !strstr(out, "Your API descriptions are valid"))
        fail_msg("redocly lint: exit %d\n%s", rc, out);
    /* The figure docs/api.md gives: no warning either. */
    assert_null(strstr(out, "warning"));
    free(out);
}

static json_t *get_json(const char *path)
{
    struct http_answer a;
    http_get(&E.srv, path, &a);
    if (a.status != 200)
        fail_msg("GET %s: %ld\n%s", path, a.status, a.body);
    assert_string_equal(http_header(&a, "Content-Type"),
                        "application/vnd.oai.openapi+json;version=3.0");
    assert_non_null(http_header(&a, "ETag"));
    json_t *j = json_loads(a.body, 0, NULL);
    assert_non_null(j);
    http_answer_free(&a);
    return j;
}

static const char *server_url(json_t *doc)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(doc, "servers"), 0), "url"));
}

static void served_descriptions_are_the_files(void **state)
{
    (void)state;
    const char *files[] = {"server/openapi/api.json",
                           "server/openapi/ogc.json"};
    const char *paths[] = {"/api/openapi.json", "/ogc/api"};
    const char *servers[] = {"/", "/ogc"};
    for (int i = 0; i < 2; i++) {
        json_t *file = json_load_file(files[i], 0, NULL);
        json_t *served = get_json(paths[i]);
        assert_non_null(file);
        assert_string_equal(server_url(served), servers[i]);
        assert_true(json_equal(json_object_get(file, "paths"),
                               json_object_get(served, "paths")));
        assert_true(json_equal(json_object_get(file, "components"),
                               json_object_get(served, "components")));
        json_decref(file);
        json_decref(served);
    }
}

static void real_answers_match_the_openapi_schemas(void **state)
{
    (void)state;
    char *out;
    int rc = run(&out, "node tests/api/validate.mjs http://127.0.0.1:%d",
                 E.srv.port);
    if (rc != 0 || !strstr(out, "validated "))
        fail_msg("validate.mjs: exit %d\n%s", rc, out);
    /* the figures, in the test log */
    printf("%s", out);
    assert_true(atoi(strstr(out, "validated ") + 10) >= 50);
    assert_contains(out, "9 mutated answers rejected");
    free(out);
}

/* The check can fail on a real server too, not only on the mutated
 * answers validate.mjs makes itself: a server without its database
 * answers 503 where the samples expect 200. */
static void validator_fails_when_answers_drift(void **state)
{
    (void)state;
    struct server_proc s;
    char missing[4200];
    snprintf(missing, sizeof missing, "%s/none.db", E.dir);
    server_start(&s, missing, NULL);
    char *out;
    int rc = run(&out, "node tests/api/validate.mjs http://127.0.0.1:%d 2>&1",
                 s.port);
    if (rc == 0)
        fail_msg("validate.mjs passed against a server without data:\n%s", out);
    free(out);
    server_stop(&s, NULL);
}

/* Every src= and href= of 'html' is on our origin (relative). */
static void assert_own_origin(const char *html, const char *what)
{
    const char *attrs[] = {"src=\"", "href=\"", "src='", "href='"};
    for (int k = 0; k < 4; k++)
        for (const char *p = strstr(html, attrs[k]); p;
             p = strstr(p + 1, attrs[k])) {
            const char *v = p + strlen(attrs[k]);
            if (strncmp(v, "http:", 5) == 0 || strncmp(v, "https:", 6) == 0 ||
                strncmp(v, "//", 2) == 0)
                fail_msg("%s links another host: %.80s", what, v);
        }
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "<script"));
}

static void reference_page_loads_and_names_no_other_host(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/api/", &a);
    assert_int_equal(a.status, 200);
    assert_contains(http_header(&a, "Content-Type"), "text/html");
    assert_contains(a.body, "<code>/api/nearest</code>");
    assert_contains(a.body,
                    "<code>/ogc/collections/{collectionId}/items</code>");
    assert_contains(a.body, "<code>max_km</code>");
    assert_contains(a.body, "href=\"/api/reference.css\"");
    assert_own_origin(a.body, "/api/");
    http_answer_free(&a);
    http_get(&E.srv, "/api/reference.css", &a);
    assert_int_equal(a.status, 200);
    assert_contains(http_header(&a, "Content-Type"), "text/css");
    assert_null(strstr(a.body, "url("));
    assert_null(strstr(a.body, "@import"));
    http_answer_free(&a);
    /* The page's footer links it. */
    http_get(&E.srv, "/", &a);
    assert_contains(a.body, "href=\"/api/\"");
    http_answer_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(openapi_documents_pass_redocly_lint),
        cmocka_unit_test(served_descriptions_are_the_files),
        cmocka_unit_test(real_answers_match_the_openapi_schemas),
        cmocka_unit_test(validator_fails_when_answers_drift),
        cmocka_unit_test(reference_page_loads_and_names_no_other_host),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
