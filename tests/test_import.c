/* test_import.c - bin/amo-import end to end on real SQLite files: every
 * format, Lambert conversion, geocoding precision, every validation error,
 * encodings, idempotence, ids, prune guard and dry run. */
#include "support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX "tests/fixtures/"

struct env {
    char *dir;
    const char *db;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    e->dir = scratch_new();
    e->db = strdup(path_in(e->dir, "amo.db"));
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    scratch_free(e->dir);
    free((char *)e->db);
    free(e);
    return 0;
}

static double db_real(const char *db, const char *sql)
{
    char *t = db_text(db, sql);
    double v = atof(t);
    free(t);
    return v;
}

/* The four fixture listings, checked field by field, whatever the format. */
static void expect_fixture_listings(const char *db, const char *pos)
{
    char sql[512];
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings"), 4);
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings_rtree"), 4);
    assert_int_equal(db_int(db, "SELECT count(*) FROM listings_fts"), 4);
    char *t = db_text(db, "SELECT category || '|' || name || '|' || nis ||"
                          " '|' || commune FROM listings"
                          " WHERE source_id = 'sdj-bruxelles'");
    assert_string_equal(t, "sdj|Service Droit des Jeunes de Bruxelles|21004|"
                           "Bruxelles");
    free(t);
    /* The bpost centroid of 1000 Bruxelles, within a metre (1e-5 deg). */
    assert_true(fabs(db_real(db, "SELECT lat FROM listings WHERE source_id ="
                                 " 'sdj-bruxelles'") -
                     50.8465573) < 1e-5);
    assert_true(fabs(db_real(db, "SELECT lon FROM listings WHERE source_id ="
                                 " 'sdj-bruxelles'") -
                     4.351697) < 1e-5);
    /* Liège (62063) for Sips, Anderlecht (21001) for Rythme. */
    assert_int_equal(db_int(db, "SELECT nis FROM listings WHERE source_id ="
                                " 'planning-sips-liege'"),
                     62063);
    assert_int_equal(db_int(db, "SELECT nis FROM listings WHERE source_id ="
                                " 'amo-anderlecht-rythme'"),
                     21001);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM listings WHERE position_source = '%s'", pos);
    assert_int_equal(db_int(db, sql), 4);
}

static void csv_imports_with_quotes_and_embedded_newlines(void **state)
{
    struct env *e = *state;
    char *out;
    assert_int_equal(import(&out, e->db, FIX "listings.csv"), 0);
    assert_contains(out, "total: 4 added, 0 changed");
    free(out);
    expect_fixture_listings(e->db, "postcode");
    char *d = db_text(e->db, "SELECT description FROM listings"
                             " WHERE source_id = 'amo-anderlecht-rythme'");
    assert_string_equal(d, "Service d'actions en milieu ouvert : écoute, "
                           "\"accompagnement\" et projets.");
    free(d);
    d = db_text(e->db, "SELECT description FROM listings"
                       " WHERE source_id = 'sdj-bruxelles'");
    assert_string_equal(d, "Informe et défend les jeunes sur leurs droits.\n"
                           "Aide juridique gratuite.");
    free(d);
    assert_int_equal(db_int(e->db,
                            "SELECT age_max FROM listings"
                            " WHERE source_id = 'amo-anderlecht-rythme'"),
                     21);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listing_territory"
                                   " WHERE nis = '21001'"),
                     1);
}

static void semicolon_crlf_bom_and_french_headers_import_alike(void **state)
{
    struct env *e = *state;
    assert_int_equal(import(NULL, e->db, FIX "listings-fr.csv"), 0);
    expect_fixture_listings(e->db, "postcode");
    char *t = db_text(e->db, "SELECT phone || '|' || email FROM listings"
                             " WHERE source_id = 'amo-etterbeek-samarcande'");
    assert_string_equal(t, "02/647.47.03|info@samarcande.be");
    free(t);
}

static void geojson_ndjson_and_opendatasoft_keep_source_points(void **state)
{
    struct env *e = *state;
    const char *files[] = {"listings.geojson", "listings.ndjson", "ods-v1.json",
                           "ods-v2.json"};
    for (size_t i = 0; i < 4; i++) {
        char db[4096], args[256];
        snprintf(db, sizeof db, "%s/f%zu.db", e->dir, i);
        snprintf(args, sizeof args, FIX "%s", files[i]);
        char *out;
        int rc = import(&out, db, args);
        if (rc != 0)
            fail_msg("%s: exit %d\n%s", files[i], rc, out);
        free(out);
        expect_fixture_listings(db, "source");
    }
}

