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
