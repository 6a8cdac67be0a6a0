/* gen_listings.c - deterministic SYNTHETIC listings for benchmarks and
 * robustness tests: points scattered around the centres of the real
 * Belgian municipalities of the shipped gazetteer. Every record says it is
 * synthetic in its name, description and source; none is a real service.
 *
 *   gen-listings [--count N] [--format csv|ndjson] [--seed S] [--data DIR]
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazetteer.h"

#ifndef AMO_DATA_DIR
#define AMO_DATA_DIR "data"
#endif

static const char *const categories[] = {"amo", "cpas", "planning", "sdj"};
static const char *const themes[] = {"school", "family", "housing",
                                     "legal",  "mena",   "health"};

/* xorshift64*: fast, deterministic, good enough for scattering points. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static double uniform(uint64_t *s)
{
    return (double)(next_rand(s) >> 11) / 9007199254740992.0;
}

/* Box-Muller: a normal deviate. */
static double gaussian(uint64_t *s)
{
    double u = uniform(s), v = uniform(s);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

int main(int argc, char **argv)
{
    long count = 1000;
    uint64_t seed = 20261123;
    const char *format = "csv", *data = AMO_DATA_DIR "/gazetteer";
    static const struct option opts[] = {{"count", 1, NULL, 'n'},
                                         {"format", 1, NULL, 'f'},
                                         {"seed", 1, NULL, 's'},
                                         {"data", 1, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "n:f:s:d:", opts, NULL)) != -1) {
        switch (c) {
        case 'n': count = atol(optarg); break;
        case 'f': format = optarg; break;
        case 's': seed = strtoull(optarg, NULL, 10) | 1; break;
        case 'd': data = optarg; break;
        default:
            fprintf(stderr, "usage: gen-listings [--count N] "
                            "[--format csv|ndjson] [--seed S]\n");
            return 2;
        }
    }
    bool csv = strcmp(format, "csv") == 0;
    if (!csv && strcmp(format, "ndjson") != 0) {
        fprintf(stderr, "gen-listings: --format csv or ndjson\n");
        return 2;
    }
    struct gazetteer *g;
    char msg[512];
    if (gaz_load(data, &g, msg, sizeof msg) < 0) {
        fprintf(stderr, "gen-listings: %s\n", msg);
        return 1;
    }
    size_t ncom = gaz_commune_count(g);
    if (csv)
        puts("id,category,name,description,lat,lon,themes,age_min,age_max,"
             "source_url");
    for (long i = 0; i < count; i++) {
        const struct gaz_commune *town;
        double lat, lon;
        do { /* about 1.5 km around a municipality's centre, in Belgium */
            town = gaz_commune_at_index(g, next_rand(&seed) % ncom);
            lat = town->in_lat + gaussian(&seed) * 0.013;
            lon = town->in_lon + gaussian(&seed) * 0.02;
        } while (!gaz_commune_at(g, lat, lon));
        const char *cat = categories[next_rand(&seed) % 4];
        const char *t1 = themes[next_rand(&seed) % 6];
        const char *t2 = themes[next_rand(&seed) % 6];
        int amin = (int)(next_rand(&seed) % 12),
            amax = 17 + (int)(next_rand(&seed) % 6);
        if (csv)
            printf("syn-%07ld,%s,Synthetic listing %07ld near %s,"
                   "Synthetic record for benchmarks: not a real service,"
                   "%.6f,%.6f,%s|%s,%d,%d,https://example.invalid/synthetic\n",
                   i, cat, i, town->name_fr, lat, lon, t1, t2, amin, amax);
        else
            printf("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                   "\"coordinates\":[%.6f,%.6f]},\"properties\":{\"id\":"
                   "\"syn-%07ld\",\"category\":\"%s\",\"name\":\"Synthetic "
                   "listing %07ld near %s\",\"description\":\"Synthetic "
                   "record for benchmarks: not a real service\",\"themes\":"
                   "\"%s|%s\",\"age_min\":%d,\"age_max\":%d,\"source_url\":"
                   "\"https://example.invalid/synthetic\"}}\n",
                   lon, lat, i, cat, i, town->name_fr, t1, t2, amin, amax);
    }
    gaz_free(g);
    return 0;
}
