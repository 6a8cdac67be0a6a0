/* crs.h - conversion of Belgian projected coordinates to WGS84 with PROJ.
 * Ownership: crs_new() returns a converter (one PROJ context, one thread)
 * that the caller frees with crs_free(). */
#ifndef AMO_CRS_H
#define AMO_CRS_H

#include <stddef.h>

#define CRS_WGS84 4326
#define CRS_LAMBERT72 31370  /* Belge 1972 / Belgian Lambert 72 */
#define CRS_LAMBERT2008 3812 /* ETRS89 / Belgian Lambert 2008 */

struct crs;

/* A converter; PROJ objects are created on first use. Returns 0 or
 * ERR_NOMEM/ERR_PROJ with a message. */
int crs_new(struct crs **out, char *msg, size_t msgsz);
void crs_free(struct crs *c);

/* Convert easting 'x', northing 'y' in EPSG:'epsg' (4326 means x=lon,
 * y=lat and is copied) to WGS84. Returns 0, ERR_USAGE for an EPSG code we
 * do not support, or ERR_PROJ when PROJ fails. */
int crs_to_wgs84(struct crs *c, int epsg, double x, double y, double *lat,
                 double *lon);

/* Parse "EPSG:31370", "31370", "urn:ogc:def:crs:EPSG::31370" or
 * "urn:ogc:def:crs:OGC:1.3:CRS84". Returns the EPSG code or 0 when the
 * text names no CRS we support. */
int crs_parse(const char *text);

/* Which supported CRS coordinates (x, y) can be in, from their ranges:
 * degrees for WGS84, 0-300 km for Lambert 72, 500-800 km for Lambert
 * 2008 (their false origins put Belgium in disjoint ranges). 0 if none. */
int crs_guess(double x, double y);

#endif
