/* test_lib.c - lib/: text folding and UTF-8, buffers, distances, the
 * gazetteer, and schema versions and migration. */
#include "support.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "err.h"
#include "gazetteer.h"
#include "geo.h"
#include "json_write.h"
#include "text.h"

#define GAZ_DIR AMO_DATA_DIR "/gazetteer"

static void fold_matches_french_and_dutch_headers(void **state)
{
    (void)state;
    char k[64];
    text_fold("Code postal", k, sizeof k);
    assert_string_equal(k, "codepostal");
    text_fold("Téléphone", k, sizeof k);
    assert_string_equal(k, "telephone");
    text_fold("E-MAIL", k, sizeof k);
    assert_string_equal(k, "email");
    text_fold("Sint-Jans-Molenbeek", k, sizeof k);
    assert_string_equal(k, "sintjansmolenbeek");
    text_fold("Œuvre Straße Âge", k, sizeof k);
    assert_string_equal(k, "oeuvrestrasseage");
    /* Truncation keeps a valid prefix. */
    assert_int_equal(text_fold("abcdefgh", k, 4), 3);
    assert_string_equal(k, "abc");
}

static void utf8_check_rejects_latin1_and_overlongs(void **state)
{
    (void)state;
    assert_true(text_utf8_valid("Liège", strlen("Liège")));
    assert_false(text_utf8_valid("Li\xe8ge", 5));
    assert_true(text_looks_latin1("Li\xe8ge", 5));
    assert_false(text_looks_latin1("Liège", strlen("Liège")));
    assert_false(text_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(text_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(text_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(text_utf8_valid("ab\xc3", 3));           /* truncated */
    assert_false(text_utf8_valid("a\0b", 3));
}

static void trim_removes_spaces_and_nbsp(void **state)
{
    (void)state;
    char s[] = " \t\xc2\xa0"
               "AMO Rythme\xc2\xa0 \r\n";
    assert_string_equal(text_trim(s), "AMO Rythme");
    char e[] = "   ";
    assert_string_equal(text_trim(e), "");
}

static void buf_refuses_to_grow_past_its_cap(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "12345678"), 0);
    assert_int_equal(buf_putc(&b, '9'), ERR_TOOBIG);
    assert_string_equal(buf_str(&b), "12345678"); /* unchanged */
    buf_free(&b);
    assert_string_equal(buf_str(&b), "");
}

static const char *written(struct buf *b, void (*f)(struct jw *, const void *),
                           const void *arg)
{
    buf_reset(b);
    struct jw w = {.b = b};
    f(&w, arg);
    assert_int_equal(w.err, 0);
    return buf_str(b);
}

static void write_str(struct jw *w, const void *s)
{
    jw_string(w, s, strlen(s));
}

static void write_coord(struct jw *w, const void *v)
{
    jw_coord(w, *(const double *)v);
}

static void write_int(struct jw *w, const void *v)
{
    jw_int(w, *(const long long *)v);
}

static void json_writer_escapes_and_rounds(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 16);
    /* RFC 8259 section 7: quote, backslash and every control character;
     * U+2028/9 too (JavaScript); the rest of UTF-8 as is. */
    assert_string_equal(written(&b, write_str, "a\"b\\c/d"),
                        "\"a\\\"b\\\\c/d\"");
    assert_string_equal(written(&b, write_str, "\n\t\r\b\f\x01\x1f\x7f"),
                        "\"\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\"");
    assert_string_equal(written(&b, write_str, "x\xe2\x80\xa8y\xe2\x80\xa9"),
                        "\"x\\u2028y\\u2029\"");
    assert_string_equal(written(&b, write_str, "Li\xc3\xa8ge \xe2\x82\xac"),
                        "\"Li\xc3\xa8ge \xe2\x82\xac\"");
    assert_string_equal(written(&b, write_str, "bad \xe9"), "null");
    /* What we write reads back as the same string (jansson's parser). */
    const char *tricky = "q\"\\\x02\xe2\x80\xa8\xc3\xa9\n";
    json_t *j =
        json_loads(written(&b, write_str, tricky), JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), tricky);
    json_decref(j);
    /* Coordinates: 7 decimals, no trailing zeros, same double back. */
    double c[] = {4.3493050000000002, 50.85, -0.00000001, 5.0, -3.12345678};
    const char *want[] = {"4.349305", "50.85", "0.0", "5.0", "-3.1234568"};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        const char *t = written(&b, write_coord, &c[i]);
        assert_string_equal(t, want[i]);
        assert_true(strtod(t, NULL) == round(c[i] * 1e7) / 1e7);
    }
    long long n[] = {0, -7, 1209673212353837LL, -9223372036854775807LL - 1};
    const char *nt[] = {"0", "-7", "1209673212353837", "-9223372036854775808"};
    for (size_t i = 0; i < sizeof n / sizeof *n; i++)
        assert_string_equal(written(&b, write_int, &n[i]), nt[i]);
    buf_free(&b);
}

