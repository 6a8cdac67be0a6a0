/* test_web.c - the public page and the widget: the server-rendered HTML
 * (escaping, forms, CSP per route) checked over HTTP, then the page in
 * Debian's Chromium (tests/web/browser.mjs, playwright-core and
 * axe-core), each of the script's checks counted as one test here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_proc.h"
#include "support.h"

struct env {
    char *dir;
    char db[4096];
    struct server_proc srv;
    char *browser; /* browser.mjs's output */
};

static struct env E;

static int group_setup(void **state)
{
    E.dir = scratch_with_shipped_db(E.db, sizeof E.db);
    server_start(&E.srv, E.db, "--report-email corrections@annuaire.test");
    /* One Chromium run for every browser check (starting it costs
     * seconds); the screenshots go to $BUILD/screenshots. */
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    int rc =
        run(&E.browser, "nice node tests/web/browser.mjs %d %s/screenshots",
            E.srv.port, build);
    printf("%s", E.browser ? E.browser : "");
    if (rc != 0)
        printf("browser.mjs exited with status %d\n", rc);
    *state = &E;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    server_stop(&E.srv, NULL);
    scratch_free(E.dir);
    free(E.browser);
    return 0;
}

/* ---- the HTML the server renders ---------------------------------------- */

static void page_lists_search_results_without_script(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/?q=schaerbeek", &a);
    assert_int_equal(a.status, 200);
    assert_contains(http_header(&a, "Content-Type"), "text/html");
    assert_contains(a.body, "CPAS de Schaerbeek");
    assert_contains(a.body, "href=\"tel:+3224355090\"");
    assert_contains(a.body, "value=\"schaerbeek\"");
    assert_contains(http_header(&a, "Cache-Control"), "private");
    assert_contains(http_header(&a, "Content-Security-Policy"),
                    "frame-ancestors 'self'");
    assert_null(strstr(a.body, "{{"));
    http_answer_free(&a);
}

static void page_escapes_the_query(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv,
             "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27&where=%3Cb%3E", &a);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "<script>alert"));
    assert_null(strstr(a.body, "<b>"));
    assert_contains(a.body, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;");
    http_answer_free(&a);
}

static void page_postcode_lists_nearest_and_competence(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/?where=5000&cat=cpas", &a);
    assert_int_equal(a.status, 200);
    assert_contains(a.body, "Les plus proches de Namur");
    assert_contains(a.body, "Pour la commune de Namur");
    assert_contains(a.body, "<option value=\"cpas\" selected>");
    assert_null(strstr(a.body, "data-cat=\"amo\""));
    /* The shipped CPAS sit at their postcode's centre: a distance in
     * whole kilometres, said to be approximate, never "0,0 km". */
    assert_contains(a.body, "class=\"dist\">≈ ");
    assert_contains(a.body, "Position approximative (centre de ");
    assert_null(strstr(a.body, "0,0 km"));
    http_answer_free(&a);
    /* Schaerbeek: no SDJ branch is known to serve it, the nearest is
     * named as the nearest. */
    http_get(&E.srv, "/?where=1030", &a);
    assert_int_equal(a.status, 200);
    assert_contains(a.body, "Pour la commune de Schaerbeek");
    assert_contains(a.body, "le plus proche : <a href=");
    assert_contains(a.body, ">Service Droit des Jeunes de Bruxelles</a> (");
    http_answer_free(&a);
}

/* The server-rendered cards say how sure their facts are: approximate
 * positions, old sources, a link to report an error; the competence box
 * and the list give one listing one distance. */
static void page_cards_say_how_sure_they_are(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/?where=4000", &a);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "0,0 km"));
    assert_contains(a.body, "Position approximative (centre de 4020 Liège)");
    assert_contains(a.body, "Coordonnées de 2012 environ : appelle avant "
                            "d'y aller.");
    assert_contains(a.body, "<a href=\"mailto:corrections@annuaire.test?"
                            "subject=Erreur%20dans%20l%27annuaire");
    /* The SDJ of Liège: the same distance in the box and on its card. */
    const char *name = "Service Droit des Jeunes (permanence de Liège)</a>";
    const char *box = strstr(a.body, name);
    assert_non_null(box);
    char in_box[32] = "", in_list[32] = "";
    sscanf(box + strlen(name), " (%31[^)])", in_box);
    const char *cardp = strstr(box + 1, name);
    assert_non_null(cardp);
    const char *d = strstr(cardp, "class=\"dist\">");
    assert_non_null(d);
    sscanf(d + strlen("class=\"dist\">"), "%31[^<]", in_list);
    assert_string_equal(in_box, "≈ 2 km");
    assert_string_equal(in_list, in_box);
    http_answer_free(&a);
}

