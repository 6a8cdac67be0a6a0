/* gazetteer.c - municipalities and postcodes (see gazetteer.h).
 *
 * Point-in-polygon goes through a uniform grid: each cell lists the
 * municipalities whose bounding box overlaps it, so a lookup tests one to
 * three polygons instead of 581. */
#include "gazetteer.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "geo.h"
#include "text.h"
#include "vec.h"

#define GRID_STEP 0.05 /* degrees; ~3.5 x 5.5 km cells in Belgium */
#define NAME_KEY 64    /* folded names are compared on this many bytes */
#define MAX_POSTCODE_LINE 512

struct gazetteer {
    struct gaz_commune *communes;
    char (*commune_keys)[2][NAME_KEY]; /* folded fr, nl names */
    size_t ncommunes;
    struct gaz_postcode *postcodes; /* sorted by code, file order kept */
    char (*place_keys)[NAME_KEY];
    size_t npostcodes;
    double grid_lon0, grid_lat0;
    size_t grid_w, grid_h;
    size_t *cell_start; /* CSR: cell c lists cell_items[start[c]..start[c+1]) */
    size_t *cell_items;
};

static void commune_free(struct gaz_commune *c)
{
    free(c->name_fr);
    free(c->name_nl);
    free(c->ring_end);
    free(c->pts);
}

void gaz_free(struct gazetteer *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->ncommunes; i++)
        commune_free(&g->communes[i]);
    for (size_t i = 0; i < g->npostcodes; i++)
        free(g->postcodes[i].place);
    free(g->communes);
    free(g->commune_keys);
    free(g->postcodes);
    free(g->place_keys);
    free(g->cell_start);
    free(g->cell_items);
    free(g);
}