static void lambert_inputs_are_converted_with_proj(void **state)
{
    struct env *e = *state;
    char db2[4096];
    /* EPSG:31370 from the legacy GeoJSON crs member. */
    assert_int_equal(import(NULL, e->db, FIX "listings-lambert72.geojson"), 0);
    expect_fixture_listings(e->db, "converted");
    /* EPSG:3812 x/y columns, recognised from their range. */
    snprintf(db2, sizeof db2, "%s/l08.db", e->dir);
    char *out;
    assert_int_equal(import(&out, db2, FIX "listings-lambert2008.csv"), 0);
    assert_contains(out, "EPSG:3812");
    free(out);
    assert_true(fabs(db_real(db2, "SELECT lat FROM listings WHERE source_id ="
                                  " 'sdj-bruxelles'") -
                     50.8465573) < 1e-5);
}

static void lambert72_known_point_matches_proj(void **state)
{
    struct env *e = *state;
    /* EPSG:31370 (149000, 170000) is about 50.8404 N, 4.3546 E. */
    write_file(path_in(e->dir, "pt.csv"),
               "id,name,x,y\np1,Point test,149000,170000\n", (size_t)-1);
    char args[4096];
    snprintf(args, sizeof args, "--category amo --crs EPSG:31370 '%s'",
             path_in(e->dir, "pt.csv"));
    assert_int_equal(import(NULL, e->db, args), 0);
    double lat = db_real(e->db, "SELECT lat FROM listings");
    double lon = db_real(e->db, "SELECT lon FROM listings");
    assert_true(fabs(lat - 50.8404) < 0.0002);
    assert_true(fabs(lon - 4.3546) < 0.0002);
    char *p = db_text(e->db, "SELECT position_source FROM listings");
    assert_string_equal(p, "converted");
    free(p);
}

static void geocoding_records_its_precision(void **state)
{
    struct env *e = *state;
    write_file(path_in(e->dir, "geo.csv"),
               "id,category,name,postcode,commune,nis,lat,lon\n"
               "a,cpas,CPAS de Schaerbeek,1030,,,,\n"
               "b,cpas,CPAS d'Arlon,,,81001,,\n"
               "c,amo,AMO test place,,Jambes,,,\n"
               "d,amo,AMO test point,,,,50.4674,4.8720\n",
               (size_t)-1);
    char args[4096];
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "geo.csv"));
    char *out;
    assert_int_equal(import(&out, e->db, args), 0);
    free(out);
    char *t = db_text(e->db, "SELECT group_concat(source_id || '=' ||"
                             " position_source || ':' || nis, ' ') FROM"
                             " (SELECT * FROM listings ORDER BY source_id)");
    /* Jambes is a section of Namur (92094); the point is in Namur too. */
    assert_string_equal(t, "a=postcode:21015 b=commune:81001 "
                           "c=postcode:92094 d=source:92094");
    free(t);
    /* The commune point lies inside Arlon. */
    assert_true(db_real(e->db, "SELECT lat FROM listings WHERE source_id='b'") <
                49.8);
}

