/* record.h - one raw input record: the key/value pairs a reader found, the
 * line it starts on, and a point geometry if the format carries one.
 * Ownership: the record owns its keys and values; record_clear() frees
 * them and keeps the arrays for the next record. */
#ifndef AMO_RECORD_H
#define AMO_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#define RECORD_MAX_FIELDS 512 /* columns or properties in one record */

struct record_field {
    char *key;
    char *value; /* never NULL; "" for an empty value */
};

struct record {
    long line; /* 1-based line where the record starts */
    struct record_field *f;
    size_t n, cap;
    bool has_point;    /* a geometry or geo_point_2d was found */
    double x, y;       /* easting/longitude, northing/latitude */
    int point_crs;     /* EPSG code when the format says, else 0 */
    char *id;          /* a feature/record id outside the properties, or NULL */
    char *error;       /* why the reader could not read this record, or NULL */
    char *error_field; /* the column it concerns, or NULL (the record) */
};

void record_init(struct record *r);
void record_clear(struct record *r);
void record_free(struct record *r);
/* Append a copy of key and value ('vlen' bytes). A value holding a NUL
 * byte is kept up to it and the record marked unreadable for that column
 * (record_fail_field). Returns 0, ERR_NOMEM or ERR_TOOBIG (more than
 * RECORD_MAX_FIELDS); on failure the record is unchanged. */
int record_add(struct record *r, const char *key, const char *value,
               size_t vlen);
/* Mark the record unreadable with a copy of 'why' (first reason wins). */
void record_fail(struct record *r, const char *why);
/* The same, for one column 'field' of the record. */
void record_fail_field(struct record *r, const char *field, const char *why);

#endif
