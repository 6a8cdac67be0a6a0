/* feature.h - a listing row as a GeoJSON Feature (RFC 7946: [lon, lat],
 * WGS84), the one shape every answer and export gives a listing, written
 * as JSON text.
 * Ownership: rows and the writer are borrowed. */
#ifndef AMO_FEATURE_H
#define AMO_FEATURE_H

#include "json_write.h"
#include "row.h"

/* Write 'row' as a Feature: its stored fields as properties (lists as
 * arrays), then what the query added, in this order: basis, distance_m,
 * matched and fuzzy. 'members', when not NULL, is JSON text of further
 * top-level members (",\"links\":[...]") written after the properties.
 * Errors stick in w->err. */
void feature_write(struct jw *w, const struct row *row, const char *members);
/* The rows as Features separated by commas (the caller writes the
 * brackets). */
void features_write(struct jw *w, const struct rows *r);

#endif