static void every_validation_error_names_file_line_and_field(void **state)
{
    struct env *e = *state;
    const char *bad =
        "id,category,name,postcode,phone,email,website,age_min,age_max,"
        "lat,lon,nis\n"
        "1,amo,,1000,,,,,,,,\n"                   /* 2: missing name */
        "2,youth-club,Club,1000,,,,,,,,\n"        /* 3: unknown category */
        "3,amo,A,10OO,,,,,,,,\n"                  /* 4: postcode */
        "4,amo,B,1000,02 12,,,,,,,\n"             /* 5: phone */
        "5,amo,C,1000,,info-at-amo.be,,,,,,\n"    /* 6: email */
        "6,amo,D,1000,,,htp:/amo,,,,,\n"          /* 7: URL */
        "7,amo,E,1000,,,,150,,,,\n"               /* 8: age range */
        "8,amo,F,1000,,,,18,12,,,\n"              /* 9: max below min */
        "9,amo,G,,,,,,,91,4.35,\n"                /* 10: lat range */
        "10,amo,H,,,,,,,48.8566,2.3522,\n"        /* 11: Paris */
        "11,amo,I,,,,,,,,,\n"                     /* 12: nowhere */
        "12,amo,J,1000,,,,,,,,99999\n"            /* 13: nis */
        "13,amo,K,1000,+32 2 209 61 61,,,,,,,\n"; /* 14: valid */
    write_file(path_in(e->dir, "bad.csv"), bad, (size_t)-1);
    char args[4096], *out;
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "bad.csv"));
    assert_int_equal(import(&out, e->db, args), 1);
    assert_contains(out, "bad.csv:2: name: missing");
    assert_contains(out,
                    "bad.csv:3: category: unknown category \"youth-club\"");
    assert_contains(out, "bad.csv:4: postcode: \"10OO\" is not a Belgian "
                         "postcode");
    assert_contains(out, "bad.csv:5: phone: \"02 12\" is not a Belgian phone");
    assert_contains(out, "bad.csv:6: email: \"info-at-amo.be\" is not an "
                         "e-mail");
    assert_contains(out, "bad.csv:7: website: \"htp:/amo\" is not an http(s)");
    assert_contains(out, "bad.csv:8: age_min: 150 is out of range");
    assert_contains(out, "bad.csv:9: age_max: 12 is below age_min 18");
    assert_contains(out, "bad.csv:10: lat: 91 is out of range");
    assert_contains(out, "bad.csv:11: position: 48.85660, 2.35220 is outside "
                         "Belgium");
    assert_contains(out, "bad.csv:12: position: no coordinates");
    assert_contains(out, "bad.csv:13: nis: \"99999\" is not the NIS code");
    assert_contains(out, "nothing was imported: 12 invalid records");
    free(out);
    /* Nothing was written. */
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 0);
    /* --skip-invalid loads the one valid record and still reports. */
    snprintf(args, sizeof args, "--skip-invalid '%s'",
             path_in(e->dir, "bad.csv"));
    assert_int_equal(import(&out, e->db, args), 0);
    assert_contains(out, "bad.csv:10: lat: 91 is out of range");
    assert_contains(out, "total: 1 added, 0 changed, 0 unchanged, 0 removed, "
                         "12 invalid");
    free(out);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 1);
}

/* The source's own date and the opening hours: what the page reads,
 * or a message naming file, line and field; the rest is kept as given. */
static void source_date_and_opening_hours_are_checked(void **state)
{
    struct env *e = *state;
    const char *csv =
        "id,category,name,commune,source_date,verified_on,opening_hours\n"
        "1,amo,A,Namur,2008/2017,2026-11-23,Mo-Fr 09:00-12:00; PH off\n"
        "2,amo,B,Namur,2026-12,2026-11-23,\n"      /* 3: after verified_on */
        "3,amo,C,Namur,2017/2008,,\n"              /* 4: range backwards */
        "4,amo,D,Namur,23/11/2026,,\n"             /* 5: not ISO */
        "5,amo,E,Namur,,,Mo-Fr 9h-12h\n"           /* 6: beyond the subset */
        "6,amo,F,Namur,,,\"Mo-Fr 09:00-12:00;\"\n" /* 7: trailing ';' */
        "7,amo,G,Namur,2099,,\n"                   /* 8: in the future */
        "8,amo,H,Namur,2019-06,2026-11-23,24/7\n";
    write_file(path_in(e->dir, "dates.csv"), csv, (size_t)-1);
    char args[4096], *out;
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "dates.csv"));
    assert_int_equal(import(&out, e->db, args), 1);
    assert_contains(out, "dates.csv:3: source_date: \"2026-12\" is later than "
                         "verified_on 2026-11-23");
    assert_contains(out, "dates.csv:4: source_date: \"2017/2008\" is not a "
                         "date");
    assert_contains(out, "dates.csv:5: source_date: \"23/11/2026\" is not a "
                         "date");
    assert_contains(out, "dates.csv:6: opening_hours: \"Mo-Fr 9h-12h\": times "
                         "are HH:MM-HH:MM");
    assert_contains(out, "dates.csv:7: opening_hours: ends with ';'");
    assert_contains(out, "dates.csv:8: source_date: \"2099\" is in the future");
    assert_null(strstr(out, "dates.csv:2:"));
    assert_null(strstr(out, "dates.csv:9:"));
    free(out);
    snprintf(args, sizeof args, "--skip-invalid '%s'",
             path_in(e->dir, "dates.csv"));
    assert_int_equal(import(&out, e->db, args), 0);
    free(out);
    char *sd = db_text(e->db, "SELECT source_date FROM listings WHERE "
                              "source_id = '1'");
    assert_string_equal(sd, "2008/2017");
    free(sd);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 2);
}

