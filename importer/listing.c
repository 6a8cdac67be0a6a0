/* listing.c - listing records (see listing.h). */
#include "listing.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "text.h"

static const char *const field_names[F_NSTR] = {
    "source_id",  "category",    "name",          "description", "street",
    "postcode",   "commune",     "nis",           "phone",       "email",
    "website",    "languages",   "opening_hours", "themes",      "territory",
    "source_url", "verified_at", "source_date"};

static const char *const pos_names[] = {"",        "source",   "converted",
                                        "address", "postcode", "commune"};

void listing_init(struct listing *l)
{
    memset(l, 0, sizeof *l);
    l->age_min = AGE_UNKNOWN;
    l->age_max = AGE_UNKNOWN;
    l->pos = POS_NONE;
}

void listing_free(struct listing *l)
{
    for (int i = 0; i < F_NSTR; i++)
        free(l->str[i]);
    listing_init(l);
}

int listing_set(struct listing *l, enum listing_field f, const char *v,
                size_t len)
{
    char *copy = NULL;
    if (v && len) {
        copy = malloc(len + 1);
        if (!copy)
            return ERR_NOMEM;
        memcpy(copy, v, len);
        copy[len] = '\0';
    }
    free(l->str[f]);
    l->str[f] = copy;
    return 0;
}

const char *listing_field_name(enum listing_field f)
{
    return field_names[f];
}

const char *listing_pos_name(enum pos_source p)
{
    return pos_names[p];
}

int64_t listing_fingerprint(const struct listing *l)
{
    uint64_t h = TEXT_HASH_INIT;
    for (int i = 0; i < F_NSTR; i++) {
        const char *s = l->str[i] ? l->str[i] : "";
        h = text_hash(h, s, strlen(s) + 1); /* +1: NUL separates fields */
    }
    int nums[2] = {l->age_min, l->age_max};
    h = text_hash(h, nums, sizeof nums);
    double pos[2] = {l->lat, l->lon};
    if (l->pos != POS_NONE)
        h = text_hash(h, pos, sizeof pos);
    h = text_hash(h, &l->pos, sizeof l->pos);
    return (int64_t)(h >> 1);
}

int64_t listing_id(const char *source, const char *source_id)
{
    uint64_t h = TEXT_HASH_INIT;
    h = text_hash(h, source, strlen(source) + 1);
    h = text_hash(h, source_id, strlen(source_id));
    h &= (1ULL << 53) - 1;
    return h ? (int64_t)h : 1;
}
