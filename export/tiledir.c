/* tiledir.c - a directory of tiles for static hosting: z/x/y.mvt
 * (uncompressed, so any host serves them without a Content-Encoding
 * rule), metadata.json (the MBTiles metadata, which GDAL's MVT driver
 * reads for the layer's fields) and tiles.json (TileJSON 3.0.0, tile URLs
 * relative to it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "sink.h"

struct tiledir {
    struct sink base;
    char *path;
    int made_z; /* the last directories created */
    long made_xv;
};

static int write_file(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return ERR_IO;
    int rc = fwrite(p, 1, len, f) == len ? 0 : ERR_IO;
    if (fclose(f) != 0)
        rc = ERR_IO;
    return rc;
}

static int dir_put(struct sink *s, int z, long x, long y, const uint8_t *gz,
                   size_t gzlen, const uint8_t *raw, size_t rawlen)
{
    struct tiledir *d = (struct tiledir *)s;
    char p[4096];
    (void)gz;
    (void)gzlen;
    if (d->made_z != z) {
        snprintf(p, sizeof p, "%s/%d", d->path, z);
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return ERR_IO;
        d->made_z = z;
        d->made_xv = -1;
    }
    if (d->made_xv != x) {
        snprintf(p, sizeof p, "%s/%d/%ld", d->path, z, x);
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return ERR_IO;
        d->made_xv = x;
    }
    snprintf(p, sizeof p, "%s/%d/%ld/%ld.mvt", d->path, z, x, y);
    return write_file(p, raw, rawlen);
}

static void dir_free(struct tiledir *d)
{
    free(d->path);
    free(d);
}

static void dir_abort(struct sink *s)
{
    struct tiledir *d = (struct tiledir *)s;
    sink_remove_tree(d->path);
    dir_free(d);
}

static int dump(const char *dir, const char *name, json_t *j)
{
    char p[4096];
    char *text = json_dumps(j, JSON_INDENT(1));
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int rc = text ? write_file(p, text, strlen(text)) : ERR_NOMEM;
    free(text);
    return rc;
}

static int dir_finish(struct sink *s, const struct sink_meta *m, char *msg,
                      size_t msgsz)
{
    struct tiledir *d = (struct tiledir *)s;
    json_t *tj = sink_metadata_json(m);
    json_t *meta = sink_mbtiles_metadata(m);
    int rc = tj && meta ? 0 : ERR_NOMEM;
    if (rc == 0)
        json_object_set_new(tj, "tiles", json_pack("[s]", "{z}/{x}/{y}.mvt"));
    if (rc == 0)
        rc = dump(d->path, "tiles.json", tj);
    if (rc == 0)
        rc = dump(d->path, "metadata.json", meta);
    json_decref(tj);
    json_decref(meta);
    if (rc < 0) {
        snprintf(msg, msgsz, "%s: %s", d->path, err_str(rc));
        dir_abort(s);
        return rc;
    }
    dir_free(d);
    return 0;
}

int sink_dir_open(const char *path, struct sink **out, char *msg, size_t msgsz)
{
    struct tiledir *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d || !(d->path = strdup(path))) {
        free(d);
        snprintf(msg, msgsz, "out of memory");
        return ERR_NOMEM;
    }
    d->base.put = dir_put;
    d->base.finish = dir_finish;
    d->base.abort = dir_abort;
    d->made_z = -1;
    d->made_xv = -1;
    sink_remove_tree(path); /* a stale temporary */
    if (mkdir(path, 0755) < 0) {
        snprintf(msg, msgsz, "%s: %s", path, strerror(errno));
        dir_free(d);
        return ERR_IO;
    }
    *out = &d->base;
    return 0;
}
