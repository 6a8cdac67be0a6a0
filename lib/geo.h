/* geo.h - distances and the bounds of Belgium.
 * Ownership: pure functions, nothing allocated. */
#ifndef AMO_GEO_H
#define AMO_GEO_H

#include <stdbool.h>

/* Belgium's extent in WGS84 (from the shipped municipality boundaries),
 * used as a cheap first test before the point-in-polygon check. */
#define GEO_BE_MIN_LAT 49.49
#define GEO_BE_MAX_LAT 51.51
#define GEO_BE_MIN_LON 2.54
#define GEO_BE_MAX_LON 6.41
/* How far outside the border a position may lie and still be accepted:
 * the shipped boundaries are simplified, and a service can sit on the
 * border line itself. */
#define GEO_BORDER_MARGIN_M 2000.0

#define GEO_EARTH_RADIUS_M 6371008.8 /* IUGG mean radius */

/* Great-circle distance in metres (haversine, mean Earth radius). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* True when (lat, lon) lies in Belgium's bounding box widened by the
 * border margin. */
bool geo_in_belgium_box(double lat, double lon);

#endif