/* The situations on the page and the widget, without any script. */
static void situations_render_on_the_server(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/", &a);
    assert_contains(a.body, "De quoi as-tu besoin ?");
    assert_contains(a.body, "<a class=\"need\" href=\"?besoin=famille\">");
    http_answer_free(&a);
    http_get(&E.srv, "/?besoin=argent&where=4000&lang=nl", &a);
    assert_contains(a.body, "Waarmee kunnen we je helpen?");
    assert_contains(a.body, "<ul class=\"choices\">");
    assert_contains(a.body, "besoin=revenu-integration");
    http_answer_free(&a);
    http_get(&E.srv, "/?besoin=revenu-integration&where=4000", &a);
    assert_contains(a.body, "Ton CPAS : CPAS de Liège");
    assert_contains(a.body, "data-cat=\"cpas\"");
    http_answer_free(&a);
    /* words that mean nothing to the directory still leave the visitor
     * with someone to talk to and numbers to call, near them */
    http_get(&E.srv, "/?q=zxqv+wkly&where=4000", &a);
    assert_contains(a.body, "<p class=\"unsure\">Aucun service ne correspond");
    assert_contains(a.body, "href=\"tel:103\"");
    assert_contains(a.body, "data-cat=\"amo\"");
    http_answer_free(&a);
    /* unknown: the page still answers, with no situation */
    http_get(&E.srv, "/?besoin=%3Cscript%3E", &a);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "<script>"));
    http_answer_free(&a);
    /* the widget: a school embeds "help with school" for its commune */
    http_get(&E.srv, "/embed?besoin=ecole&commune=4000", &a);
    assert_int_equal(a.status, 200);
    assert_contains(a.body, "besoin=renvoi-ecole");
    assert_contains(a.body, "commune=4000");
    http_answer_free(&a);
    http_get(&E.srv, "/embed?besoin=renvoi-ecole&commune=4000", &a);
    assert_contains(a.body, "class=\"situation");
    assert_contains(a.body, "class=\"card");
    http_answer_free(&a);
    /* for partners: every situation in three languages */
    http_get(&E.srv, "/api/situations", &a);
    assert_int_equal(a.status, 200);
    assert_contains(http_header(&a, "Access-Control-Allow-Origin"), "*");
    assert_contains(a.body, "\"id\":\"dispute-parents\"");
    assert_contains(a.body, "\"nl\":\"Ruzie met mijn ouders\"");
    http_answer_free(&a);
}

static void page_survives_bad_parameters(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/?cat=nope&age=abc&sel=12x&where=9999&utm_source=x", &a);
    assert_int_equal(a.status, 200);
    assert_contains(a.body, "Code postal ou commune inconnu");
    assert_contains(a.body, "class=\"card");
    http_answer_free(&a);
}

static void embed_is_frameable_and_lists_the_commune(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/embed?category=amo&commune=1030", &a);
    assert_int_equal(a.status, 200);
    assert_contains(http_header(&a, "Content-Security-Policy"),
                    "frame-ancestors *");
    assert_contains(a.body, "AMOS");
    assert_contains(a.body, "AtMOsphères");
    assert_null(strstr(a.body, "cat-cpas"));
    assert_contains(a.body, "target=\"_blank\"");
    http_answer_free(&a);
    http_get(&E.srv, "/embed.html", &a);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body, "{{"));
    http_answer_free(&a);
    http_get(&E.srv, "/app.js", &a);
    assert_contains(http_header(&a, "Content-Security-Policy"),
                    "frame-ancestors 'self'");
    http_answer_free(&a);
}

