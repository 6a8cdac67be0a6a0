/* reader.h - streaming readers for the importer's input formats: CSV
 * (RFC 4180), GeoJSON FeatureCollection, newline-delimited GeoJSON/JSON and
 * JSON arrays of records (Opendatasoft exports included). Each yields one
 * record at a time, so memory stays bounded whatever the input size.
 * Ownership: reader_open() returns a reader the caller frees with
 * reader_free(); the FILE stays the caller's. */
#ifndef AMO_READER_H
#define AMO_READER_H

#include <stdio.h>

#include "record.h"

enum format { FMT_AUTO, FMT_CSV, FMT_GEOJSON, FMT_NDJSON, FMT_JSON };

#define READER_MAX_FIELD (64 * 1024)         /* one CSV field */
#define READER_MAX_ELEMENT (4 * 1024 * 1024) /* one JSON feature/record */

struct reader;

/* Parse "auto", "csv", "geojson", "ndjson" or "json"; -1 if none. */
int reader_format_parse(const char *s);
/* Guess the format from a file name or URL path, else from the first
 * bytes of 'fp' (which are pushed back). Never returns FMT_AUTO. */
enum format reader_detect(FILE *fp, const char *name);

/* Start reading 'fp' as 'fmt' (not FMT_AUTO). 'name' is used in messages.
 * 'delim' is the CSV separator, or 0 to detect ',' ';' or tab from the
 * header line. Returns 0 or an ERR_* with 'msg' set. */
int reader_open(struct reader **out, FILE *fp, const char *name,
                enum format fmt, char delim, char *msg, size_t msgsz);
/* Read the next record into 'rec' (cleared first). Returns 1 for a record
 * (which may carry rec->error if only that record is unreadable), 0 at the
 * end, or ERR_PARSE/ERR_TOOBIG/ERR_IO/ERR_ENCODING when the rest of the
 * input cannot be read, with 'msg' naming the line. */
int reader_next(struct reader *r, struct record *rec, char *msg, size_t msgsz);
/* The legacy GeoJSON "crs" member's EPSG code, or 0 (RFC 7946 dropped the
 * member, but Belgian Lambert exports still write it). */
int reader_crs(const struct reader *r);
void reader_free(struct reader *r);

#endif
