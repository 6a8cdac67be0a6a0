/* basemap.c - the basemap tileset (see basemap.h).
 *
 * At load, every boundary is projected to Web Mercator world coordinates
 * (0..1, y down, EPSG:3857 scaled), repaired if GEOS finds it invalid, and
 * simplified once per zoom with GEOSTopologyPreserveSimplify at half a
 * screen pixel of that zoom; the results are kept as plain coordinate
 * arrays with their bounding box. A tile then only builds GEOS geometries
 * for the shapes whose box meets the tile: in the calling thread's own
 * GEOS context, from arrays no thread writes, so no GEOS object is ever
 * shared between threads (GEOS objects cache things lazily; sharing them
 * read-only is not documented as safe). Each is clipped to the tile and
 * its buffer (GEOSClipByRect), then snapped to the tile's pixel grid with
 * GEOSGeom_setPrecision, which keeps it valid where plain rounding could
 * make a ring cross itself, and drops the parts that collapse.
 *
 * Boundary lines are drawn once each, and from the municipalities alone:
 * the three files were simplified apart by their publisher, so a
 * province's edge in be-provinces.geojson does not follow the same points
 * as the municipalities' edges along it (only 4,368 of its 6,224 segments
 * are among the arrondissements'), and drawing each file's outlines would
 * show two or three near-parallel lines. Among the municipalities, though,
 * neighbours share exactly the same points (TopoJSON arcs): a segment
 * found in one municipality only is the national border; one found in
 * two is a province, arrondissement or municipality border depending on
 * which of their codes differ. Counting segments in a hash table does
 * this at a fraction of the cost of the GEOS unions and differences it
 * replaced (0.9 s of CPU, over half of the load then). */
#include "basemap.h"

#include <geos_c.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "mercator.h"
#include "mvt.h"
#include "text.h"
#include "vec.h"

/* Bump when the tiles change for the same input (the ETag follows). */
#define BASEMAP_FORMAT 1
#define NZOOMS (BASEMAP_MAXZOOM + 1)
#define MAX_FILE_BYTES (64u << 20) /* the largest file is 2.9 MB */
/* Douglas-Peucker tolerance in screen pixels (256 per tile): the error
 * stays under what the eye sees, and a polygon's edge and the boundary
 * line simplified apart stay within a pixel of each other. */
#define SIMPLIFY_PIXELS 0.5

enum level { PROVINCE, ARRONDISSEMENT, MUNICIPALITY, NLEVELS };

static const struct {
    const char *file, *layer, *name;
    int minzoom;
} LEVELS[NLEVELS] = {
    {"be-provinces.geojson", "provinces", "province",
     BASEMAP_PROVINCES_MINZOOM},
    {"be-arrondissements.geojson", "arrondissements", "arrondissement",
     BASEMAP_ARRONDISSEMENTS_MINZOOM},
    {"be-municipalities.geojson", "municipalities", "municipality",
     BASEMAP_MUNICIPALITIES_MINZOOM},
};

/* Paths in world coordinates with their bounding box: a (multi)polygon's
 * rings, or one line. */
struct shape {
    double minx, miny, maxx, maxy;
    size_t npaths, npts;
    size_t *end; /* path i spans points [end[i-1], end[i]) */
    bool *outer;
    double *xy;
};

struct shapes {
    struct shape *v;
    size_t n;
};

/* One province, arrondissement or municipality. */
struct unit {
    char nis[6];
    char arr[6], prov[6]; /* a municipality's arrondissement and province
                             (or region: Brussels has no province) */
    char *name_fr, *name_nl;
    double label_lat, label_lon; /* GEOSPointOnSurface: inside */
    struct shape shape[NZOOMS];  /* by zoom from the level's minzoom */
};

struct level_data {
    struct unit *units;
    size_t n;
};

/* The classes of boundary line, each drawn from its zoom on. */
enum line_class {
    COUNTRY,
    PROVINCE_LINE,
    ARRONDISSEMENT_LINE,
    MUNICIPALITY_LINE,
    NCLASSES
};

static const struct {
    const char *name;
    int minzoom;
} CLASSES[NCLASSES] = {
    {"country", 0},
    {"province", BASEMAP_PROVINCES_MINZOOM},
    {"arrondissement", BASEMAP_ARRONDISSEMENTS_MINZOOM},
    {"municipality", BASEMAP_MUNICIPALITIES_MINZOOM},
};

struct basemap {
    struct level_data lv[NLEVELS];
    struct shapes lines[NCLASSES][NZOOMS];
    char version[17];
    double bounds[4];
};

/* ---- shapes ---------------------------------------------------------- */

struct pathbuf {
    double *xy;
    size_t npts, cap_pts;
    size_t *end;
    bool *outer;
    size_t npaths, cap_paths;
    bool oom;
};

static void pathbuf_free(struct pathbuf *p)
{
    free(p->xy);
    free(p->end);
    free(p->outer);
    memset(p, 0, sizeof *p);
}

static bool grow(void **v, size_t *cap, size_t need, size_t size)
{
    return vec_reserve(v, cap, need, size) == 0;
}

