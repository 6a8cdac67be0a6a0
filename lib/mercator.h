/* mercator.h - Web Mercator (EPSG:3857) as tiles use it: a WGS84
 * position as world units, x from 0 (180 W) to 1 (180 E) and y from 0
 * (north) to 1 (south); tile z/x/y covers [x, x+1) / 2^z. The one copy of
 * these formulas: the live tiles, the exports, the clusters and the
 * basemap must agree to the last bit for their bytes to be the same.
 * Ownership: pure functions. */
#ifndef AMO_MERCATOR_H
#define AMO_MERCATOR_H

#include <math.h>

static inline double merc_x(double lon)
{
    return (lon + 180) / 360;
}

static inline double merc_y(double lat)
{
    double s = sin(lat * M_PI / 180);
    return 0.5 - log((1 + s) / (1 - s)) / (4 * M_PI);
}

static inline double merc_lon(double x)
{
    return x * 360 - 180;
}

static inline double merc_lat(double y)
{
    return atan(sinh(M_PI * (1 - 2 * y))) * 180 / M_PI;
}

#endif