/* A NUL byte inside a CSV field is a NUL byte in that column, named with
 * the file and line: it once split the field in two, and the record was
 * reported as 'category: unknown category "Byte"'. */
static void csv_nul_byte_is_named_with_its_column(void **state)
{
    struct env *e = *state;
    static const char csv[] = "name,category,commune\n"
                              "Nul\0Byte,amo,Namur\n"
                              "Ok,amo,Namur\n";
    write_file(path_in(e->dir, "nul.csv"), csv, sizeof csv - 1);
    char args[4096], *out;
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "nul.csv"));
    assert_int_equal(import(&out, e->db, args), 1);
    assert_contains(out, "nul.csv:2: name: contains a NUL byte");
    assert_null(strstr(out, "Byte"));
    assert_null(strstr(out, "nul.csv:3:"));
    free(out);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 0);
}

static void csv_errors_count_lines_inside_quoted_newlines(void **state)
{
    struct env *e = *state;
    write_file(path_in(e->dir, "nl.csv"),
               "id,category,name,description,postcode\r\n"
               "1,amo,A,\"two\r\nlines\",1000\r\n"
               "\r\n"
               "2,amo,B,,12\r\n",
               (size_t)-1);
    char args[4096], *out;
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "nl.csv"));
    assert_int_equal(import(&out, e->db, args), 1);
    assert_contains(out, "nl.csv:5: postcode: \"12\"");
    free(out);
}

static void latin1_input_is_detected_and_reported(void **state)
{
    struct env *e = *state;
    char *out;
    assert_int_equal(import(&out, e->db, FIX "listings-latin1.csv"), 1);
    assert_contains(out, "listings-latin1.csv:2: description: invalid UTF-8 "
                         "(the file looks like Latin-1");
    assert_contains(out, "iconv -f WINDOWS-1252 -t UTF-8");
    free(out);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 0);
}

static void malformed_inputs_fail_without_writing(void **state)
{
    struct env *e = *state;
    char args[4096], *out;
    assert_int_equal(import(NULL, e->db, FIX "listings.csv"), 0);
    /* Unterminated quote, truncated JSON, UTF-16: exit 3, nothing lost. */
    write_file(path_in(e->dir, "q.csv"), "id,category,name\n1,amo,\"open\n",
               (size_t)-1);
    write_file(path_in(e->dir, "t.geojson"),
               "{\"type\":\"FeatureCollection\",\"features\":[\n"
               "{\"type\":\"Feature\",\"properties\":{\"name\":\"A\"}",
               (size_t)-1);
    write_file(path_in(e->dir, "u16.csv"), "\xff\xfei\0d\0", 6);
    const char *names[] = {"q.csv", "t.geojson", "u16.csv"};
    const char *why[] = {"q.csv:2: quoted field never closed",
                         "t.geojson:2: JSON ends before", "UTF-16"};
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof args, "--prune --force '%s'",
                 path_in(e->dir, names[i]));
        assert_int_equal(import(&out, e->db, args), 3);
        assert_contains(out, why[i]);
        free(out);
    }
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 4);
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "missing.csv"));
    assert_int_equal(import(&out, e->db, args), 3);
    assert_contains(out, "missing.csv: cannot open");
    free(out);
}

static void import_twice_changes_nothing(void **state)
{
    struct env *e = *state;
    char *out;
    assert_int_equal(import(NULL, e->db, FIX "listings.csv"), 0);
    long long v = db_int(e->db, "SELECT value FROM meta"
                                " WHERE key = 'data_version'");
    assert_int_equal(import(&out, e->db, FIX "listings.csv"), 0);
    assert_contains(out, "total: 0 added, 0 changed, 4 unchanged");
    free(out);
    assert_int_equal(db_int(e->db, "SELECT value FROM meta"
                                   " WHERE key = 'data_version'"),
                     v);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 4);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM imports"), 2);
}

