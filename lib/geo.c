/* geo.c - distances and Belgian bounds (see geo.h). */
#include "geo.h"

#include <math.h>

#define DEG2RAD (M_PI / 180.0)

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * DEG2RAD;
    double dlon = (lon2 - lon1) * DEG2RAD;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG2RAD) * cos(lat2 * DEG2RAD) * sin(dlon / 2) *
                   sin(dlon / 2);
    return 2 * GEO_EARTH_RADIUS_M * asin(fmin(1.0, sqrt(a)));
}

bool geo_in_belgium_box(double lat, double lon)
{
    /* 2 km is about 0.018 degree of latitude and 0.028 of longitude at
     * 50 N; 0.03 covers both. */
    const double m = 0.03;
    return lat >= GEO_BE_MIN_LAT - m && lat <= GEO_BE_MAX_LAT + m &&
           lon >= GEO_BE_MIN_LON - m && lon <= GEO_BE_MAX_LON + m;
}