/* Append the coordinates of 'seq' as one path. */
static void pathbuf_add(GEOSContextHandle_t ctx, struct pathbuf *p,
                        const GEOSCoordSequence *seq, bool outer)
{
    unsigned int n = 0;
    if (p->oom || !seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n) || n == 0)
        return;
    size_t cap_end = p->cap_paths, cap_outer = p->cap_paths;
    if (!grow((void **)&p->xy, &p->cap_pts, 2 * (p->npts + n), sizeof *p->xy) ||
        !grow((void **)&p->end, &cap_end, p->npaths + 1, sizeof *p->end) ||
        !grow((void **)&p->outer, &cap_outer, p->npaths + 1,
              sizeof *p->outer)) {
        p->oom = true;
        return;
    }
    p->cap_paths = cap_end < cap_outer ? cap_end : cap_outer;
    if (!GEOSCoordSeq_copyToBuffer_r(ctx, seq, p->xy + 2 * p->npts, 0, 0)) {
        p->oom = true; /* GEOS's only failure here is memory */
        return;
    }
    p->npts += n;
    p->end[p->npaths] = p->npts;
    p->outer[p->npaths++] = outer;
}

/* Append the polygons (or the lines) of 'g', at any depth of collection;
 * the other kinds of part are left out. */
static void pathbuf_collect(GEOSContextHandle_t ctx, struct pathbuf *p,
                            const GEOSGeometry *g, bool polygon)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON && polygon) {
        pathbuf_add(ctx, p,
                    GEOSGeom_getCoordSeq_r(ctx, GEOSGetExteriorRing_r(ctx, g)),
                    true);
        int holes = GEOSGetNumInteriorRings_r(ctx, g);
        for (int i = 0; i < holes; i++)
            pathbuf_add(
                ctx, p,
                GEOSGeom_getCoordSeq_r(ctx, GEOSGetInteriorRingN_r(ctx, g, i)),
                false);
    } else if ((type == GEOS_LINESTRING || type == GEOS_LINEARRING) &&
               !polygon) {
        pathbuf_add(ctx, p, GEOSGeom_getCoordSeq_r(ctx, g), false);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_MULTILINESTRING ||
               type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(ctx, g);
        for (int i = 0; i < n; i++)
            pathbuf_collect(ctx, p, GEOSGetGeometryN_r(ctx, g, i), polygon);
    }
}

static void shape_free(struct shape *s)
{
    free(s->end);
    free(s->outer);
    free(s->xy);
    memset(s, 0, sizeof *s);
}

static void shapes_free(struct shapes *s)
{
    for (size_t i = 0; i < s->n; i++)
        shape_free(&s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* Take the paths of 'p' as shape 's'. */
static void shape_take(struct shape *s, struct pathbuf *p)
{
    s->minx = s->miny = INFINITY;
    s->maxx = s->maxy = -INFINITY;
    for (size_t i = 0; i < p->npts; i++) {
        s->minx = fmin(s->minx, p->xy[2 * i]);
        s->maxx = fmax(s->maxx, p->xy[2 * i]);
        s->miny = fmin(s->miny, p->xy[2 * i + 1]);
        s->maxy = fmax(s->maxy, p->xy[2 * i + 1]);
    }
    s->npaths = p->npaths;
    s->npts = p->npts;
    /* Shrink to fit: the basemap keeps thousands of small shapes, and the
     * growth slack would be most of its memory. */
    void *e = realloc(p->end, (p->npaths ? p->npaths : 1) * sizeof *p->end);
    void *o = realloc(p->outer, (p->npaths ? p->npaths : 1) * sizeof *p->outer);
    void *xy = realloc(p->xy, 2 * (p->npts ? p->npts : 1) * sizeof *p->xy);
    s->end = e ? e : p->end;
    s->outer = o ? o : p->outer;
    s->xy = xy ? xy : p->xy;
    memset(p, 0, sizeof *p);
}

/* 'g' as one shape. Returns 0 or ERR_NOMEM. */
static int shape_from_geos(GEOSContextHandle_t ctx, const GEOSGeometry *g,
                           bool polygon, struct shape *s)
{
    struct pathbuf p = {0};
    pathbuf_collect(ctx, &p, g, polygon);
    if (p.oom) {
        pathbuf_free(&p);
        return ERR_NOMEM;
    }
    shape_take(s, &p);
    return 0;
}

/* Each line of 'g' as a shape of its own, so a tile skips by their boxes
 * the lines far from it. Returns 0 or ERR_NOMEM. */
static int shapes_from_lines(GEOSContextHandle_t ctx, const GEOSGeometry *g,
                             struct shapes *out)
{
    int n = GEOSGetNumGeometries_r(ctx, g);
    out->v = calloc(n > 0 ? (size_t)n : 1, sizeof *out->v);
    if (!out->v)
        return ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        int rc = shape_from_geos(ctx, GEOSGetGeometryN_r(ctx, g, i), false,
                                 &out->v[out->n]);
        if (rc < 0)
            return rc;
        if (out->v[out->n].npaths)
            out->n++;
    }
    return 0;
}

/* Shape 's' as a GEOS geometry, each point mapped by x' = x * k - ox,
 * y' = y * k - oy. NULL when GEOS fails (memory, a ring GEOS refuses). */
static GEOSGeometry *shape_to_geos(GEOSContextHandle_t ctx,
                                   const struct shape *s, bool polygon,
                                   double k, double ox, double oy)
{
    GEOSGeometry **parts = calloc(s->npaths ? s->npaths : 1, sizeof *parts);
    GEOSGeometry **holes = calloc(s->npaths ? s->npaths : 1, sizeof *holes);
    double *buf = malloc(2 * (s->npts ? s->npts : 1) * sizeof *buf);
    GEOSGeometry *res = NULL;
    size_t nparts = 0, nholes = 0;
    bool ok = parts && holes && buf;
    for (size_t i = 0; i < 2 * s->npts && ok; i += 2) {
        buf[i] = s->xy[i] * k - ox;
        buf[i + 1] = s->xy[i + 1] * k - oy;
    }
    for (size_t i = 0; ok && i <= s->npaths; i++) {
        /* A polygon ends at the next exterior ring or at the end. */
        if (polygon && nparts + nholes > 0 && (i == s->npaths || s->outer[i])) {
            GEOSGeometry *shell = parts[--nparts];
            parts[nparts] =
                GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nholes);
            ok = parts[nparts] != NULL;
            nparts++;
            nholes = 0;
        }
        if (i == s->npaths || !ok)
            break;
        size_t from = i ? s->end[i - 1] : 0, n = s->end[i] - from;
        GEOSCoordSequence *seq =
            GEOSCoordSeq_copyFromBuffer_r(ctx, buf + 2 * from, n, 0, 0);
        GEOSGeometry *g = !seq       ? NULL
                          : !polygon ? GEOSGeom_createLineString_r(ctx, seq)
                                     : GEOSGeom_createLinearRing_r(ctx, seq);
        ok = g != NULL;
        if (g && polygon && !s->outer[i] && nparts + nholes > 0)
            holes[nholes++] = g;
        else if (g)
            parts[nparts++] = g;
    }
    if (ok)
        res = GEOSGeom_createCollection_r(
            ctx, polygon ? GEOS_MULTIPOLYGON : GEOS_MULTILINESTRING, parts,
            (unsigned)nparts);
    if (!res) {
        for (size_t i = 0; i < nparts; i++)
            GEOSGeom_destroy_r(ctx, parts[i]);
        for (size_t i = 0; i < nholes; i++)
            GEOSGeom_destroy_r(ctx, holes[i]);
    }
    free(parts);
    free(holes);
    free(buf);
    return res;
}

