/* sink.c - what every output format shares (see sink.h). */
#define _XOPEN_SOURCE 700
#include "sink.h"

#include <ftw.h>
#include <stdio.h>

#include "err.h"

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

int sink_remove_tree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : ERR_IO;
}

json_t *sink_metadata_json(const struct sink_meta *m)
{
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:i,s:i,s:[ffff],s:[ffi],s:s,s:O}", "tilejson",
        "3.0.0", "name", m->name, "description", m->description, "format",
        "pbf", "minzoom", m->minzoom, "maxzoom", m->maxzoom, "bounds",
        m->bounds[0], m->bounds[1], m->bounds[2], m->bounds[3], "center",
        m->center[0], m->center[1], (int)m->center[2], "attribution",
        m->attribution, "vector_layers", m->vector_layers);
}

json_t *sink_mbtiles_metadata(const struct sink_meta *m)
{
    char bounds[128], center[96], minz[8], maxz[8];
    snprintf(bounds, sizeof bounds, "%.6f,%.6f,%.6f,%.6f", m->bounds[0],
             m->bounds[1], m->bounds[2], m->bounds[3]);
    snprintf(center, sizeof center, "%.6f,%.6f,%d", m->center[0], m->center[1],
             (int)m->center[2]);
    snprintf(minz, sizeof minz, "%d", m->minzoom);
    snprintf(maxz, sizeof maxz, "%d", m->maxzoom);
    json_t *layers = json_pack("{s:O}", "vector_layers", m->vector_layers);
    char *js = layers ? json_dumps(layers, JSON_COMPACT) : NULL;
    json_decref(layers);
    json_t *meta =
        js ? json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name",
                       m->name, "format", "pbf", "type", "overlay", "version",
                       "1", "description", m->description, "attribution",
                       m->attribution, "bounds", bounds, "center", center,
                       "minzoom", minz, "maxzoom", maxz, "json", js)
           : NULL;
    free(js);
    return meta;
}
