/* test_ranking.c - the search's index in memory (server/textindex.c) ranks
 * exactly as FTS5's own bm25 in SQL does (amo-server --search-engine
 * fts5, the reference): on the shipped directory plus 20,000 SYNTHETIC
 * listings (bench/gen-listings), a check set of queries gives the same
 * listings in the same order, with the same matched words, from both.
 * And the index follows an import: a new word is found without a
 * restart. */
#include "support.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_proc.h"

struct env {
    char *dir;
    char db[4096];
    struct server_proc mem, ref;
};

static struct env E;

static int group_setup(void **state)
{
    E.dir = scratch_with_shipped_db(E.db, sizeof E.db);
    char *out = NULL;
    const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
    if (run(&out,
            "%s/bench/gen-listings --count 20000 > '%s/syn.csv' &&"
            " %s/amo-import --quiet --db '%s' --source synthetic"
            " '%s/syn.csv'",
            build, E.dir, bin_dir(), E.db, E.dir) != 0)
        fail_msg("synthetic import failed:\n%s", out);
    free(out);
    server_start(&E.mem, E.db, NULL);
    server_start(&E.ref, E.db, "--search-engine fts5");
    *state = &E;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    server_stop(&E.mem, NULL);
    server_stop(&E.ref, NULL);
    scratch_free(E.dir);
    return 0;
}

/* The answer's listings as "id matched... fuzzy" lines. */
static char *listing_lines(const struct server_proc *s, const char *query)
{
    struct http_answer a;
    char path[1024];
    snprintf(path, sizeof path, "/api/search?%s", query);
    http_get(s, path, &a);
    if (a.status != 200)
        fail_msg("%s: %ld %s", path, a.status, a.body);
    json_t *j = json_loads(a.body, 0, NULL);
    http_answer_free(&a);
    assert_non_null(j);
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(1, cap);
    json_t *fs = json_object_get(j, "features"), *f;
    size_t i;
    json_array_foreach(fs, i, f)
    {
        json_t *p = json_object_get(f, "properties");
        n += (size_t)snprintf(
            out + n, cap - n, "%lld",
            (long long)json_integer_value(json_object_get(p, "id")));
        json_t *m = json_object_get(p, "matched"), *w;
        size_t k;
        json_array_foreach(m, k, w) n +=
            (size_t)snprintf(out + n, cap - n, " %s", json_string_value(w));
        n += (size_t)snprintf(
            out + n, cap - n, "%s\n",
            json_is_true(json_object_get(p, "fuzzy")) ? " fuzzy" : "");
        assert_true(n < cap);
    }
    json_decref(j);
    return out;
}

static void memory_ranks_as_fts5_bm25(void **state)
{
    (void)state;
    /* commune names, prefixes short and long, typos, category words,
     * stems in three languages, several words (all, then some), a word
     * in every synthetic listing, positions, pages and filters */
    static const char *const queries[] = {
        "q=schaer",
        "q=liege",
        "q=li%C3%A8ge",
        "q=namur",
        "q=charleroi",
        "q=bruxelles",
        "q=shaerbeek",
        "q=anderleckt",
        "q=cpas",
        "q=cpas%20wavre",
        "q=planning%20ixelles",
        "q=sc",
        "q=ch",
        "q=an",
        "q=synthetic",
        "q=synthetic&limit=50&offset=500",
        "q=listing%20000012",
        "q=ecoles",
        "q=ouders",
        "q=disputes",
        "q=jeunes",
        "q=aide%20jeunesse",
        "q=aide%20jeunesse%20schaerbeek",
        "q=xqzw%20liege",
        "q=famil%20schol",
        "q=mena%20namur",
        "q=school&category=amo",
        "q=family&category=cpas,planning",
        "q=bruxelles&near=50.85,4.35",
        "q=bruxelles&near=50.85,4.35&limit=30&offset=20",
        "q=service&near=50.45,3.95",
        "q=aide&near=50.63,5.57&category=amo",
        "q=ecoute",
        "q=%C3%A9coute%20enfants",
        "q=centre%20de%20planning%20familial%20namur",
        "q=0800",
        "q=4000",
        "q=rue",
        "q=bench%20mark",
        "q=gezin",
    };
    int same = 0, n = (int)(sizeof queries / sizeof *queries);
    for (int i = 0; i < n; i++) {
        char *a = listing_lines(&E.mem, queries[i]);
        char *b = listing_lines(&E.ref, queries[i]);
        if (strcmp(a, b) == 0)
            same++;
        else
            printf("differs: %s\nmemory:\n%sfts5:\n%s", queries[i], a, b);
        free(a);
        free(b);
    }
    printf("figure ranking_same_as_fts5 %d/%d queries\n", same, n);
    assert_int_equal(same, n);
}

/* A new data version gets its own index: an imported word is found. */
static void the_index_follows_an_import(void **state)
{
    (void)state;
    char *dir = scratch_new();
    const char *csv = path_in(dir, "new.csv");
    write_file(csv,
               "id,category,name,description,lat,lon\n"
               "t1,amo,Test Zyxwvutsr,SYNTHETIC row of a test,50.85,4.35\n",
               (size_t)-1);
    char args[4200], *out = NULL;
    snprintf(args, sizeof args, "--quiet --source test '%s'", csv);
    assert_int_equal(import(&out, E.db, args), 0);
    free(out);
    char *a = listing_lines(&E.mem, "q=zyxwvutsr");
    assert_non_null(strstr(a, "Zyxwvutsr"));
    free(a);
    scratch_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_ranks_as_fts5_bm25),
        cmocka_unit_test(the_index_follows_an_import),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