static void communes_by_name_gives_a_center(void **state)
{
    (void)state;
    struct http_answer a;
    http_get(&E.srv, "/api/communes?name=jambes", &a);
    assert_int_equal(a.status, 200);
    assert_contains(a.body, "\"name_fr\":\"Namur\"");
    assert_contains(a.body, "\"center\":[4.8");
    http_answer_free(&a);
    http_get(&E.srv, "/api/communes?name=atlantis", &a);
    assert_int_equal(a.status, 404);
    http_answer_free(&a);
}

static void static_files_go_precompressed_to_gzip_clients(void **state)
{
    (void)state;
    struct http_answer a, b;
    const char *const gz[] = {"Accept-Encoding: gzip", NULL};
    http_req(&E.srv, "GET", "/vendor/maplibre-gl.js", gz, &a);
    http_get(&E.srv, "/vendor/maplibre-gl.js", &b);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    assert_string_equal(http_header(&a, "Content-Encoding"), "gzip");
    assert_null(http_header(&b, "Content-Encoding"));
    assert_true(a.len * 3 < b.len); /* about 0.27 MB instead of 1.1 MB */
    assert_memory_equal(a.body, "\x1f\x8b", 2);
    assert_contains(http_header(&a, "Content-Type"), "text/javascript");
    http_answer_free(&a);
    http_answer_free(&b);
}

static void page_without_database_is_html_503(void **state)
{
    (void)state;
    char db[4200];
    snprintf(db, sizeof db, "%s/missing.db", E.dir);
    struct server_proc srv;
    server_start(&srv, db, NULL);
    struct http_answer a;
    http_get(&srv, "/?q=schaerbeek", &a);
    assert_int_equal(a.status, 503);
    assert_contains(http_header(&a, "Content-Type"), "text/html");
    assert_contains(a.body, "momentanément indisponible");
    assert_null(strstr(a.body, "{{"));
    http_answer_free(&a);
    http_get(&srv, "/api/status", &a);
    assert_int_equal(a.status, 503);
    http_answer_free(&a);
    assert_int_equal(server_stop(&srv, NULL), 0);
}

/* ---- the page in Chromium ---------------------------------------------------
 */

static void browser_check(const char *name)
{
    char ok[128], bad[128];
    snprintf(ok, sizeof ok, "\nok %s\n", name);
    snprintf(bad, sizeof bad, "\nnot ok %s", name);
    char *all = NULL;
    size_t n = strlen(E.browser ? E.browser : "");
    all = malloc(n + 2);
    assert_non_null(all);
    all[0] = '\n';
    memcpy(all + 1, E.browser ? E.browser : "", n + 1);
    bool passed = strstr(all, ok) != NULL;
    const char *why = strstr(all, bad);
    char msg[512] = "did not run (see browser.mjs's output above)";
    if (why)
        snprintf(msg, sizeof msg, "%.*s", (int)strcspn(why + 1, "\n"), why + 1);
    free(all);
    if (!passed)
        fail_msg("%s: %s", name, msg);
}