static void distance_brussels_liege_is_about_89_km(void **state)
{
    (void)state;
    /* Grand-Place to Place Saint-Lambert: about 89 km as the crow flies. */
    double d = geo_distance_m(50.8467, 4.3525, 50.6455, 5.5733);
    assert_true(d > 87000 && d < 91000);
    assert_true(geo_in_belgium_box(49.6833, 5.8167));  /* Arlon */
    assert_false(geo_in_belgium_box(48.8566, 2.3522)); /* Paris */
}

static void gazetteer_finds_communes_by_point_name_and_postcode(void **state)
{
    (void)state;
    struct gazetteer *g = NULL;
    char msg[256];
    assert_int_equal(gaz_load(GAZ_DIR, &g, msg, sizeof msg), 0);
    assert_int_equal(gaz_commune_count(g), 581);
    /* Grand-Place is in Bruxelles (21004); Arlon's centre in 81001. */
    const struct gaz_commune *c = gaz_commune_at(g, 50.8467, 4.3525);
    assert_non_null(c);
    assert_string_equal(c->nis, "21004");
    c = gaz_commune_at(g, 49.6833, 5.8167);
    assert_non_null(c);
    assert_string_equal(c->nis, "81001");
    /* Lille is in France: no commune, and well beyond the margin. */
    assert_null(gaz_commune_at(g, 50.6292, 3.0573));
    assert_true(gaz_border_distance_m(g, 50.6292, 3.0573) > 5000);
    c = gaz_commune_by_name(g, "sint-jans-molenbeek");
    assert_non_null(c);
    assert_string_equal(c->nis, "21012");
    assert_string_equal(gaz_commune_by_name(g, "Liège")->nis, "62063");
    assert_null(gaz_commune_by_name(g, "Atlantis"));
    /* 1030 is Schaerbeek; 4000's place named Liège, not its first (Glain). */
    const struct gaz_postcode *pc = gaz_postcode(g, "1030", NULL);
    assert_non_null(pc);
    assert_string_equal(pc->place, "Schaerbeek");
    assert_string_equal(gaz_postcode(g, "4000", "liege")->place, "Liège");
    assert_string_equal(gaz_postcode(g, "4000", NULL)->place, "Glain");
    assert_null(gaz_postcode(g, "0999", NULL));
    /* Every municipality's inner point lies inside it. */
    for (size_t i = 0; i < gaz_commune_count(g); i++) {
        const struct gaz_commune *m = gaz_commune_at_index(g, i);
        assert_ptr_equal(gaz_commune_at(g, m->in_lat, m->in_lon), m);
    }
    gaz_free(g);
}

static void gazetteer_load_names_the_missing_file(void **state)
{
    (void)state;
    struct gazetteer *g = NULL;
    char msg[256] = "";
    assert_int_not_equal(gaz_load("/nonexistent", &g, msg, sizeof msg), 0);
    assert_null(g);
    assert_contains(msg, "/nonexistent/be-municipalities.geojson");
}