static void changed_record_keeps_its_id_and_index_entries(void **state)
{
    struct env *e = *state;
    char args[4096], *out;
    assert_int_equal(import(NULL, e->db, FIX "listings.csv"), 0);
    long long id = db_int(e->db, "SELECT id FROM listings"
                                 " WHERE source_id = 'amo-anderlecht-rythme'");
    /* Same file with Rythme renamed and given a phone. */
    char *orig = NULL;
    run(&orig, "cat " FIX "listings.csv");
    char *p = strstr(orig, "AMO Rythme,");
    assert_non_null(p);
    char changed[8192];
    snprintf(changed, sizeof changed, "%.*sAMO Rythme Cureghem,%s",
             (int)(p - orig), orig, p + strlen("AMO Rythme,"));
    free(orig);
    write_file(path_in(e->dir, "listings.csv"), changed, (size_t)-1);
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "listings.csv"));
    assert_int_equal(import(&out, e->db, args), 0);
    assert_contains(out, "total: 0 added, 1 changed, 3 unchanged");
    free(out);
    assert_int_equal(db_int(e->db,
                            "SELECT id FROM listings"
                            " WHERE source_id = 'amo-anderlecht-rythme'"),
                     id);
    /* The full-text index follows the change: old word gone, new one in. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT rowid FROM listings_fts WHERE listings_fts MATCH "
             "'cureghem'");
    assert_int_equal(db_int(e->db, sql), id);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings_fts"), 4);
    char *chk = db_text(e->db, "PRAGMA integrity_check");
    assert_string_equal(chk, "ok");
    free(chk);
}

static void duplicate_ids_in_one_input_are_rejected(void **state)
{
    struct env *e = *state;
    write_file(path_in(e->dir, "dup.csv"),
               "id,category,name,postcode\nx,amo,A,1000\nx,amo,B,1030\n",
               (size_t)-1);
    char args[4096], *out;
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "dup.csv"));
    assert_int_equal(import(&out, e->db, args), 1);
    assert_contains(out, "dup.csv:3: source_id: \"x\" already came on line 2");
    free(out);
}

static void prune_guard_refuses_to_empty_a_source(void **state)
{
    struct env *e = *state;
    char args[4096], *out;
    assert_int_equal(import(NULL, e->db, FIX "listings.csv"), 0);
    /* The typo-tolerance vocabulary holds the index's words. */
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM terms"
                                   " WHERE term = 'anderlecht'"),
                     1);
    /* The same source with only its header and first record (two lines):
     * 3 of 4
     * listings would go (75% > 20%). */
    run(NULL, "head -3 " FIX "listings.csv > '%s'",
        path_in(e->dir, "listings.csv"));
    snprintf(args, sizeof args, "--prune '%s'",
             path_in(e->dir, "listings.csv"));
    assert_int_equal(import(&out, e->db, args), 5);
    assert_contains(out, "3 of its 4 listings are absent");
    assert_contains(out, "--force");
    free(out);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 4);
    /* --force removes them, with their index entries. */
    snprintf(args, sizeof args, "--prune --force '%s'",
             path_in(e->dir, "listings.csv"));
    assert_int_equal(import(&out, e->db, args), 0);
    assert_contains(out, "3 removed");
    free(out);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 1);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings_fts"), 1);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings_rtree"), 1);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listing_territory"),
                     0);
    /* Words only the removed listings had leave the vocabulary. */
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM terms"
                                   " WHERE term = 'anderlecht'"),
                     0);
    /* Without --prune nothing is removed. */
    assert_int_equal(import(NULL, e->db, FIX "listings.csv"), 0);
    assert_int_equal(import(NULL, e->db, args + strlen("--prune --force ")), 0);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 4);
}

