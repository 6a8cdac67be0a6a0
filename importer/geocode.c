/* geocode.c - address, postcode and municipality placement (see
 * geocode.h). */
#include "geocode.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "fetch.h"
#include "geo.h"

struct geocoder {
    char *base;
    long timeout_s;
    bool polite; /* space requests by 1 s (public Nominatim) */
    struct timespec last;
};

int geocoder_new(const char *base_url, long timeout_s, struct geocoder **out)
{
    struct geocoder *g = calloc(1, sizeof *g);
    *out = NULL;
    if (!g || !(g->base = strdup(base_url))) {
        free(g);
        return ERR_NOMEM;
    }
    size_t n = strlen(g->base);
    while (n > 0 && g->base[n - 1] == '/')
        g->base[--n] = '\0';
    g->timeout_s = timeout_s;
    g->polite = !strstr(g->base, "://127.") &&
                !strstr(g->base, "://localhost") &&
                !strstr(g->base, "://[::1]");
    *out = g;
    return 0;
}

void geocoder_free(struct geocoder *g)
{
    if (!g)
        return;
    free(g->base);
    free(g);
}

static void wait_turn(struct geocoder *g)
{
    if (!g->polite)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - g->last.tv_sec) +
                   (double)(now.tv_nsec - g->last.tv_nsec) / 1e9;
    if (g->last.tv_sec && since < 1.0) {
        struct timespec d = {0, (long)((1.0 - since) * 1e9)};
        nanosleep(&d, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &g->last);
}

static int add_param(struct buf *url, const char *key, const char *value)
{
    if (!value)
        return 0;
    char *esc = curl_easy_escape(NULL, value, 0);
    if (!esc)
        return ERR_NOMEM;
    int rc = buf_printf(url, "&%s=%s", key, esc);
    curl_free(esc);
    return rc;
}

/* Structured Nominatim search (street, postalcode, city), Belgium only. */
static bool nominatim(struct geocoder *g, const struct listing *l, double *lat,
                      double *lon)
{
    struct buf url;
    struct fetch_opts o;
    struct fetch_result res;
    char msg[512];
    bool ok = false;
    FILE *tmp = tmpfile();
    json_t *root = NULL;
    buf_init(&url, 4096);
    if (!tmp)
        return false;
    if (buf_printf(&url, "%s/search?format=jsonv2&limit=1&countrycodes=be",
                   g->base) < 0 ||
        add_param(&url, "street", l->str[F_STREET]) < 0 ||
        add_param(&url, "postalcode", l->str[F_POSTCODE]) < 0 ||
        add_param(&url, "city", l->str[F_COMMUNE]) < 0)
        goto out;
    fetch_opts_init(&o);
    o.timeout_s = g->timeout_s;
    o.max_bytes = 1024 * 1024;
    wait_turn(g);
    if (fetch_url(buf_str(&url), &o, tmp, &res, msg, sizeof msg) < 0)
        goto out;
    fetch_result_free(&res);
    rewind(tmp);
    root = json_loadf(tmp, 0, NULL);
    json_t *first = json_array_get(root, 0);
    const char *la = json_string_value(json_object_get(first, "lat"));
    const char *lo = json_string_value(json_object_get(first, "lon"));
    if (la && lo) {
        *lat = strtod(la, NULL);
        *lon = strtod(lo, NULL);
        ok = geo_in_belgium_box(*lat, *lon);
    }
out:
    json_decref(root);
    buf_free(&url);
    fclose(tmp);
    return ok;
}

bool geocode_listing(const struct gazetteer *gaz, struct geocoder *geocoder,
                     struct listing *l)
{
    double lat, lon;
    if (geocoder && l->str[F_STREET] &&
        (l->str[F_POSTCODE] || l->str[F_COMMUNE]) &&
        nominatim(geocoder, l, &lat, &lon)) {
        l->lat = lat;
        l->lon = lon;
        l->pos = POS_ADDRESS;
        return true;
    }
    if (l->str[F_POSTCODE]) {
        const struct gaz_postcode *pc =
            gaz_postcode(gaz, l->str[F_POSTCODE], l->str[F_COMMUNE]);
        if (pc) {
            l->lat = pc->lat;
            l->lon = pc->lon;
            l->pos = POS_POSTCODE;
            return true;
        }
    }
    /* A locality name is a bpost place ("Jambes", "Neder-Over-Heembeek",
     * "Charleroi"): its centroid is closer than a point inside the whole
     * municipality, so it comes first, if it lies in the given NIS. */
    const struct gaz_commune *c =
        l->str[F_NIS] ? gaz_commune_by_nis(gaz, l->str[F_NIS]) : NULL;
    const struct gaz_postcode *pc =
        l->str[F_COMMUNE] ? gaz_place_by_name(gaz, l->str[F_COMMUNE]) : NULL;
    if (pc && (!c || gaz_commune_at(gaz, pc->lat, pc->lon) == c)) {
        l->lat = pc->lat;
        l->lon = pc->lon;
        l->pos = POS_POSTCODE;
        return true;
    }
    if (!c && l->str[F_COMMUNE])
        c = gaz_commune_by_name(gaz, l->str[F_COMMUNE]);
    if (c) {
        l->lat = c->in_lat;
        l->lon = c->in_lon;
        l->pos = POS_COMMUNE;
        return true;
    }
    return false;
}