#define BROWSER(name)                                                          \
    static void browser_##name(void **state)                                   \
    {                                                                          \
        (void)state;                                                           \
        browser_check(#name);                                                  \
    }
BROWSER(first_results_under_1s)
BROWSER(search_schaerbeek_opens_result)
BROWSER(suggestion_by_keyboard)
BROWSER(postcode_typed_in)
BROWSER(filters_category_age_open)
BROWSER(opening_hours_open_and_closed)
BROWSER(public_holiday_leaves_out_unknown_hours)
BROWSER(cards_say_how_sure_they_are)
BROWSER(no_amo_here_names_the_nearest)
BROWSER(shared_url_restores_state)
BROWSER(widget_in_iframe)
BROWSER(transfer_under_400kb)
BROWSER(page_floors_console_layout_transfer)
BROWSER(screenshot_360x740)
BROWSER(screenshot_1280x800)
BROWSER(map_cluster_opens_on_click)
BROWSER(map_names_municipalities_fr_nl)
BROWSER(map_names_provinces_z7)
BROWSER(map_cluster_counts)
BROWSER(example_maplibre_page)
BROWSER(near_me_geolocation)
BROWSER(without_webgl_list_only)
BROWSER(without_javascript_server_list)
BROWSER(situations_without_javascript)
BROWSER(situation_from_words_and_suggestion)
BROWSER(languages_nl_en)
BROWSER(first_paint_list_is_kept)
BROWSER(axe_page)
BROWSER(axe_page_search)
BROWSER(axe_widget)
BROWSER(axe_suggestions_open)
BROWSER(axe_situation)
BROWSER(axe_group)
BROWSER(htmlcs_page)
BROWSER(htmlcs_widget)
BROWSER(quick_exit_leaves_back_does_not_return)
BROWSER(no_trace_sensitive_search)
BROWSER(offline_postcode_and_situation)
BROWSER(manifest_and_worker_installable)
BROWSER(first_visit_bytes_phone)
BROWSER(map_labels_no_overlap_360_z7)
BROWSER(no_script_or_csp_errors)
BROWSER(no_third_party_request)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_lists_search_results_without_script),
        cmocka_unit_test(page_escapes_the_query),
        cmocka_unit_test(page_postcode_lists_nearest_and_competence),
        cmocka_unit_test(page_cards_say_how_sure_they_are),
        cmocka_unit_test(situations_render_on_the_server),
        cmocka_unit_test(page_survives_bad_parameters),
        cmocka_unit_test(embed_is_frameable_and_lists_the_commune),
        cmocka_unit_test(communes_by_name_gives_a_center),
        cmocka_unit_test(static_files_go_precompressed_to_gzip_clients),
        cmocka_unit_test(page_without_database_is_html_503),
        cmocka_unit_test(browser_first_results_under_1s),
        cmocka_unit_test(browser_search_schaerbeek_opens_result),
        cmocka_unit_test(browser_suggestion_by_keyboard),
        cmocka_unit_test(browser_postcode_typed_in),
        cmocka_unit_test(browser_filters_category_age_open),
        cmocka_unit_test(browser_opening_hours_open_and_closed),
        cmocka_unit_test(browser_public_holiday_leaves_out_unknown_hours),
        cmocka_unit_test(browser_cards_say_how_sure_they_are),
        cmocka_unit_test(browser_no_amo_here_names_the_nearest),
        cmocka_unit_test(browser_shared_url_restores_state),
        cmocka_unit_test(browser_widget_in_iframe),
        cmocka_unit_test(browser_transfer_under_400kb),
        cmocka_unit_test(browser_page_floors_console_layout_transfer),
        cmocka_unit_test(browser_screenshot_360x740),
        cmocka_unit_test(browser_screenshot_1280x800),
        cmocka_unit_test(browser_map_cluster_opens_on_click),
        cmocka_unit_test(browser_map_names_municipalities_fr_nl),
        cmocka_unit_test(browser_map_names_provinces_z7),
        cmocka_unit_test(browser_map_cluster_counts),
        cmocka_unit_test(browser_example_maplibre_page),
        cmocka_unit_test(browser_near_me_geolocation),
        cmocka_unit_test(browser_without_webgl_list_only),
        cmocka_unit_test(browser_without_javascript_server_list),
        cmocka_unit_test(browser_situations_without_javascript),
        cmocka_unit_test(browser_situation_from_words_and_suggestion),
        cmocka_unit_test(browser_languages_nl_en),
        cmocka_unit_test(browser_first_paint_list_is_kept),
        cmocka_unit_test(browser_axe_page),
        cmocka_unit_test(browser_axe_page_search),
        cmocka_unit_test(browser_axe_widget),
        cmocka_unit_test(browser_axe_suggestions_open),
        cmocka_unit_test(browser_axe_situation),
        cmocka_unit_test(browser_axe_group),
        cmocka_unit_test(browser_htmlcs_page),
        cmocka_unit_test(browser_htmlcs_widget),
        cmocka_unit_test(browser_quick_exit_leaves_back_does_not_return),
        cmocka_unit_test(browser_no_trace_sensitive_search),
        cmocka_unit_test(browser_offline_postcode_and_situation),
        cmocka_unit_test(browser_manifest_and_worker_installable),
        cmocka_unit_test(browser_first_visit_bytes_phone),
        cmocka_unit_test(browser_map_labels_no_overlap_360_z7),
        cmocka_unit_test(browser_no_script_or_csp_errors),
        cmocka_unit_test(browser_no_third_party_request),
    };
    return cmocka_run_group_tests_name("web", tests, group_setup,
                                       group_teardown);
}