static void prune_within_guard_needs_no_force(void **state)
{
    struct env *e = *state;
    char args[4096];
    /* Five listings, then four: 20% is allowed. */
    write_file(path_in(e->dir, "five.csv"),
               "id,category,name,postcode\n1,cpas,A,1000\n2,cpas,B,1030\n"
               "3,cpas,C,1040\n4,cpas,D,1050\n5,cpas,E,1060\n",
               (size_t)-1);
    snprintf(args, sizeof args, "--source s '%s'", path_in(e->dir, "five.csv"));
    assert_int_equal(import(NULL, e->db, args), 0);
    run(NULL, "head -5 '%s' > '%s'", path_in(e->dir, "five.csv"),
        path_in(e->dir, "four.csv"));
    snprintf(args, sizeof args, "--source s --prune '%s'",
             path_in(e->dir, "four.csv"));
    assert_int_equal(import(NULL, e->db, args), 0);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 4);
}

static void dry_run_writes_nothing(void **state)
{
    struct env *e = *state;
    char *out;
    assert_int_equal(import(&out, e->db, "--dry-run " FIX "listings.csv"), 0);
    assert_contains(out, "would add: AMO Rythme (amo)");
    assert_contains(out, "dry run: nothing written");
    free(out);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM listings"), 0);
    assert_int_equal(db_int(e->db, "SELECT count(*) FROM imports"), 0);
}

static void stdin_and_default_category_work(void **state)
{
    struct env *e = *state;
    char cmd[4096], *out;
    snprintf(cmd, sizeof cmd,
             "printf 'nom;code postal;commune\\nCPAS de Schaerbeek;1030;"
             "Schaerbeek\\n' | %s/amo-import --db '%s' --source cpas-test "
             "--category cpas -",
             bin_dir(), e->db);
    assert_int_equal(run(&out, "%s", cmd), 0);
    assert_contains(out, "1 added");
    free(out);
    char *t = db_text(e->db, "SELECT category || '|' || source || '|' || nis"
                             " FROM listings");
    assert_string_equal(t, "cpas|cpas-test|21015");
    free(t);
    assert_int_equal(import(&out, e->db, "--category youth-club -"), 2);
    assert_contains(out, "unknown category");
    free(out);
}

static void a_new_category_can_be_added_and_used(void **state)
{
    struct env *e = *state;
    char args[4096], *out;
    write_file(path_in(e->dir, "mado.csv"),
               "id,category,name,postcode\nm1,mado,Maison test,1000\n",
               (size_t)-1);
    snprintf(args, sizeof args, "'%s'", path_in(e->dir, "mado.csv"));
    assert_int_equal(import(&out, e->db, args), 1);
    assert_contains(out, "unknown category \"mado\"");
    free(out);
    snprintf(args, sizeof args,
             "--add-category \"mado=Maison de l'adolescent\" '%s'",
             path_in(e->dir, "mado.csv"));
    assert_int_equal(import(&out, e->db, args), 0);
    assert_contains(out, "1 added");
    free(out);
    char *t = db_text(e->db, "SELECT c.label_fr FROM listings l JOIN"
                             " categories c ON c.slug = l.category");
    assert_string_equal(t, "Maison de l'adolescent");
    free(t);
    assert_int_equal(import(&out, e->db, "--add-category 'Bad Slug=x' -"), 2);
    assert_contains(out, "lower-case slug");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(csv_imports_with_quotes_and_embedded_newlines),
        T(semicolon_crlf_bom_and_french_headers_import_alike),
        T(geojson_ndjson_and_opendatasoft_keep_source_points),
        T(lambert_inputs_are_converted_with_proj),
        T(lambert72_known_point_matches_proj),
        T(geocoding_records_its_precision),
        T(every_validation_error_names_file_line_and_field),
        T(source_date_and_opening_hours_are_checked),
        T(csv_nul_byte_is_named_with_its_column),
        T(csv_errors_count_lines_inside_quoted_newlines),
        T(latin1_input_is_detected_and_reported),
        T(malformed_inputs_fail_without_writing),
        T(import_twice_changes_nothing),
        T(changed_record_keeps_its_id_and_index_entries),
        T(duplicate_ids_in_one_input_are_rejected),
        T(prune_guard_refuses_to_empty_a_source),
        T(prune_within_guard_needs_no_force),
        T(dry_run_writes_nothing),
        T(stdin_and_default_category_work),
        T(a_new_category_can_be_added_and_used),
#undef T
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