/* 'g' made valid, or NULL. The "structure" method without collapsed
 * parts keeps a polygon polygonal: no stray line or point. */
static GEOSGeometry *make_valid(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    GEOSMakeValidParams *mp = GEOSMakeValidParams_create_r(ctx);
    GEOSGeometry *v = NULL;
    if (mp &&
        GEOSMakeValidParams_setMethod_r(ctx, mp, GEOS_MAKE_VALID_STRUCTURE) &&
        GEOSMakeValidParams_setKeepCollapsed_r(ctx, mp, 0))
        v = GEOSMakeValidWithParams_r(ctx, g, mp);
    if (mp)
        GEOSMakeValidParams_destroy_r(ctx, mp);
    return v;
}

/* ---- loading ---------------------------------------------------------- */

/* One GeoJSON ring as a GEOS linear ring in world coordinates. */
static GEOSGeometry *ring_from_json(GEOSContextHandle_t ctx, json_t *ring)
{
    size_t n = json_array_size(ring);
    if (n < 4)
        return NULL;
    double *buf = malloc(2 * n * sizeof *buf);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *pt = json_array_get(ring, i);
        json_t *lon = json_array_get(pt, 0), *lat = json_array_get(pt, 1);
        double x = json_number_value(lon), y = json_number_value(lat);
        if (!json_is_number(lon) || !json_is_number(lat) || x < -180 ||
            x > 180 || y < -85 || y > 85) {
            free(buf);
            return NULL;
        }
        buf[2 * i] = merc_x(x);
        buf[2 * i + 1] = merc_y(y);
    }
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(ctx, buf, n, 0, 0);
    free(buf);
    return seq ? GEOSGeom_createLinearRing_r(ctx, seq) : NULL;
}

/* A GeoJSON polygon's coordinates as a GEOS polygon. */
static GEOSGeometry *polygon_from_json(GEOSContextHandle_t ctx, json_t *rings)
{
    size_t n = json_array_size(rings);
    if (n == 0)
        return NULL;
    GEOSGeometry *shell = ring_from_json(ctx, json_array_get(rings, 0));
    GEOSGeometry **holes = calloc(n, sizeof *holes);
    size_t nh = 0;
    bool ok = shell && holes;
    for (size_t i = 1; ok && i < n; i++)
        ok = (holes[nh++] = ring_from_json(ctx, json_array_get(rings, i)));
    GEOSGeometry *p =
        ok ? GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nh) : NULL;
    if (!p) {
        if (shell)
            GEOSGeom_destroy_r(ctx, shell);
        for (size_t i = 0; i < nh; i++)
            if (holes[i])
                GEOSGeom_destroy_r(ctx, holes[i]);
    }
    free(holes);
    return p;
}

/* A GeoJSON Polygon or MultiPolygon as a valid GEOS geometry in world
 * coordinates, or NULL. */
