/* test_data.c - the directory shipped in data/listings: it imports without
 * a single invalid record, every record carries its source, category and
 * position, and facts taken from the sources hold. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct env {
    char *dir;
    char db[4096];
};

static int setup(void **state)
{
    static struct env e;
    char *out = NULL;
    e.dir = scratch_new();
    snprintf(e.db, sizeof e.db, "%s/amo.db", e.dir);
    int rc = import(&out, e.db, "data/listings/*.csv");
    if (rc != 0)
        fail_msg("importing data/listings failed (%d):\n%s", rc, out);
    if (!strstr(out, " 0 invalid"))
        fail_msg("invalid shipped records:\n%s", out);
    free(out);
    *state = &e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    scratch_free(e->dir);
    return 0;
}

static void every_record_has_source_url_category_and_position(void **state)
{
    struct env *e = *state;
    assert_true(db_int(e->db, "SELECT count(*) FROM listings") > 200);
    assert_int_equal(db_int(e->db,
                            "SELECT count(*) FROM listings WHERE source_url"
                            " IS NULL OR source_url NOT LIKE 'http%'"),
                     0);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings WHERE"
                                   " category NOT IN ('amo','cpas','planning',"
                                   "'sdj')"),
                     0);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings WHERE lat IS"
                                   " NULL OR lon IS NULL OR position_source"
                                   " IS NULL OR nis IS NULL"),
                     0);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings WHERE"
                                   " verified_at IS NULL"),
                     0);
    /* A source is never dated after the day it was read: ISO dates of
     * reduced precision compare as text ("2026-11" is before
     * "2026-11-23"), a range by its start. */
    assert_int_equal(db_int(e->db,
                            "SELECT count(*) FROM listings WHERE source_date"
                            " IS NOT NULL AND (CASE WHEN instr(source_date,"
                            " '/') THEN substr(source_date, 1, instr("
                            "source_date, '/') - 1) ELSE source_date END)"
                            " > verified_at"),
                     0);
    /* Each shipped listing lies in Wallonia or Brussels (NIS 2xxxx of
     * Brabant wallon, 21xxx, 5x-9x), never in Flanders. */
    assert_int_equal(db_int(e->db,
                            "SELECT count(*) FROM listings WHERE NOT (nis LIKE"
                            " '21%' OR nis LIKE '25%' OR substr(nis,1,1) IN"
                            " ('5','6','8','9'))"),
                     0);
}

static void brussels_sdj_is_at_rue_van_artevelde_155(void **state)
{
    struct env *e = *state;
    char *t = db_text(e->db, "SELECT street || ', ' || postcode || ' ' ||"
                             " commune || ' | ' || phone FROM listings WHERE"
                             " category = 'sdj' AND nis = '21004'");
    assert_string_equal(t, "Rue van Artevelde 155, 1000 Bruxelles | "
                           "02 209 61 61");
    free(t);
}

/* Facts of the CAAJ Liège brochure (about 2008-2017), as printed. */
static void liege_brochure_facts_hold(void **state)
{
    struct env *e = *state;
    char *t = db_text(e->db, "SELECT street || ', ' || postcode || ' ' ||"
                             " commune || ' | ' || phone || ' | ' ||"
                             " source_date FROM listings WHERE source_id ="
                             " 'amo-liege-claj'");
    assert_string_equal(t, "Rue Ernest de Bavière 6, 4020 Liège | "
                           "04/344.44.72 | 2008/2017");
    free(t);
    t = db_text(e->db, "SELECT street || ', ' || postcode || ' | ' || phone"
                       " FROM listings WHERE source_id = 'sdj-liege'");
    assert_string_equal(t, "Rue Lambert Le Bègue 23, 4000 | 04/222.91.20");
    free(t);
    /* Twelve AMO in the arrondissement of Liège (NIS 62xxx) at least: the
     * brochure's, the CLAJ's antennas and those shipped before. */
    assert_true(db_int(e->db, "SELECT count(*) FROM listings WHERE category"
                              " = 'amo' AND nis LIKE '62%'") >= 12);
}

/* data/README.md's coverage table is what the code computes from the
 * shipped files, on the day it names (make coverage rewrites it). */
static void readme_coverage_table_matches_the_data(void **state)
{
    struct env *e = *state;
    char *readme = NULL, *table = NULL, cmd[8192];
    assert_int_equal(run(&readme, "cat data/README.md"), 0);
    const char *mark = "<!-- coverage: amo-import --report=coverage --today ";
    char *m = strstr(readme, mark);
    assert_non_null(m);
    char day[11];
    snprintf(day, sizeof day, "%s", m + strlen(mark));
    char *body = strchr(m, '\n') + 1, *end = strstr(body, "<!-- coverage: end");
    assert_non_null(end);
    snprintf(cmd, sizeof cmd,
             "%s/amo-import --db '%s' --report=coverage "
             "--today %s",
             bin_dir(), e->db, day);
    assert_int_equal(run(&table, "%s", cmd), 0);
    *end = '\0';
    if (strcmp(body, table) != 0)
        fail_msg("data/README.md's coverage table is stale (run make "
                 "coverage):\n%s\nexpected:\n%s",
                 body, table);
    free(readme);
    free(table);
}

static void every_brussels_commune_has_exactly_one_cpas(void **state)
{
    struct env *e = *state;
    /* The 19 communes of the Brussels-Capital Region: NIS 21001-21019. */
    for (int nis = 21001; nis <= 21019; nis++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM listing_territory t JOIN listings l"
                 " ON l.id = t.listing_id WHERE l.category = 'cpas' AND"
                 " t.nis = '%d'",
                 nis);
        long long n = db_int(e->db, sql);
        if (n != 1)
            fail_msg("commune %d has %lld CPAS", nis, n);
    }
    /* And no commune anywhere has two. */
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM (SELECT t.nis FROM"
                                   " listing_territory t JOIN listings l ON"
                                   " l.id = t.listing_id WHERE l.category ="
                                   " 'cpas' GROUP BY t.nis HAVING count(*)"
                                   " > 1)"),
                     0);
}

static void cpas_records_name_their_commune(void **state)
{
    struct env *e = *state;
    /* A CPAS covers its own commune (named in its id), and after a merger
     * the communes merged into it: Bastogne's serves Bertogne (2025). */
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings WHERE"
                                   " category = 'cpas' AND (territory IS NULL"
                                   " OR instr(territory, substr(source_id, 6))"
                                   " = 0)"),
                     0);
    char *b = db_text(e->db, "SELECT l.name FROM listing_territory t JOIN"
                             " listings l ON l.id = t.listing_id WHERE"
                             " l.category = 'cpas' AND t.nis = '82005'");
    assert_string_equal(b, "CPAS de Bastogne");
    free(b);
    char *t = db_text(e->db, "SELECT name FROM listings WHERE source_id ="
                             " 'cpas-21015'");
    assert_contains(t, "Schaerbeek");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_record_has_source_url_category_and_position),
        cmocka_unit_test(brussels_sdj_is_at_rue_van_artevelde_155),
        cmocka_unit_test(liege_brochure_facts_hold),
        cmocka_unit_test(readme_coverage_table_matches_the_data),
        cmocka_unit_test(every_brussels_commune_has_exactly_one_cpas),
        cmocka_unit_test(cpas_records_name_their_commune),
    };
    return cmocka_run_group_tests_name("data", tests, setup, teardown);
}
