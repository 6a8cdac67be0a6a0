/* geocode.h - place a listing that has no coordinates: by its address
 * through a Nominatim-compatible service when one is configured, else by
 * its postcode, else by its municipality, from the shipped gazetteer.
 * Ownership: geocoder_new() returns a client freed with geocoder_free(). */
#ifndef AMO_GEOCODE_H
#define AMO_GEOCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "gazetteer.h"
#include "listing.h"

struct geocoder;

/* A client for the Nominatim search API at 'base_url' (e.g.
 * "https://nominatim.openstreetmap.org"). Requests are spaced by one
 * second, as Nominatim's usage policy asks, except on loopback. Returns 0
 * or ERR_NOMEM. */
int geocoder_new(const char *base_url, long timeout_s, struct geocoder **out);
void geocoder_free(struct geocoder *g);

/* Give 'l' a position and set l->pos to its precision. 'geocoder' may be
 * NULL. Returns false when nothing could place it. */
bool geocode_listing(const struct gazetteer *gaz, struct geocoder *geocoder,
                     struct listing *l);

#endif