static GEOSGeometry *geometry_from_json(GEOSContextHandle_t ctx, json_t *geom)
{
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *coords = json_object_get(geom, "coordinates");
    GEOSGeometry *g = NULL;
    if (type && strcmp(type, "Polygon") == 0) {
        g = polygon_from_json(ctx, coords);
    } else if (type && strcmp(type, "MultiPolygon") == 0) {
        size_t n = json_array_size(coords);
        GEOSGeometry **parts = calloc(n ? n : 1, sizeof *parts);
        bool ok = parts && n > 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = (parts[i] = polygon_from_json(ctx, json_array_get(coords, i)));
        if (ok)
            g = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts,
                                            (unsigned)n);
        for (size_t i = 0; !g && parts && i < n; i++)
            if (parts[i])
                GEOSGeom_destroy_r(ctx, parts[i]);
        free(parts);
    }
    if (g && GEOSisValid_r(ctx, g) != 1) {
        /* Repair rather than refuse: simplification and clipping need
         * valid input, and the shipped file is what it is (a few rings
         * touch themselves). */
        GEOSGeometry *v = make_valid(ctx, g);
        GEOSGeom_destroy_r(ctx, g);
        g = v;
    }
    return g;
}

/* Read the whole of 'path' (at most MAX_FILE_BYTES). */
static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[65536];
    size_t n;
    int rc = 0;
    *data = NULL;
    if (!f)
        return ERR_IO;
    buf_init(&b, MAX_FILE_BYTES);
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(&b, chunk, n);
    if (rc == 0 && ferror(f))
        rc = ERR_IO;
    fclose(f);
    if (rc < 0) {
        buf_free(&b);
        return rc;
    }
    *len = b.len;
    *data = buf_take(&b);
    return *data ? 0 : ERR_NOMEM;
}

/* The code and names of a feature. The Brussels-Capital Region stands in
 * the provinces file (it belongs to none) with only its region's code and
 * names (04000, "Région de Bruxelles-Capitale"), which are used then. */
static bool unit_names(struct unit *u, json_t *props)
{
    const char *nis = json_string_value(json_object_get(props, "nis"));
    const char *fr = json_string_value(json_object_get(props, "name_fr"));
    const char *nl = json_string_value(json_object_get(props, "name_nl"));
    if (!nis && !fr && !nl) {
        nis = json_string_value(json_object_get(props, "reg_nis"));
        fr = json_string_value(json_object_get(props, "reg_fr"));
        nl = json_string_value(json_object_get(props, "reg_nl"));
    }
    if (!nis || strlen(nis) != 5 || strspn(nis, "0123456789") != 5 || !fr ||
        !*fr || !nl || !*nl)
        return false;
    memcpy(u->nis, nis, 6);
    const char *arr = json_string_value(json_object_get(props, "arr_nis"));
    const char *prov = json_string_value(json_object_get(props, "prov_nis"));
    if (!prov)
        prov = json_string_value(json_object_get(props, "reg_nis"));
    snprintf(u->arr, sizeof u->arr, "%s", arr ? arr : "");
    snprintf(u->prov, sizeof u->prov, "%s", prov ? prov : "");
    u->name_fr = strdup(fr);
    u->name_nl = strdup(nl);
    return u->name_fr && u->name_nl;
}

static double tolerance(int z)
{
    return SIMPLIFY_PIXELS / (256.0 * (double)(1L << z));
}

/* Feature 'f' as unit 'u' of a level shown from 'minzoom'. Returns 0,
 * ERR_PARSE or ERR_NOMEM. */
static int load_unit(GEOSContextHandle_t ctx, struct unit *u, json_t *f,
                     int minzoom)
{
    if (!unit_names(u, json_object_get(f, "properties")))
        return u->nis[0] ? ERR_NOMEM : ERR_PARSE;
    GEOSGeometry *g = geometry_from_json(ctx, json_object_get(f, "geometry"));
    if (!g || GEOSisEmpty_r(ctx, g))
        goto parse;
    GEOSGeometry *pt = GEOSPointOnSurface_r(ctx, g);
    double x, y;
    if (!pt || !GEOSGeomGetX_r(ctx, pt, &x) || !GEOSGeomGetY_r(ctx, pt, &y)) {
        if (pt)
            GEOSGeom_destroy_r(ctx, pt);
        goto parse;
    }
    GEOSGeom_destroy_r(ctx, pt);
    u->label_lon = merc_lon(x);
    u->label_lat = merc_lat(y);
    for (int z = minzoom; z < NZOOMS; z++) {
        GEOSGeometry *s =
            z < BASEMAP_MAXZOOM
                ? GEOSTopologyPreserveSimplify_r(ctx, g, tolerance(z))
                : NULL;
        int rc = shape_from_geos(ctx, s ? s : g, true, &u->shape[z]);
        if (s)
            GEOSGeom_destroy_r(ctx, s);
        if (rc < 0) {
            GEOSGeom_destroy_r(ctx, g);
            return rc;
        }
    }
    GEOSGeom_destroy_r(ctx, g);
    return 0;
parse:
    if (g)
        GEOSGeom_destroy_r(ctx, g);
    return ERR_PARSE;
}

/* Load level 'lv' from 'dir'; when 'keep' is not NULL, the parsed file
 * is handed over in *keep (the caller decrefs it). Returns 0 or an ERR_*
 * with 'msg'. */
