/* feature.c - a listing row as a GeoJSON Feature (see feature.h). */
#include "feature.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

static void write_text(struct jw *w, const char *key, const char *t)
{
    jw_raw(w, ",");
    jw_key(w, key);
    jw_string(w, t, t ? strlen(t) : 0);
}

static void write_age(struct jw *w, const char *key, int v)
{
    jw_raw(w, ",");
    jw_key(w, key);
    if (v == ROW_NO_AGE)
        jw_raw(w, "null");
    else
        jw_int(w, v);
}

/* '|'-separated text as an array of strings. */
static void write_list(struct jw *w, const char *key, const char *t)
{
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

void feature_write(struct jw *w, const struct row *r, const char *members)
{
    jw_raw(w, "{\"type\":\"Feature\",\"id\":");
    jw_int(w, r->id);
    if (isnan(r->lat)) {
        jw_raw(w, ",\"geometry\":null");
    } else {
        jw_raw(w, ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
        jw_coord(w, r->lon);
        jw_raw(w, ",");
        jw_coord(w, r->lat);
        jw_raw(w, "]}");
    }
    jw_raw(w, ",\"properties\":{\"id\":");
    jw_int(w, r->id);
    static const struct {
        const char *key;
        enum row_field f;
        char kind; /* 't' text, 'l' list, 'a' ages after this one */
    } props[] = {
        {"category", R_CATEGORY, 't'},
        {"name", R_NAME, 't'},
        {"description", R_DESCRIPTION, 't'},
        {"street", R_STREET, 't'},
        {"postcode", R_POSTCODE, 't'},
        {"commune", R_COMMUNE, 't'},
        {"nis", R_NIS, 't'},
        {"position_source", R_POSITION_SOURCE, 't'},
        {"phone", R_PHONE, 't'},
        {"email", R_EMAIL, 't'},
        {"website", R_WEBSITE, 'a'},
        {"languages", R_LANGUAGES, 'l'},
        {"opening_hours", R_OPENING_HOURS, 't'},
        {"themes", R_THEMES, 'l'},
        {"territory", R_TERRITORY, 'l'},
        {"source", R_SOURCE, 't'},
        {"source_url", R_SOURCE_URL, 't'},
        {"source_date", R_SOURCE_DATE, 't'},
        {"source_id", R_SOURCE_ID, 't'},
        {"verified_at", R_VERIFIED_AT, 't'},
        {"updated_at", R_UPDATED_AT, 't'},
    };
    for (size_t i = 0; i < sizeof props / sizeof *props; i++) {
        if (props[i].kind == 'l')
            write_list(w, props[i].key, r->s[props[i].f]);
        else
            write_text(w, props[i].key, r->s[props[i].f]);
        if (props[i].kind == 'a') { /* the ages come after the website */
            write_age(w, "age_min", r->age_min);
            write_age(w, "age_max", r->age_max);
        }
    }
    if (r->basis)
        write_text(w, "basis", r->basis);
    if (r->distance_m != ROW_NO_DISTANCE) {
        jw_raw(w, ",\"distance_m\":");
        jw_int(w, r->distance_m);
    }
    if (r->fuzzy >= 0) {
        jw_raw(w, ",\"matched\":[");
        for (int i = 0; i < r->nmatched; i++) {
            if (i)
                jw_raw(w, ",");
            jw_string(w, r->matched[i], strlen(r->matched[i]));
        }
        jw_raw(w, r->fuzzy ? "],\"fuzzy\":true" : "],\"fuzzy\":false");
    }
    jw_raw(w, "}");
    if (members)
        jw_raw(w, members);
    jw_raw(w, "}");
}

void features_write(struct jw *w, const struct rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        if (i)
            jw_raw(w, ",");
        feature_write(w, &r->v[i], NULL);
    }
}
