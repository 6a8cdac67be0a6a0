/* sink.c - what every output format shares (see sink.h). */
#include "sink.h"

#include "tileset.h"

json_t *sink_metadata_json(const struct sink_meta *m)
{
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:i,s:i,s:[ffff],s:[ffi],s:s,s:O}", "tilejson",
        "3.0.0", "name", "Annuaire AMO", "description",
        "Services d'aide aux jeunes (AMO, CPAS, planning familial, SDJ)",
        "format", "pbf", "minzoom", m->minzoom, "maxzoom", m->maxzoom, "bounds",
        m->bounds[0], m->bounds[1], m->bounds[2], m->bounds[3], "center",
        m->center[0], m->center[1], (int)m->center[2], "attribution",
        TILESET_ATTRIBUTION, "vector_layers", m->vector_layers);
}