static int load_level(GEOSContextHandle_t ctx, struct basemap *bm,
                      enum level lv, const char *dir, uint64_t *hash,
                      json_t **keep, char *msg, size_t msgsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, LEVELS[lv].file);
    char *data = NULL;
    size_t len = 0;
    json_t *root = NULL;
    struct level_data *L = &bm->lv[lv];
    int rc = read_file(path, &data, &len);
    if (rc < 0) {
        snprintf(msg, msgsz, "%s: %s", path, err_str(rc));
        goto out;
    }
    *hash = text_hash(*hash, data, len);
    json_error_t jerr;
    root = json_loadb(data, len, 0, &jerr);
    json_t *features = json_object_get(root, "features");
    size_t n = json_array_size(features);
    if (!root || n == 0) {
        snprintf(msg, msgsz, "%s:%d: %s", path, root ? 0 : jerr.line,
                 root ? "no features" : jerr.text);
        rc = ERR_PARSE;
        goto out;
    }
    if (!(L->units = calloc(n, sizeof *L->units))) {
        rc = ERR_NOMEM;
        snprintf(msg, msgsz, "%s: %s", path, err_str(rc));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        L->n = i + 1;
        rc = load_unit(ctx, &L->units[i], json_array_get(features, i),
                       LEVELS[lv].minzoom);
        if (rc == 0 && lv == MUNICIPALITY &&
            (!L->units[i].arr[0] || !L->units[i].prov[0]))
            rc = ERR_PARSE;
        if (rc < 0) {
            snprintf(msg, msgsz, "%s: feature %zu: %s", path, i + 1,
                     rc != ERR_PARSE      ? err_str(rc)
                     : lv == MUNICIPALITY ? "not a (multi)polygon with a "
                                            "5-digit nis, name_fr, name_nl, "
                                            "arr_nis and prov_nis or reg_nis"
                                          : "not a (multi)polygon with a "
                                            "5-digit nis, name_fr and "
                                            "name_nl");
            goto out;
        }
    }
out:
    if (rc == 0 && keep) {
        *keep = root;
        root = NULL;
    }
    json_decref(root);
    free(data);
    return rc;
}

/* Lines 'g' merged end to end and simplified for each zoom from
 * 'minzoom', into out[z]. Returns 0 or ERR_NOMEM. */
static int load_lines(GEOSContextHandle_t ctx, const GEOSGeometry *g,
                      int minzoom, struct shapes *out)
{
    GEOSGeometry *merged = GEOSLineMerge_r(ctx, g);
    int rc = merged ? 0 : ERR_NOMEM;
    for (int z = minzoom; rc == 0 && z < NZOOMS; z++) {
        /* Plain Douglas-Peucker: it keeps each line's ends, so the lines
         * stay joined where they meet, and it is ten times cheaper than
         * the topology-preserving kind, which the polygons need. */
        GEOSGeometry *s = z < BASEMAP_MAXZOOM
                              ? GEOSSimplify_r(ctx, merged, tolerance(z))
                              : NULL;
        rc = shapes_from_lines(ctx, s ? s : merged, &out[z]);
        if (s)
            GEOSGeom_destroy_r(ctx, s);
    }
    if (merged)
        GEOSGeom_destroy_r(ctx, merged);
    return rc;
}

/* A segment of a municipality's ring, its ends in a fixed order so that
 * both neighbours' rings give the same key; the first two municipalities
 * it bounds. */
struct seg {
    double p[4];
    uint32_t unit[2];
    uint32_t count; /* 0: empty slot */
};

struct segset {
    struct seg *v;
    size_t n, cap; /* cap: a power of two */
};

static uint64_t seg_hash(const double *p)
{
    return text_hash(TEXT_HASH_INIT, p, 4 * sizeof *p);
}

static int segset_grow(struct segset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1 << 16;
    struct seg *v = calloc(cap, sizeof *v);
    if (!v)
        return ERR_NOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->v[i].count)
            continue;
        size_t k = seg_hash(s->v[i].p) & (cap - 1);
        while (v[k].count)
            k = (k + 1) & (cap - 1);
        v[k] = s->v[i];
    }
    free(s->v);
    s->v = v;
    s->cap = cap;
    return 0;
}

/* Count segment a-b of municipality 'unit'. Returns 0 or ERR_NOMEM. */
static int segset_add(struct segset *s, const double *a, const double *b,
                      uint32_t unit)
{
    bool swap = a[0] > b[0] || (a[0] == b[0] && a[1] > b[1]);
    double p[4] = {swap ? b[0] : a[0], swap ? b[1] : a[1], swap ? a[0] : b[0],
                   swap ? a[1] : b[1]};
    if (p[0] == p[2] && p[1] == p[3])
        return 0;
    if ((s->n + 1) * 2 > s->cap && segset_grow(s) < 0)
        return ERR_NOMEM;
    size_t k = seg_hash(p) & (s->cap - 1);
    for (; s->v[k].count; k = (k + 1) & (s->cap - 1))
        if (memcmp(s->v[k].p, p, sizeof p) == 0) {
            if (s->v[k].count++ == 1)
                s->v[k].unit[1] = unit;
            return 0;
        }
    memcpy(s->v[k].p, p, sizeof p);
    s->v[k].unit[0] = unit;
    s->v[k].count = 1;
    s->n++;
    return 0;
}

static enum line_class seg_class(const struct seg *g, const struct unit *u)
{
    if (g->count == 1)
        return COUNTRY;
    const struct unit *a = &u[g->unit[0]], *b = &u[g->unit[1]];
    return strcmp(a->prov, b->prov) ? PROVINCE_LINE
           : strcmp(a->arr, b->arr) ? ARRONDISSEMENT_LINE
                                    : MUNICIPALITY_LINE;
}

/* Count the segments of the rings of GeoJSON (multi)polygon 'geom', the
 * geometry of municipality 'unit'. Returns 0 or ERR_NOMEM. */
