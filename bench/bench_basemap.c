/* bench_basemap.c - the cost of the basemap tileset, on the real shipped
 * boundaries: load time, memory the load adds (resident set), and the time
 * and size of every tile over Belgium at the zooms asked for.
 *
 *   bench-basemap [--data DIR] [ZOOM...]      (default zooms: 0 8 12)
 */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basemap.h"
#include "err.h"
#include "mercator.h"

#ifndef AMO_DATA_DIR
#define AMO_DATA_DIR "data"
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: on a shared machine it says what wall time
 * cannot. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rss_mb(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return (double)rss * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

static long tile_x(double lon, int z)
{
    return (long)floor(merc_x(lon) * (double)(1L << z));
}

static long tile_y(double lat, int z)
{
    return (long)floor(merc_y(lat) * (double)(1L << z));
}

static int bench_zoom(const struct basemap *bm, int z)
{
    double b[4];
    basemap_bounds(bm, b);
    long x0 = tile_x(b[0], z), x1 = tile_x(b[2], z);
    long y0 = tile_y(b[3], z), y1 = tile_y(b[1], z);
    long tiles = 0, empty = 0;
    size_t bytes = 0, largest = 0;
    double worst = 0, t0 = now_s(), c0 = cpu_s();
    for (long x = x0; x <= x1; x++)
        for (long y = y0; y <= y1; y++) {
            uint8_t *data;
            size_t len;
            double t = now_s();
            if (basemap_tile(bm, z, x, y, &data, &len) < 0) {
                fprintf(stderr, "bench-basemap: %d/%ld/%ld: out of memory\n", z,
                        x, y);
                return 1;
            }
            t = now_s() - t;
            worst = t > worst ? t : worst;
            free(data);
            tiles++;
            empty += len == 0;
            bytes += len;
            largest = len > largest ? len : largest;
        }
    double all = now_s() - t0, cpu = cpu_s() - c0;
    printf("z%-2d %5ld tiles (%ld empty) %7.3f ms/tile (CPU %.3f) max %7.3f ms"
           " largest %6zu B mean %6.0f B\n",
           z, tiles, empty, all * 1000 / (double)tiles,
           cpu * 1000 / (double)tiles, worst * 1000, largest,
           (double)bytes / (double)(tiles - empty ? tiles - empty : 1));
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = AMO_DATA_DIR "/gazetteer";
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--data") == 0) {
        dir = argv[2];
        first = 3;
    }
    char msg[1024];
    struct basemap *bm = NULL;
    double m0 = rss_mb(), t = now_s(), c = cpu_s();
    size_t h0 = mallinfo2().uordblks;
    if (basemap_load(dir, &bm, msg, sizeof msg) < 0) {
        fprintf(stderr, "bench-basemap: %s\n", msg);
        return 1;
    }
    t = now_s() - t;
    c = cpu_s() - c;
    /* The heap still in use is what the basemap keeps; the resident set
     * also counts the pages of the GEOS library it touched. */
    printf("load %.3f s (CPU %.3f s), heap in use +%.1f MB, resident memory "
           "+%.1f MB (version %s)\n",
           t, c, (double)(mallinfo2().uordblks - h0) / (1 << 20), rss_mb() - m0,
           basemap_version(bm));
    int rc = 0;
    if (first >= argc) {
        int zooms[] = {0, 8, 12};
        for (int i = 0; rc == 0 && i < 3; i++)
            rc = bench_zoom(bm, zooms[i]);
    }
    for (int i = first; rc == 0 && i < argc; i++)
        rc = bench_zoom(bm, atoi(argv[i]));
    basemap_free(bm);
    return rc;
}
