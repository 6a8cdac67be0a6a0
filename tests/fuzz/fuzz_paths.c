/* fuzz_paths.c - libFuzzer target: a request path as libmicrohttpd hands
 * it over, percent-decoded by http_unescape(), routed by route_find(), and
 * read by the path parsers of the tile, listing and commune routes. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mvt.h"
#include "parse.h"
#include "routes.h"

#define MAX_PATH 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_parsers(const char *path)
{
    int z;
    long x, y;
    long long id;
    const char *code;
    http_handler h = route_find(path)->handler;
    if (tiles_parse_path("/tiles/", path, &z, &x, &y)) {
        if (!mvt_tile_valid(z, x, y))
            fuzz_fail("tile %d/%ld/%ld accepted outside the grid", z, x, y);
        if (h != api_tile)
            fuzz_fail("a tile path not routed to the tiles");
    }
    if (tiles_parse_path("/tiles/basemap/", path, &z, &x, &y)) {
        if (!mvt_tile_valid(z, x, y))
            fuzz_fail("basemap tile %d/%ld/%ld accepted outside the grid", z, x,
                      y);
        if (h != api_basemap_tile)
            fuzz_fail("a basemap tile path not routed to the basemap");
    }
    if (listings_parse_path(path, &id) && (id <= 0 || h != api_listing))
        fuzz_fail("listing id %lld accepted", id);
    int c = communes_parse_path(path, &code);
    if (c == 1) {
        size_t n = strlen(code);
        if ((n != 4 && n != 5) || strspn(code, "0123456789") != n)
            fuzz_fail("commune code \"%s\" accepted", code);
    }
    if (c >= 0 && h != api_communes)
        fuzz_fail("a commune path not routed to the communes");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_PATH)
        return 0;
    char *raw = malloc(size + 1), *path = malloc(size + 1);
    memcpy(raw, data, size);
    raw[size] = '\0';
    memcpy(path, raw, size + 1);
    size_t n = http_unescape(path);
    if (n > strlen(raw) || n != strlen(path))
        fuzz_fail("unescape gave %zu bytes from %zu", n, strlen(raw));
    check_parsers(raw);
    check_parsers(path);
    free(raw);
    free(path);
    return 0;
}