/* Even-odd rule over every ring, so holes and multipolygons both work. */
static bool commune_contains(const struct gaz_commune *c, double lat,
                             double lon)
{
    if (lon < c->min_lon || lon > c->max_lon || lat < c->min_lat ||
        lat > c->max_lat)
        return false;
    bool in = false;
    size_t start = 0;
    for (size_t r = 0; r < c->nrings; r++) {
        size_t end = c->ring_end[r];
        for (size_t i = start, j = end - 1; i < end; j = i++) {
            double xi = c->pts[2 * i], yi = c->pts[2 * i + 1];
            double xj = c->pts[2 * j], yj = c->pts[2 * j + 1];
            if ((yi > lat) != (yj > lat) &&
                lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
                in = !in;
        }
        start = end;
    }
    return in;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Crossings of the horizontal line at latitude 'y' with every ring edge,
 * sorted; returns how many. */
static size_t scanline(const struct gaz_commune *c, double y, double *xs)
{
    size_t k = 0, start = 0;
    for (size_t r = 0; r < c->nrings; r++) {
        size_t end = c->ring_end[r];
        for (size_t i = start, j = end - 1; i < end; j = i++) {
            double xi = c->pts[2 * i], yi = c->pts[2 * i + 1];
            double xj = c->pts[2 * j], yj = c->pts[2 * j + 1];
            if ((yi > y) != (yj > y))
                xs[k++] = (xj - xi) * (y - yi) / (yj - yi) + xi;
        }
        start = end;
    }
    qsort(xs, k, sizeof *xs, cmp_double);
    return k;
}

/* A point inside the polygon: on the horizontal line through the area
 * centroid, the middle of the widest inside span (centroids of concave
 * municipalities can fall outside them). Where that line misses every
 * ring (Baarle-Hertog is a scatter of enclaves), the line through the
 * middle of the first ring is used: it always crosses that ring. */
static int commune_inner_point(struct gaz_commune *c)
{
    double a = 0, cy = 0, r0_min = INFINITY, r0_max = -INFINITY;
    size_t start = 0, n = c->ring_end[c->nrings - 1];
    for (size_t r = 0; r < c->nrings; r++) {
        size_t end = c->ring_end[r];
        for (size_t i = start, j = end - 1; i < end; j = i++) {
            double f = c->pts[2 * j] * c->pts[2 * i + 1] -
                       c->pts[2 * i] * c->pts[2 * j + 1];
            a += f;
            cy += (c->pts[2 * j + 1] + c->pts[2 * i + 1]) * f;
            if (r == 0) {
                r0_min = fmin(r0_min, c->pts[2 * i + 1]);
                r0_max = fmax(r0_max, c->pts[2 * i + 1]);
            }
        }
        start = end;
    }
    cy = fabs(a) > 1e-15 ? cy / (3 * a) : (c->min_lat + c->max_lat) / 2;
    double *xs = malloc(n * sizeof *xs);
    if (!xs)
        return ERR_NOMEM;
    size_t k = scanline(c, cy, xs);
    if (k < 2) {
        cy = (r0_min + r0_max) / 2;
        k = scanline(c, cy, xs);
    }
    double best = -1;
    c->in_lat = cy;
    c->in_lon = (c->min_lon + c->max_lon) / 2;
    for (size_t i = 0; i + 1 < k; i += 2) {
        if (xs[i + 1] - xs[i] > best) {
            best = xs[i + 1] - xs[i];
            c->in_lon = (xs[i] + xs[i + 1]) / 2;
        }
    }
    free(xs);
    return 0;
}

static int add_ring(struct gaz_commune *c, json_t *ring, size_t *cap)
{
    size_t n = json_array_size(ring);
    size_t have = c->nrings ? c->ring_end[c->nrings - 1] : 0;
    if (n < 4)
        return ERR_PARSE;
    size_t *ends = realloc(c->ring_end, (c->nrings + 1) * sizeof *ends);
    if (!ends)
        return ERR_NOMEM;
    c->ring_end = ends;
    if (have + n > *cap) {
        size_t ncap = (have + n) * 2;
        double *p = realloc(c->pts, ncap * 2 * sizeof *p);
        if (!p)
            return ERR_NOMEM;
        c->pts = p;
        *cap = ncap;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *pt = json_array_get(ring, i);
        double lon = json_number_value(json_array_get(pt, 0));
        double lat = json_number_value(json_array_get(pt, 1));
        c->pts[2 * (have + i)] = lon;
        c->pts[2 * (have + i) + 1] = lat;
        c->min_lon = fmin(c->min_lon, lon);
        c->max_lon = fmax(c->max_lon, lon);
        c->min_lat = fmin(c->min_lat, lat);
        c->max_lat = fmax(c->max_lat, lat);
    }
    c->ring_end[c->nrings++] = have + n;
    return 0;
}

static char *dup_str(const char *s)
{
    return strdup(s ? s : "");
}

static int commune_from_feature(struct gaz_commune *c, json_t *f)
{
    json_t *props = json_object_get(f, "properties");
    json_t *geom = json_object_get(f, "geometry");
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *coords = json_object_get(geom, "coordinates");
    size_t cap = 0;
    int rc;
    memset(c, 0, sizeof *c);
    c->min_lon = c->min_lat = INFINITY;
    c->max_lon = c->max_lat = -INFINITY;
    snprintf(c->nis, sizeof c->nis, "%s",
             json_string_value(json_object_get(props, "nis")) ?: "");
    snprintf(c->arr_nis, sizeof c->arr_nis, "%s",
             json_string_value(json_object_get(props, "arr_nis")) ?: "");
    snprintf(c->reg_nis, sizeof c->reg_nis, "%s",
             json_string_value(json_object_get(props, "reg_nis")) ?: "");
    c->name_fr = dup_str(json_string_value(json_object_get(props, "name_fr")));
    c->name_nl = dup_str(json_string_value(json_object_get(props, "name_nl")));
    if (!c->name_fr || !c->name_nl)
        return ERR_NOMEM;
    if (strlen(c->nis) != 5 || !type || !json_is_array(coords))
        return ERR_PARSE;
    if (strcmp(type, "Polygon") == 0) {
        for (size_t i = 0; i < json_array_size(coords); i++)
            if ((rc = add_ring(c, json_array_get(coords, i), &cap)) < 0)
                return rc;
    } else if (strcmp(type, "MultiPolygon") == 0) {
        for (size_t p = 0; p < json_array_size(coords); p++) {
            json_t *poly = json_array_get(coords, p);
            for (size_t i = 0; i < json_array_size(poly); i++)
                if ((rc = add_ring(c, json_array_get(poly, i), &cap)) < 0)
                    return rc;
        }
    } else {
        return ERR_PARSE;
    }
    if (c->nrings == 0)
        return ERR_PARSE;
    return commune_inner_point(c);
}

static int build_grid(struct gazetteer *g)
{
    double min_lon = INFINITY, min_lat = INFINITY;
    double max_lon = -INFINITY, max_lat = -INFINITY;
    for (size_t i = 0; i < g->ncommunes; i++) {
        min_lon = fmin(min_lon, g->communes[i].min_lon);
        min_lat = fmin(min_lat, g->communes[i].min_lat);
        max_lon = fmax(max_lon, g->communes[i].max_lon);
        max_lat = fmax(max_lat, g->communes[i].max_lat);
    }
    g->grid_lon0 = min_lon;
    g->grid_lat0 = min_lat;
    g->grid_w = (size_t)((max_lon - min_lon) / GRID_STEP) + 1;
    g->grid_h = (size_t)((max_lat - min_lat) / GRID_STEP) + 1;
    size_t ncells = g->grid_w * g->grid_h;
    g->cell_start = calloc(ncells + 1, sizeof *g->cell_start);
    if (!g->cell_start)
        return ERR_NOMEM;
    /* Two passes: count per cell, then fill (compressed sparse rows). */
    for (int pass = 0; pass < 2; pass++) {
        size_t *fill = NULL;
        if (pass == 1) {
            for (size_t c = 0; c < ncells; c++)
                g->cell_start[c + 1] += g->cell_start[c];
            g->cell_items =
                malloc((g->cell_start[ncells] + 1) * sizeof *g->cell_items);
            fill = calloc(ncells, sizeof *fill);
            if (!g->cell_items || !fill) {
                free(fill);
                return ERR_NOMEM;
            }
        }
        for (size_t i = 0; i < g->ncommunes; i++) {
            const struct gaz_commune *c = &g->communes[i];
            size_t x0 = (size_t)((c->min_lon - min_lon) / GRID_STEP);
            size_t x1 = (size_t)((c->max_lon - min_lon) / GRID_STEP);
            size_t y0 = (size_t)((c->min_lat - min_lat) / GRID_STEP);
            size_t y1 = (size_t)((c->max_lat - min_lat) / GRID_STEP);
            for (size_t y = y0; y <= y1; y++)
                for (size_t x = x0; x <= x1; x++) {
                    size_t cell = y * g->grid_w + x;
                    if (pass == 0)
                        g->cell_start[cell + 1]++;
                    else
                        g->cell_items[g->cell_start[cell] + fill[cell]++] = i;
                }
        }
        free(fill);
    }
    return 0;
}

static int load_communes(struct gazetteer *g, const char *path, char *msg,
                         size_t msgsz)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    int rc = 0;
    if (!root) {
        snprintf(msg, msgsz, "%s:%d: %s", path, jerr.line, jerr.text);
        return ERR_PARSE;
    }
    json_t *features = json_object_get(root, "features");
    size_t n = json_array_size(features);
    g->communes = calloc(n ? n : 1, sizeof *g->communes);
    g->commune_keys = calloc(n ? n : 1, sizeof *g->commune_keys);
    if (!g->communes || !g->commune_keys) {
        rc = ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct gaz_commune *c = &g->communes[i];
        rc = commune_from_feature(c, json_array_get(features, i));
        g->ncommunes = i + 1;
        if (rc < 0) {
            snprintf(msg, msgsz, "%s: feature %zu: %s", path, i + 1,
                     rc == ERR_PARSE ? "not a municipality polygon with a "
                                       "5-digit nis"
                                     : err_str(rc));
            goto out;
        }
        text_fold(c->name_fr, g->commune_keys[i][0], NAME_KEY);
        text_fold(c->name_nl, g->commune_keys[i][1], NAME_KEY);
    }
    if (n == 0) {
        snprintf(msg, msgsz, "%s: no features", path);
        rc = ERR_PARSE;
        goto out;
    }
    rc = build_grid(g);
out:
    json_decref(root);
    return rc;
}

static int cmp_postcode(const void *a, const void *b)
{
    const struct gaz_postcode *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* One line of be-postcodes.csv: code,place,lon,lat (place maybe quoted,
 * never holding a comma). */
static int parse_postcode_line(char *line, struct gaz_postcode *p)
{
    char *f[4];
    int n = 0;
    for (char *s = line; n < 4; n++) {
        f[n] = s;
        char *comma = strchr(s, ',');
        if (!comma) {
            n++;
            break;
        }
        *comma = '\0';
        s = comma + 1;
    }
    if (n != 4 || strlen(f[0]) != 4)
        return ERR_PARSE;
    char *place = f[1];
    size_t len = strlen(place);
    if (len >= 2 && place[0] == '"' && place[len - 1] == '"') {
        place[len - 1] = '\0';
        place++;
    }
    char *end1, *end2;
    p->lon = strtod(f[2], &end1);
    p->lat = strtod(f[3], &end2);
    if (end1 == f[2] || end2 == f[3] || !geo_in_belgium_box(p->lat, p->lon))
        return ERR_PARSE;
    memcpy(p->code, f[0], 5);
    p->place = strdup(place);
    return p->place ? 0 : ERR_NOMEM;
}

static int load_postcodes(struct gazetteer *g, const char *path, char *msg,
                          size_t msgsz)
{
    FILE *fp = fopen(path, "r");
    char line[MAX_POSTCODE_LINE];
    size_t cap = 0, lineno = 0;
    int rc = 0;
    if (!fp) {
        snprintf(msg, msgsz, "%s: cannot open", path);
        return ERR_IO;
    }
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (vec_reserve((void **)&g->postcodes, &cap, g->npostcodes + 1,
                        sizeof *g->postcodes) < 0) {
            rc = ERR_NOMEM;
            goto out;
        }
        g->postcodes[g->npostcodes].line = lineno;
        rc = parse_postcode_line(line, &g->postcodes[g->npostcodes]);
        if (rc < 0) {
            snprintf(msg, msgsz, "%s:%zu: not 'postcode,place,lon,lat'", path,
                     lineno);
            goto out;
        }
        g->npostcodes++;
    }
    /* Sorted by (code, line): a postcode's places keep the file's order,
     * whose first is the main one ("1000 Bruxelles"). */
    qsort(g->postcodes, g->npostcodes, sizeof *g->postcodes, cmp_postcode);
    g->place_keys = calloc(g->npostcodes + 1, sizeof *g->place_keys);
    if (!g->place_keys) {
        rc = ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < g->npostcodes; i++)
        text_fold(g->postcodes[i].place, g->place_keys[i], NAME_KEY);
out:
    fclose(fp);
    return rc;
}

int gaz_load(const char *dir, struct gazetteer **out, char *msg, size_t msgsz)
{
    char path[4096];
    struct gazetteer *g = calloc(1, sizeof *g);
    int rc;
    *out = NULL;
    if (!g)
        return ERR_NOMEM;
    snprintf(path, sizeof path, "%s/be-municipalities.geojson", dir);
    rc = load_communes(g, path, msg, msgsz);
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/be-postcodes.csv", dir);
        rc = load_postcodes(g, path, msg, msgsz);
    }
    if (rc < 0) {
        gaz_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

size_t gaz_commune_count(const struct gazetteer *g)
{
    return g->ncommunes;
}

const struct gaz_commune *gaz_commune_at_index(const struct gazetteer *g,
                                               size_t i)
{
    return i < g->ncommunes ? &g->communes[i] : NULL;
}

static bool grid_cell(const struct gazetteer *g, double lat, double lon,
                      long dx, long dy, size_t *cell)
{
    double fx = (lon - g->grid_lon0) / GRID_STEP;
    double fy = (lat - g->grid_lat0) / GRID_STEP;
    if (!(fx >= -1e6 && fx <= 1e6 && fy >= -1e6 && fy <= 1e6))
        return false; /* NaN or far away */
    long x = (long)floor(fx) + dx, y = (long)floor(fy) + dy;
    if (x < 0 || y < 0 || (size_t)x >= g->grid_w || (size_t)y >= g->grid_h)
        return false;
    *cell = (size_t)y * g->grid_w + (size_t)x;
    return true;
}

const struct gaz_commune *gaz_commune_at(const struct gazetteer *g, double lat,
                                         double lon)
{
    size_t cell;
    if (!grid_cell(g, lat, lon, 0, 0, &cell))
        return NULL;
    for (size_t k = g->cell_start[cell]; k < g->cell_start[cell + 1]; k++) {
        const struct gaz_commune *c = &g->communes[g->cell_items[k]];
        if (commune_contains(c, lat, lon))
            return c;
    }
    return NULL;
}

/* Distance from a point to segment (a, b), in metres, on a local plane
 * scaled by cos(latitude): good to a few metres over a few km. */
static double segment_distance_m(double lat, double lon, const double *a,
                                 const double *b)
{
    double k = cos(lat * M_PI / 180.0);
    double ax = (a[0] - lon) * k, ay = a[1] - lat;
    double bx = (b[0] - lon) * k, by = b[1] - lat;
    double dx = bx - ax, dy = by - ay;
    double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
    t = fmax(0.0, fmin(1.0, t));
    double px = ax + t * dx, py = ay + t * dy;
    return sqrt(px * px + py * py) * 111195.0; /* metres per degree */
}

double gaz_border_distance_m(const struct gazetteer *g, double lat, double lon)
{
    double best = INFINITY;
    size_t cell;
    for (long dy = -1; dy <= 1; dy++)
        for (long dx = -1; dx <= 1; dx++) {
            if (!grid_cell(g, lat, lon, dx, dy, &cell))
                continue;
            for (size_t k = g->cell_start[cell]; k < g->cell_start[cell + 1];
                 k++) {
                const struct gaz_commune *c = &g->communes[g->cell_items[k]];
                size_t start = 0;
                for (size_t r = 0; r < c->nrings; r++) {
                    for (size_t i = start + 1; i < c->ring_end[r]; i++)
                        best = fmin(best, segment_distance_m(
                                              lat, lon, &c->pts[2 * (i - 1)],
                                              &c->pts[2 * i]));
                    start = c->ring_end[r];
                }
            }
        }
    return best;
}

const struct gaz_commune *gaz_commune_by_nis(const struct gazetteer *g,
                                             const char *nis)
{
    for (size_t i = 0; i < g->ncommunes; i++)
        if (strcmp(g->communes[i].nis, nis) == 0)
            return &g->communes[i];
    return NULL;
}

const struct gaz_commune *gaz_commune_by_name(const struct gazetteer *g,
                                              const char *name)
{
    char key[NAME_KEY];
    if (text_fold(name, key, sizeof key) == 0)
        return NULL;
    for (size_t i = 0; i < g->ncommunes; i++)
        if (strcmp(g->commune_keys[i][0], key) == 0 ||
            strcmp(g->commune_keys[i][1], key) == 0)
            return &g->communes[i];
    return NULL;
}

/* Index of the first postcode entry for 'code', or npostcodes. */
static size_t postcode_first(const struct gazetteer *g, const char *code)
{
    size_t lo = 0, hi = g->npostcodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(g->postcodes[mid].code, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < g->npostcodes && strcmp(g->postcodes[lo].code, code) == 0)
        return lo;
    return g->npostcodes;
}

bool gaz_postcode_known(const struct gazetteer *g, const char *code)
{
    return postcode_first(g, code) < g->npostcodes;
}

const struct gaz_postcode *gaz_postcode(const struct gazetteer *g,
                                        const char *code, const char *place)
{
    size_t first = postcode_first(g, code);
    char key[NAME_KEY];
    if (first == g->npostcodes)
        return NULL;
    if (place && text_fold(place, key, sizeof key) > 0)
        for (size_t i = first;
             i < g->npostcodes && strcmp(g->postcodes[i].code, code) == 0; i++)
            if (strcmp(g->place_keys[i], key) == 0)
                return &g->postcodes[i];
    return &g->postcodes[first];
}

const struct gaz_postcode *gaz_place_by_name(const struct gazetteer *g,
                                             const char *place)
{
    char key[NAME_KEY];
    if (text_fold(place, key, sizeof key) == 0)
        return NULL;
    for (size_t i = 0; i < g->npostcodes; i++)
        if (strcmp(g->place_keys[i], key) == 0)
            return &g->postcodes[i];
    return NULL;
}

size_t gaz_postcode_count(const struct gazetteer *g)
{
    return g ? g->npostcodes : 0;
}

const struct gaz_postcode *gaz_postcode_at_index(const struct gazetteer *g,
                                                 size_t i)
{
    return &g->postcodes[i];
}