static int count_segments(struct segset *set, json_t *geom, uint32_t unit)
{
    json_t *c = json_object_get(geom, "coordinates");
    bool multi = strcmp(json_string_value(json_object_get(geom, "type")),
                        "MultiPolygon") == 0;
    size_t np = multi ? json_array_size(c) : 1;
    for (size_t i = 0; i < np; i++) {
        json_t *rings = multi ? json_array_get(c, i) : c;
        for (size_t r = 0; r < json_array_size(rings); r++) {
            json_t *ring = json_array_get(rings, r);
            double prev[2], cur[2];
            for (size_t k = 0; k < json_array_size(ring); k++) {
                json_t *pt = json_array_get(ring, k);
                cur[0] = merc_x(json_number_value(json_array_get(pt, 0)));
                cur[1] = merc_y(json_number_value(json_array_get(pt, 1)));
                if (k && segset_add(set, prev, cur, unit) < 0)
                    return ERR_NOMEM;
                memcpy(prev, cur, sizeof prev);
            }
        }
    }
    return 0;
}

/* The boundary lines, from the municipalities' rings in 'root', the
 * parsed be-municipalities.geojson (see the top of this file): as
 * shipped, not as repaired, since a repair changes one side of a border
 * only (it once left a stray "country" line in Brussels). Merged and
 * simplified for each zoom. */
static int load_boundaries(GEOSContextHandle_t ctx, struct basemap *bm,
                           json_t *root)
{
    const struct level_data *M = &bm->lv[MUNICIPALITY];
    json_t *features = json_object_get(root, "features");
    struct segset set = {0};
    GEOSGeometry **parts = NULL;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < M->n; i++)
        rc = count_segments(
            &set, json_object_get(json_array_get(features, i), "geometry"),
            (uint32_t)i);
    if (rc == 0 && !(parts = calloc(set.n ? set.n : 1, sizeof *parts)))
        rc = ERR_NOMEM;
    for (int c = 0; rc == 0 && c < NCLASSES; c++) {
        unsigned n = 0;
        for (size_t i = 0; rc == 0 && i < set.cap; i++) {
            if (!set.v[i].count || (int)seg_class(&set.v[i], M->units) != c)
                continue;
            GEOSCoordSequence *seq =
                GEOSCoordSeq_copyFromBuffer_r(ctx, set.v[i].p, 2, 0, 0);
            if (!seq || !(parts[n++] = GEOSGeom_createLineString_r(ctx, seq)))
                rc = ERR_NOMEM;
        }
        GEOSGeometry *lines = rc == 0 ? GEOSGeom_createCollection_r(
                                            ctx, GEOS_MULTILINESTRING, parts, n)
                                      : NULL;
        if (!lines) {
            for (unsigned i = 0; i < n; i++)
                if (parts[i])
                    GEOSGeom_destroy_r(ctx, parts[i]);
            rc = ERR_NOMEM;
            break;
        }
        rc = load_lines(ctx, lines, CLASSES[c].minzoom, bm->lines[c]);
        GEOSGeom_destroy_r(ctx, lines);
    }
    free(parts);
    free(set.v);
    return rc;
}

int basemap_load(const char *dir, struct basemap **out, char *msg, size_t msgsz)
{
    struct basemap *bm = calloc(1, sizeof *bm);
    GEOSContextHandle_t ctx = GEOS_init_r();
    json_t *municipalities = NULL;
    uint64_t hash = text_hash(TEXT_HASH_INIT, "basemap", 7);
    int rc = ERR_NOMEM, format = BASEMAP_FORMAT;
    *out = NULL;
    snprintf(msg, msgsz, "basemap: %s", err_str(rc));
    if (!bm || !ctx)
        goto out;
    for (int lv = 0; lv < NLEVELS; lv++)
        if ((rc = load_level(ctx, bm, lv, dir, &hash,
                             lv == MUNICIPALITY ? &municipalities : NULL, msg,
                             msgsz)) < 0)
            goto out;
    if ((rc = load_boundaries(ctx, bm, municipalities)) < 0) {
        snprintf(msg, msgsz, "%s: the boundary lines: %s", dir, err_str(rc));
        goto out;
    }
    hash = text_hash(hash, &format, sizeof format);
    snprintf(bm->version, sizeof bm->version, "%016llx",
             (unsigned long long)hash);
    /* The extent, from the least simplified provinces. */
    bm->bounds[0] = bm->bounds[1] = INFINITY;
    bm->bounds[2] = bm->bounds[3] = -INFINITY;
    for (size_t i = 0; i < bm->lv[PROVINCE].n; i++) {
        const struct shape *s = &bm->lv[PROVINCE].units[i].shape[NZOOMS - 1];
        bm->bounds[0] = fmin(bm->bounds[0], merc_lon(s->minx));
        bm->bounds[2] = fmax(bm->bounds[2], merc_lon(s->maxx));
        bm->bounds[1] = fmin(bm->bounds[1], merc_lat(s->maxy));
        bm->bounds[3] = fmax(bm->bounds[3], merc_lat(s->miny));
    }
    *out = bm;
    bm = NULL;
    rc = 0;
    /* Parsing the 2.9 MB of GeoJSON peaks at tens of MB of small blocks,
     * all freed by now: give them back to the system (glibc keeps them
     * otherwise). */
    json_decref(municipalities);
    municipalities = NULL;
    malloc_trim(0);
out:
    json_decref(municipalities);
    if (ctx)
        GEOS_finish_r(ctx);
    basemap_free(bm);
    return rc;
}

