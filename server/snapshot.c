/* snapshot.c - what is derived from one data version (see snapshot.h).
 *
 * One lifetime rule for everything: 'current' holds a reference to the
 * newest snapshot; each request holds one while it runs. A request that
 * sees a newer version builds the new snapshot under the lock (the
 * others of that version wait for it rather than each reading a million
 * rows), and the old one goes when its last request ends. */
#include "snapshot.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "store.h"
#include "textindex.h"
#include "tileset.h"
#include "vec.h"

#define MAX_CATEGORIES CLUSTER_MAX_CATS

struct snapshot {
    long long version;
    int refs;
    struct kdtree *tree;
    struct tileset_cats cats; /* numbered as every tile builder does */
    bool cats_full;           /* a further category shares the last slot */
    double cat_bb[MAX_CATEGORIES][4]; /* min lon, min lat, max lon, max lat */
    long cat_n[MAX_CATEGORIES];
    pthread_mutex_t text_lock;
    struct textindex *text;
    bool text_failed; /* tried once for this version */
    pthread_mutex_t cluster_lock;
    struct cluster_index *clusters;
    int cluster_zoom;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *current;

static void snapshot_free(struct snapshot *snap)
{
    if (!snap)
        return;
    kdtree_free(snap->tree);
    textindex_free(snap->text);
    cluster_free(snap->clusters);
    pthread_mutex_destroy(&snap->text_lock);
    pthread_mutex_destroy(&snap->cluster_lock);
    free(snap);
}

void snapshot_release(struct snapshot *snap)
{
    if (!snap)
        return;
    pthread_mutex_lock(&lock);
    bool last = --snap->refs == 0;
    pthread_mutex_unlock(&lock);
    if (last)
        snapshot_free(snap);
}

void snapshot_shutdown(void)
{
    pthread_mutex_lock(&lock);
    struct snapshot *snap = current;
    current = NULL;
    pthread_mutex_unlock(&lock);
    snapshot_release(snap);
}

long long snapshot_version(const struct snapshot *snap)
{
    return snap->version;
}

/* Clusters count listings per category in CLUSTER_MAX_CATS slots; the
 * last one also takes any further category. */
static int category_index(struct snapshot *snap, const char *slug)
{
    bool full = snap->cats.n == MAX_CATEGORIES;
    int i = tileset_cat_index(&snap->cats, slug ? slug : "");
    if (full && strcmp(snap->cats.slug[i], slug ? slug : "") != 0)
        snap->cats_full = true;
    return i;
}

/* Number the categories in slug order, as the exporter does, so cluster
 * counts come out the same whatever order listings are read in. */
static int seed_categories(struct snapshot *snap, struct store *s)
{
    sqlite3_stmt *st =
        store_prepare(s, "SELECT slug FROM categories ORDER BY slug");
    if (!st)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW)
        category_index(snap, (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return 0;
}

static void extend(double bb[4], long *n, double lat, double lon)
{
    if ((*n)++ == 0) {
        bb[0] = bb[2] = lon;
        bb[1] = bb[3] = lat;
    }
    bb[0] = fmin(bb[0], lon);
    bb[1] = fmin(bb[1], lat);
    bb[2] = fmax(bb[2], lon);
    bb[3] = fmax(bb[3], lat);
}

/* Read every positioned listing of the request's snapshot. */
static struct kdtree *read_tree(struct snapshot *snap, struct store *s)
{
    static const char sql[] = "SELECT id, lat, lon, category, age_min, age_max"
                              " FROM listings WHERE lat IS NOT NULL";
    sqlite3_stmt *st = store_prepare(s, sql);
    struct kd_point *pts = NULL;
    size_t n = 0, cap = 0;
    struct kdtree *t = NULL;
    if (!st)
        return NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (vec_reserve((void **)&pts, &cap, n + 1, sizeof *pts) < 0)
            goto out;
        struct kd_point *p = &pts[n++];
        p->id = sqlite3_column_int64(st, 0);
        p->lat = sqlite3_column_double(st, 1);
        p->lon = sqlite3_column_double(st, 2);
        p->cat = (uint8_t)category_index(
            snap, (const char *)sqlite3_column_text(st, 3));
        p->age_min = sqlite3_column_type(st, 4) == SQLITE_NULL
                         ? -1
                         : (int16_t)sqlite3_column_int(st, 4);
        p->age_max = sqlite3_column_type(st, 5) == SQLITE_NULL
                         ? -1
                         : (int16_t)sqlite3_column_int(st, 5);
        extend(snap->cat_bb[p->cat], &snap->cat_n[p->cat], p->lat, p->lon);
    }
    t = kdtree_build(pts, n);
out:
    sqlite3_reset(st);
    free(pts);
    return t;
}

static struct snapshot *build(struct store *s)
{
    struct snapshot *snap = calloc(1, sizeof *snap);
    if (!snap)
        return NULL;
    pthread_mutex_init(&snap->cluster_lock, NULL);
    pthread_mutex_init(&snap->text_lock, NULL);
    snap->version = store_data_version(s);
    if (seed_categories(snap, s) < 0 || !(snap->tree = read_tree(snap, s))) {
        snapshot_free(snap);
        return NULL;
    }
    return snap;
}

struct snapshot *snapshot_acquire(struct store *s)
{
    long long v = store_data_version(s);
    pthread_mutex_lock(&lock);
    if (!current || current->version != v) {
        struct snapshot *snap = build(s);
        if (snap) {
            snap->refs = 1; /* the reference held by 'current' */
            struct snapshot *old = current;
            current = snap;
            if (old && --old->refs == 0)
                snapshot_free(old);
        }
    }
    struct snapshot *snap = current && current->version == v ? current : NULL;
    if (snap)
        snap->refs++;
    pthread_mutex_unlock(&lock);
    return snap;
}

long snapshot_nearest(const struct snapshot *snap, double lat, double lon,
                      double max_m, long limit, const char *cats, int age,
                      struct kd_hit *out)
{
    struct kd_query q = {
        .lat = lat, .lon = lon, .max_m = max_m, .limit = limit, .age = age};
    for (int i = 0; i < snap->cats.n; i++) {
        char key[40];
        snprintf(key, sizeof key, ",%s,", snap->cats.slug[i]);
        if (!cats || strstr(cats, key))
            q.cat_mask |= 1u << i;
    }
    return kdtree_nearest(snap->tree, &q, out);
}

const struct tileset_cats *snapshot_cats(const struct snapshot *snap)
{
    return &snap->cats;
}

bool snapshot_category_extent(const struct snapshot *snap, const char *slug,
                              double bb[4])
{
    for (int i = 0; i < snap->cats.n; i++)
        if (strcmp(snap->cats.slug[i], slug) == 0) {
            if (i == MAX_CATEGORIES - 1 && snap->cats_full)
                return false; /* shared with further categories */
            if (snap->cat_n[i])
                memcpy(bb, snap->cat_bb[i], 4 * sizeof *bb);
            return true;
        }
    /* Not among the slots: no positioned listing, unless the slots ran
     * out before this category was seen. */
    return !snap->cats_full;
}

const struct textindex *snapshot_textindex(struct snapshot *snap,
                                           struct store *s)
{
    pthread_mutex_lock(&snap->text_lock);
    if (!snap->text && !snap->text_failed &&
        store_data_version(s) == snap->version) {
        char msg[256];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        snap->text = textindex_build(store_db(s), msg, sizeof msg);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (snap->text) {
            /* for operators: what a data version costs (no request data) */
            struct textindex_stats st;
            textindex_stats(snap->text, &st);
            fprintf(stderr,
                    "amo-server: full-text index: %zu listings, %zu words, "
                    "%zu postings, %.1f MB, built in %.2f s\n",
                    st.docs, st.terms, st.postings, (double)st.bytes / 1e6,
                    (double)(t1.tv_sec - t0.tv_sec) +
                        (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        } else {
            /* said once per version; the search then answers 503 */
            snap->text_failed = true;
            fprintf(stderr, "amo-server: full-text index: %s\n", msg);
        }
    }
    const struct textindex *t = snap->text;
    pthread_mutex_unlock(&snap->text_lock);
    return t;
}

const struct cluster_index *snapshot_clusters(struct snapshot *snap,
                                              int max_zoom)
{
    pthread_mutex_lock(&snap->cluster_lock);
    if (!snap->clusters || snap->cluster_zoom != max_zoom) {
        size_t n = kdtree_size(snap->tree);
        struct cluster_point *pts = malloc((n ? n : 1) * sizeof *pts);
        struct cluster_index *c = NULL;
        if (pts) {
            for (size_t i = 0; i < n; i++) {
                const struct kd_point *p = kdtree_point(snap->tree, i);
                cluster_project(p->lat, p->lon, &pts[i].x, &pts[i].y);
                pts[i].id = (uint64_t)p->id;
                pts[i].cat = p->cat;
            }
            /* The points' order (kdtree_build) is the same for every
             * build of the same data, and so are the clusters. */
            if (cluster_build(pts, n, max_zoom, TILESET_CLUSTER_RADIUS,
                              TILESET_CLUSTER_TILE, &c) == 0) {
                cluster_free(snap->clusters);
                snap->clusters = c;
                snap->cluster_zoom = max_zoom;
            }
            free(pts);
        }
    }
    const struct cluster_index *c = snap->clusters;
    pthread_mutex_unlock(&snap->cluster_lock);
    return c;
}
