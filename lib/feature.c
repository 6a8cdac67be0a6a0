/* feature.c - a listing row as a GeoJSON Feature (see feature.h). */
#include "feature.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "json_write.h"

static void set_text(json_t *o, const char *key, sqlite3_stmt *row, int col)
{
    const unsigned char *t = sqlite3_column_text(row, col);
    json_object_set_new(o, key, t ? json_string((const char *)t) : json_null());
}

static void set_int(json_t *o, const char *key, sqlite3_stmt *row, int col)
{
    if (sqlite3_column_type(row, col) == SQLITE_NULL)
        json_object_set_new(o, key, json_null());
    else
        json_object_set_new(o, key,
                            json_integer(sqlite3_column_int64(row, col)));
}

/* '|'-separated text as a JSON array of strings. */
static void set_list(json_t *o, const char *key, sqlite3_stmt *row, int col)
{
    const char *t = (const char *)sqlite3_column_text(row, col);
    json_t *a = json_array();
    while (t && *t) {
        size_t n = strcspn(t, "|");
        json_array_append_new(a, json_stringn(t, n));
        t += n + (t[n] == '|');
    }
    json_object_set_new(o, key, a);
}

json_t *feature_properties(sqlite3_stmt *row, int f)
{
    json_t *p = json_object();
    set_int(p, "id", row, f + 0);
    set_text(p, "category", row, f + 1);
    set_text(p, "name", row, f + 2);
    set_text(p, "description", row, f + 3);
    set_text(p, "street", row, f + 4);
    set_text(p, "postcode", row, f + 5);
    set_text(p, "commune", row, f + 6);
    set_text(p, "nis", row, f + 7);
    set_text(p, "position_source", row, f + 10);
    set_text(p, "phone", row, f + 11);
    set_text(p, "email", row, f + 12);
    set_text(p, "website", row, f + 13);
    set_int(p, "age_min", row, f + 14);
    set_int(p, "age_max", row, f + 15);
    set_list(p, "languages", row, f + 16);
    set_text(p, "opening_hours", row, f + 17);
    set_list(p, "themes", row, f + 18);
    set_list(p, "territory", row, f + 19);
    set_text(p, "source", row, f + 20);
    set_text(p, "source_url", row, f + 21);
    set_text(p, "source_date", row, f + 25);
    set_text(p, "source_id", row, f + 22);
    set_text(p, "verified_at", row, f + 23);
    set_text(p, "updated_at", row, f + 24);
    return p;
}

/* Seven decimals is about 1 cm: more digits only add bytes (RFC 7946
 * section 11.2). */
static json_t *coord(double v)
{
    return json_real(round(v * 1e7) / 1e7);
}

json_t *feature_json(sqlite3_stmt *row, int f)
{
    json_t *feat = json_object();
    json_object_set_new(feat, "type", json_string("Feature"));
    json_object_set_new(feat, "id", json_integer(sqlite3_column_int64(row, f)));
    json_t *geom = json_object();
    json_object_set_new(geom, "type", json_string("Point"));
    json_object_set_new(geom, "coordinates",
                        json_pack("[oo]",
                                  coord(sqlite3_column_double(row, f + 9)),
                                  coord(sqlite3_column_double(row, f + 8))));
    json_object_set_new(feat, "geometry", geom);
    json_object_set_new(feat, "properties", feature_properties(row, f));
    return feat;
}

/* ---- the same features as text (feature_write) ------------------------ */

static void write_text(struct jw *w, const char *key, sqlite3_stmt *row,
                       int col)
{
    jw_raw(w, ",");
    jw_key(w, key);
    const char *t = (const char *)sqlite3_column_text(row, col);
    jw_string(w, t, t ? (size_t)sqlite3_column_bytes(row, col) : 0);
}

static void write_int(struct jw *w, const char *key, sqlite3_stmt *row, int col)
{
    jw_raw(w, ",");
    jw_key(w, key);
    if (sqlite3_column_type(row, col) == SQLITE_NULL)
        jw_raw(w, "null");
    else
        jw_int(w, sqlite3_column_int64(row, col));
}

static void write_list(struct jw *w, const char *key, sqlite3_stmt *row,
                       int col)
{
    const char *t = (const char *)sqlite3_column_text(row, col);
    jw_raw(w, ",");
    jw_key(w, key);
    jw_raw(w, "[");
    for (bool first = true; t && *t; first = false) {
        size_t n = strcspn(t, "|");
        if (!first)
            jw_raw(w, ",");
        jw_string(w, t, n);
        t += n + (t[n] == '|');
    }
    jw_raw(w, "]");
}

void feature_write(struct jw *w, sqlite3_stmt *row, int f, const char *extra)
{
    long long id = sqlite3_column_int64(row, f);
    jw_raw(w, "{\"type\":\"Feature\",\"id\":");
    jw_int(w, id);
    jw_raw(w, ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
    jw_coord(w, sqlite3_column_double(row, f + 9));
    jw_raw(w, ",");
    jw_coord(w, sqlite3_column_double(row, f + 8));
    jw_raw(w, "]},\"properties\":{");
    /* The keys and their order of feature_properties(). */
    jw_key(w, "id");
    if (sqlite3_column_type(row, f) == SQLITE_NULL)
        jw_raw(w, "null");
    else
        jw_int(w, id);
    write_text(w, "category", row, f + 1);
    write_text(w, "name", row, f + 2);
    write_text(w, "description", row, f + 3);
    write_text(w, "street", row, f + 4);
    write_text(w, "postcode", row, f + 5);
    write_text(w, "commune", row, f + 6);
    write_text(w, "nis", row, f + 7);
    write_text(w, "position_source", row, f + 10);
    write_text(w, "phone", row, f + 11);
    write_text(w, "email", row, f + 12);
    write_text(w, "website", row, f + 13);
    write_int(w, "age_min", row, f + 14);
    write_int(w, "age_max", row, f + 15);
    write_list(w, "languages", row, f + 16);
    write_text(w, "opening_hours", row, f + 17);
    write_list(w, "themes", row, f + 18);
    write_list(w, "territory", row, f + 19);
    write_text(w, "source", row, f + 20);
    write_text(w, "source_url", row, f + 21);
    write_text(w, "source_date", row, f + 25);
    write_text(w, "source_id", row, f + 22);
    write_text(w, "verified_at", row, f + 23);
    write_text(w, "updated_at", row, f + 24);
    if (extra) {
        jw_raw(w, ",");
        jw_raw(w, extra);
    }
    jw_raw(w, "}}");
}