void basemap_free(struct basemap *bm)
{
    if (!bm)
        return;
    for (int lv = 0; lv < NLEVELS; lv++) {
        struct level_data *L = &bm->lv[lv];
        for (size_t i = 0; i < L->n; i++) {
            free(L->units[i].name_fr);
            free(L->units[i].name_nl);
            for (int z = 0; z < NZOOMS; z++)
                shape_free(&L->units[i].shape[z]);
        }
        free(L->units);
    }
    for (int c = 0; c < NCLASSES; c++)
        for (int z = 0; z < NZOOMS; z++)
            shapes_free(&bm->lines[c][z]);
    free(bm);
}

const char *basemap_version(const struct basemap *bm)
{
    return bm->version;
}

void basemap_bounds(const struct basemap *bm, double bounds[4])
{
    memcpy(bounds, bm->bounds, sizeof bm->bounds);
}

/* ---- tiles ------------------------------------------------------------ */

/* One GEOS context per thread (GEOS's reentrant API), made on first use
 * and finished when the thread exits. */
static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void ctx_free(void *ctx)
{
    GEOS_finish_r(ctx);
}

static void ctx_key_init(void)
{
    pthread_key_create(&ctx_key, ctx_free);
}

static GEOSContextHandle_t thread_ctx(void)
{
    pthread_once(&ctx_once, ctx_key_init);
    GEOSContextHandle_t ctx = pthread_getspecific(ctx_key);
    if (!ctx && (ctx = GEOS_init_r()) && pthread_setspecific(ctx_key, ctx)) {
        GEOS_finish_r(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* The tile being built: its grid position and its rectangle with the
 * buffer, in world coordinates. */
struct tile {
    GEOSContextHandle_t ctx;
    int z;
    long x, y;
    double scale; /* world to tile pixels */
    double minx, miny, maxx, maxy;
};

static bool overlaps(const struct tile *t, const struct shape *s)
{
    return s->npaths && s->minx <= t->maxx && s->maxx >= t->minx &&
           s->miny <= t->maxy && s->maxy >= t->miny;
}

/* Add shape 's' clipped to the tile and its buffer and snapped to its
 * pixel grid. Returns 0 or ERR_NOMEM. */
static int add_shape(const struct tile *t, struct mvt_layer *layer,
                     const struct shape *s, bool polygon, uint64_t id,
                     const struct mvt_prop *props, int nprops)
{
    GEOSContextHandle_t ctx = t->ctx;
    GEOSGeometry *g =
        shape_to_geos(ctx, s, polygon, t->scale, (double)t->x * MVT_EXTENT,
                      (double)t->y * MVT_EXTENT);
    if (!g)
        return ERR_NOMEM;
    bool inside = s->minx >= t->minx && s->maxx <= t->maxx &&
                  s->miny >= t->miny && s->maxy <= t->maxy;
    if (!inside) {
        GEOSGeometry *c =
            GEOSClipByRect_r(ctx, g, -MVT_BUFFER, -MVT_BUFFER,
                             MVT_EXTENT + MVT_BUFFER, MVT_EXTENT + MVT_BUFFER);
        GEOSGeom_destroy_r(ctx, g);
        if (!(g = c))
            return ERR_NOMEM;
    }
    /* Snap rounding to whole pixels: valid output on the tile's grid. If
     * GEOS cannot, the encoder's own rounding still applies. */
    GEOSGeometry *snapped = GEOSGeom_setPrecision_r(ctx, g, 1.0, 0);
    if (snapped) {
        GEOSGeom_destroy_r(ctx, g);
        g = snapped;
    }
    /* At the lowest zooms a province's enclaves (Baarle-Hertog's, with
     * their Dutch counter-enclaves) can snap into each other: one shell
     * inside another, which is not a valid polygon (seen at 2/2/1).
     * Repair it (any point the repair adds is rounded by the encoder). */
    if (polygon && GEOSisValid_r(ctx, g) == 0) {
        GEOSGeometry *v = make_valid(ctx, g);
        if (v) {
            GEOSGeom_destroy_r(ctx, g);
            g = v;
        }
    }
    struct pathbuf p = {0};
    pathbuf_collect(ctx, &p, g, polygon);
    GEOSGeom_destroy_r(ctx, g);
    struct mvt_path *paths = calloc(p.npaths ? p.npaths : 1, sizeof *paths);
    int rc = p.oom || !paths ? ERR_NOMEM : 0;
    for (size_t i = 0; rc == 0 && i < p.npaths; i++) {
        size_t from = i ? p.end[i - 1] : 0;
        paths[i] =
            (struct mvt_path){p.xy + 2 * from, p.end[i] - from, p.outer[i]};
    }
    if (rc == 0 && p.npaths)
        rc = polygon ? mvt_layer_add_polygon(layer, id, paths, p.npaths, props,
                                             nprops)
                     : mvt_layer_add_lines(layer, id, paths, p.npaths, props,
                                           nprops);
    free(paths);
    pathbuf_free(&p);
    return rc;
}

/* The units of level 'lv' in the tile: polygons, and labels. */
static int add_units(const struct tile *t, const struct level_data *L,
                     enum level lv, int zi, struct mvt_layer *polys,
                     struct mvt_layer *labels)
{
    for (size_t i = 0; i < L->n; i++) {
        const struct unit *u = &L->units[i];
        if (!overlaps(t, &u->shape[zi]))
            continue;
        struct mvt_prop props[4] = {{"nis", u->nis, 0},
                                    {"name_fr", u->name_fr, 0},
                                    {"name_nl", u->name_nl, 0},
                                    {"level", LEVELS[lv].name, 0}};
        uint64_t id = strtoull(u->nis, NULL, 10);
        int rc = add_shape(t, polys, &u->shape[zi], true, id, props, 3);
        if (rc == 0)
            rc = mvt_layer_add_point(labels, id, u->label_lat, u->label_lon,
                                     props, 4);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_lines(const struct tile *t, const struct shapes *s,
                     const char *level, struct mvt_layer *layer, uint64_t *id)
{
    struct mvt_prop prop = {"level", level, 0};
    for (size_t i = 0; i < s->n; i++) {
        if (!overlaps(t, &s->v[i]))
            continue;
        int rc = add_shape(t, layer, &s->v[i], false, ++*id, &prop, 1);
        if (rc < 0)
            return rc;
    }
    return 0;
}

enum { LAYER_BOUNDARIES = NLEVELS, LAYER_LABELS, NLAYERS };

int basemap_tile(const struct basemap *bm, int z, long x, long y, uint8_t **out,
                 size_t *len)
{
    struct mvt_layer *layers[NLAYERS] = {0}, *full[NLAYERS];
    double n = (double)(1L << z), pad = (double)MVT_BUFFER / MVT_EXTENT;
    struct tile t = {.ctx = thread_ctx(),
                     .z = z,
                     .x = x,
                     .y = y,
                     .scale = n * MVT_EXTENT,
                     .minx = ((double)x - pad) / n,
                     .miny = ((double)y - pad) / n,
                     .maxx = ((double)x + 1 + pad) / n,
                     .maxy = ((double)y + 1 + pad) / n};
    int zi = z < BASEMAP_MAXZOOM ? z : BASEMAP_MAXZOOM, rc = ERR_NOMEM, nfull;
    uint64_t line_id = 0;
    *out = NULL;
    *len = 0;
    if (!t.ctx)
        return ERR_NOMEM;
    for (int i = 0; i < NLAYERS; i++) {
        const char *name = i < NLEVELS             ? LEVELS[i].layer
                           : i == LAYER_BOUNDARIES ? "boundaries"
                                                   : "labels";
        if (!(layers[i] = mvt_layer_new(name, z, x, y)))
            goto out;
    }
    rc = 0;
    for (int lv = 0; rc == 0 && lv < NLEVELS; lv++)
        if (z >= LEVELS[lv].minzoom)
            rc = add_units(&t, &bm->lv[lv], lv, zi, layers[lv],
                           layers[LAYER_LABELS]);
    for (int c = 0; rc == 0 && c < NCLASSES; c++)
        if (z >= CLASSES[c].minzoom)
            rc = add_lines(&t, &bm->lines[c][zi], CLASSES[c].name,
                           layers[LAYER_BOUNDARIES], &line_id);
    nfull = 0;
    for (int i = 0; rc == 0 && i < NLAYERS; i++)
        if (mvt_layer_count(layers[i]) > 0)
            full[nfull++] = layers[i];
    if (rc == 0 && nfull > 0)
        rc = mvt_encode(full, nfull, out, len);
out:
    for (int i = 0; i < NLAYERS; i++)
        mvt_layer_free(layers[i]);
    return rc;
}

/* One entry of vector_layers (TileJSON 3.0.0 section 3.16): the layers
 * of units carry nis, name_fr and name_nl, the labels also their level,
 * the lines only their level. */
static json_t *layer(const char *id, const char *description, int minzoom,
                     bool names, bool level)
{
    json_t *fields = json_object();
    if (names) {
        json_object_set_new(fields, "nis",
                            json_string("NIS (REFNIS) code, 5 digits"));
        json_object_set_new(fields, "name_fr", json_string("French name"));
        json_object_set_new(fields, "name_nl", json_string("Dutch name"));
    }
    if (level)
        json_object_set_new(fields, "level",
                            json_string("country, province, arrondissement "
                                        "or municipality"));
    return json_pack("{s:s,s:s,s:i,s:i,s:o}", "id", id, "description",
                     description, "minzoom", minzoom, "maxzoom",
                     BASEMAP_MAXZOOM, "fields", fields);
}

json_t *basemap_vector_layers(void)
{
    return json_pack(
        "[o,o,o,o,o]",
        layer("provinces",
              "The 10 provinces and the Brussels-Capital Region (nis 04000)",
              BASEMAP_PROVINCES_MINZOOM, true, false),
        layer("arrondissements", "The 43 administrative arrondissements",
              BASEMAP_ARRONDISSEMENTS_MINZOOM, true, false),
        layer("municipalities", "The 581 municipalities (2019 boundaries)",
              BASEMAP_MUNICIPALITIES_MINZOOM, true, false),
        layer("boundaries",
              "Boundary lines, each once, at the highest level it bounds",
              BASEMAP_PROVINCES_MINZOOM, false, true),
        layer("labels",
              "A point inside each province, arrondissement and "
              "municipality shown at that zoom, with its names",
              BASEMAP_PROVINCES_MINZOOM, true, true));
}
