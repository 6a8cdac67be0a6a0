/* listing.h - one directory listing as read from a source, before storage.
 * Ownership: a listing owns every string in str[]; listing_free() releases
 * them and listing_set() replaces (and frees) the previous value. */
#ifndef AMO_LISTING_H
#define AMO_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Text fields, in the order of the `listings` columns that hold them. */
enum listing_field {
    F_SOURCE_ID,
    F_CATEGORY,
    F_NAME,
    F_DESCRIPTION,
    F_STREET,
    F_POSTCODE,
    F_COMMUNE,
    F_NIS,
    F_PHONE,
    F_EMAIL,
    F_WEBSITE,
    F_LANGUAGES,
    F_OPENING_HOURS,
    F_THEMES,
    F_TERRITORY,
    F_SOURCE_URL,
    F_VERIFIED_AT,
    F_SOURCE_DATE, /* the source's own date (srcdate.h) */
    F_NSTR
};

/* How a position was obtained, strongest first; stored as text. */
enum pos_source {
    POS_NONE,      /* no position yet */
    POS_SOURCE,    /* WGS84 coordinates given by the source */
    POS_CONVERTED, /* converted from Lambert 72 / Lambert 2008 with PROJ */
    POS_ADDRESS,   /* geocoded from the street address */
    POS_POSTCODE,  /* centroid of the postcode's place */
    POS_COMMUNE    /* a point inside the municipality */
};

#define AGE_UNKNOWN (-1)

struct listing {
    char *str[F_NSTR];    /* NULL when the source gives nothing */
    int age_min, age_max; /* inclusive; AGE_UNKNOWN when not given */
    double lat, lon;      /* WGS84 degrees; valid when pos != POS_NONE */
    enum pos_source pos;
};

void listing_init(struct listing *l);
void listing_free(struct listing *l);
/* Store a copy of 'len' bytes of 'v' in field 'f' (NULL or empty clears
 * it). Returns 0 or ERR_NOMEM; on failure the old value stays. */
int listing_set(struct listing *l, enum listing_field f, const char *v,
                size_t len);
/* The column name of field 'f' ("source_id", "name", ...). */
const char *listing_field_name(enum listing_field f);
/* The stored word for 'p' ("source", "converted", ...; "" for none). */
const char *listing_pos_name(enum pos_source p);
/* Hash of everything a source controls, to tell a changed record from an
 * unchanged one without reading the stored row. */
int64_t listing_fingerprint(const struct listing *l);
/* The stable id of a listing: a 53-bit hash of its source and source id,
 * so ids survive a rebuild and fit a JavaScript number (RFC 7946 ids, MVT
 * feature ids and OGC featureIds all carry it). Never 0. */
int64_t listing_id(const char *source, const char *source_id);

#endif