static void open_creates_current_schema_in_wal_mode(void **state)
{
    (void)state;
    char *dir = scratch_new();
    const char *path = path_in(dir, "new.db");
    sqlite3 *db = NULL;
    char msg[256];
    assert_int_equal(db_open(path, DB_READWRITE, &db, msg, sizeof msg), 0);
    assert_int_equal(db_schema_version(db), DB_SCHEMA_VERSION);
    sqlite3_close(db);
    char *mode = db_text(path, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    /* The FTS index folds accents: "liege" finds "Liège". */
    assert_int_equal(db_open(path, DB_READWRITE, &db, msg, sizeof msg), 0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO listings_fts(rowid, name) "
                             "VALUES (1, 'Planning de Liège')",
                             msg, sizeof msg),
                     0);
    sqlite3_close(db);
    assert_int_equal(db_int(path, "SELECT count(*) FROM listings_fts "
                                  "WHERE listings_fts MATCH 'liege'"),
                     1);
    assert_int_equal(db_int(path, "SELECT count(*) FROM listings_fts "
                                  "WHERE listings_fts MATCH 'lie*'"),
                     1);
    scratch_free(dir);
}

static void old_database_is_migrated_with_its_data(void **state)
{
    (void)state;
    char *dir = scratch_new();
    const char *path = path_in(dir, "old.db");
    sqlite3 *db = NULL;
    char msg[256];
    /* Build a version-1 database holding one listing with a territory. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(db_migrate(db, 1, msg, sizeof msg), 0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO listings(id, category, name, source,"
                             " source_id, territory, first_seen, updated_at,"
                             " fingerprint) VALUES (7, 'amo', 'AMO Rythme',"
                             " 'x', 'r', '21001|21004', 't', 't', 1)",
                             msg, sizeof msg),
                     0);
    sqlite3_close(db);
    assert_int_equal(db_int(path, "PRAGMA user_version"), 1);
    assert_int_equal(db_open(path, DB_READWRITE, &db, msg, sizeof msg), 0);
    sqlite3_close(db);
    assert_int_equal(db_int(path, "PRAGMA user_version"), DB_SCHEMA_VERSION);
    assert_int_equal(db_int(path, "SELECT count(*) FROM listing_territory "
                                  "WHERE listing_id = 7"),
                     2);
    assert_int_equal(db_int(path, "SELECT count(*) FROM listings"), 1);
    scratch_free(dir);
}

static void newer_database_is_refused_with_a_clear_message(void **state)
{
    (void)state;
    char *dir = scratch_new();
    const char *path = path_in(dir, "future.db");
    sqlite3 *db = NULL;
    char msg[512] = "";
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(db_exec(db, "PRAGMA user_version=99", msg, sizeof msg), 0);
    sqlite3_close(db);
    assert_int_equal(db_open(path, DB_READWRITE, &db, msg, sizeof msg),
                     ERR_SCHEMA);
    assert_null(db);
    assert_contains(msg, "future.db");
    assert_contains(msg, "version 99 is newer");
    /* Read-only opens refuse an old schema instead of migrating it. */
    const char *old = path_in(dir, "v1.db");
    assert_int_equal(sqlite3_open(old, &db), SQLITE_OK);
    assert_int_equal(db_migrate(db, 1, msg, sizeof msg), 0);
    sqlite3_close(db);
    assert_int_equal(db_open(old, DB_READONLY, &db, msg, sizeof msg),
                     ERR_SCHEMA);
    assert_contains(msg, "run amo-import once");
    scratch_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_matches_french_and_dutch_headers),
        cmocka_unit_test(utf8_check_rejects_latin1_and_overlongs),
        cmocka_unit_test(trim_removes_spaces_and_nbsp),
        cmocka_unit_test(buf_refuses_to_grow_past_its_cap),
        cmocka_unit_test(json_writer_escapes_and_rounds),
        cmocka_unit_test(distance_brussels_liege_is_about_89_km),
        cmocka_unit_test(gazetteer_finds_communes_by_point_name_and_postcode),
        cmocka_unit_test(gazetteer_load_names_the_missing_file),
        cmocka_unit_test(open_creates_current_schema_in_wal_mode),
        cmocka_unit_test(old_database_is_migrated_with_its_data),
        cmocka_unit_test(newer_database_is_refused_with_a_clear_message),
    };
    return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
