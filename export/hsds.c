/* hsds.c - HSDS 3.0 export (see hsds.h and docs/hsds.md).
 *
 * Each listing becomes one compiled service object (jansson), with its
 * organization, location, address, phone, schedules, service areas,
 * languages and metadata nested as schema/compiled/service.json has
 * them. The object is written to services.json as one line, then each
 * nested object is written as a row of its table: the JSON and the CSV
 * are views of the same tree, so they cannot say different things.
 *
 * Only what a listing holds is mapped; what it does not know is left
 * out, never guessed. Listings do not say which organization runs which
 * service, so each listing is its own organization, service and location. */
#include "hsds.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "hours.h"
#include "row.h"
#include "uuid.h"

/* HSDS ids are UUIDs. They are version 5 UUIDs (SHA-1, RFC 4122 section
 * 4.3) of "kind/listing id[/part]" in this namespace, itself a random
 * UUID drawn once (6faa4e90-6df7-4662-9ccd-dbcd0d83cdf6): the listing id
 * is a hash of the source file and the record's source_id (amo-import's
 * listing_id()), so two exports of the same data, even from two imports,
 * give the same ids, and a partner who merged our records into their
 * directory can match them again next time. Random UUIDs would make every
 * export a new set of services. */
static const uint8_t AMO_NAMESPACE[16] = {0x6f, 0xaa, 0x4e, 0x90, 0x6d, 0xf7,
                                          0x46, 0x62, 0x9c, 0xcd, 0xdb, 0xcd,
                                          0x0d, 0x83, 0xcd, 0xf6};

/* A field of a table, as HSDS 3.0's datapackage.json describes it (copied
 * from it; tests/hsds/check-hsds.mjs compares ours with the standard's). */
#define F_REQ 1  /* constraints.required */
#define F_UNIQ 2 /* constraints.unique */
struct hsds_field {
    const char *name, *type, *format; /* format may be NULL */
    int flags;
    const char *enums; /* '|'-separated constraints.enum, or NULL */
};

#define ENUM_LOCATION "physical|postal|virtual"
static const struct hsds_field organization_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"name", "string", NULL, F_REQ, NULL},
    {"alternate_name", "string", NULL, 0, NULL},
    {"description", "string", NULL, F_REQ, NULL},
    {"email", "string", "email", 0, NULL},
    {"website", "string", "uri", 0, NULL},
    {"tax_status", "string", NULL, 0, NULL},
    {"tax_id", "string", NULL, 0, NULL},
    {"year_incorporated", "number", NULL, 0, NULL},
    {"legal_status", "string", NULL, 0, NULL},
    {"logo", "string", NULL, 0, NULL},
    {"uri", "string", "uri", 0, NULL},
    {"parent_organization_id", "string", "uuid", 0, NULL},
};
static const struct hsds_field service_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"organization_id", "string", "uuid", F_REQ, NULL},
    {"program_id", "string", "uuid", 0, NULL},
    {"name", "string", NULL, F_REQ, NULL},
    {"alternate_name", "string", NULL, 0, NULL},
    {"description", "string", NULL, 0, NULL},
    {"url", "string", "uri", 0, NULL},
    {"email", "string", "email", 0, NULL},
    {"status", "string", NULL, F_REQ,
     "active|inactive|defunct|temporarily closed"},
    {"interpretation_services", "string", NULL, 0, NULL},
    {"application_process", "string", NULL, 0, NULL},
    {"fees_description", "string", NULL, 0, NULL},
    {"wait_time", "string", NULL, 0, NULL},
    {"fees", "string", NULL, 0, NULL},
    {"accreditations", "string", NULL, 0, NULL},
    {"eligibility_description", "string", NULL, 0, NULL},
    {"minimum_age", "number", NULL, 0, NULL},
    {"maximum_age", "number", NULL, 0, NULL},
    {"assured_date", "date", NULL, 0, NULL},
    {"assurer_email", "string", "email", 0, NULL},
    {"licenses", "string", NULL, 0, NULL},
    {"alert", "string", NULL, 0, NULL},
    {"last_modified", "datetime", NULL, 0, NULL},
};
static const struct hsds_field location_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"location_type", "string", NULL, F_REQ, ENUM_LOCATION},
    {"url", "string", "uri", 0, NULL},
    {"organization_id", "string", "uuid", 0, NULL},
    {"name", "string", NULL, 0, NULL},
    {"alternate_name", "string", NULL, 0, NULL},
    {"description", "string", NULL, 0, NULL},
    {"transportation", "string", NULL, 0, NULL},
    {"latitude", "number", NULL, 0, NULL},
    {"longitude", "number", NULL, 0, NULL},
    {"external_identifier", "string", NULL, 0, NULL},
    {"external_identifier_type", "string", NULL, 0, NULL},
};
static const struct hsds_field address_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"location_id", "string", "uuid", 0, NULL},
    {"attention", "string", NULL, 0, NULL},
    {"address_1", "string", NULL, F_REQ, NULL},
    {"address_2", "string", NULL, 0, NULL},
    {"city", "string", NULL, F_REQ, NULL},
    {"region", "string", NULL, 0, NULL},
    {"state_province", "string", NULL, F_REQ, NULL},
    {"postal_code", "string", NULL, F_REQ, NULL},
    {"country", "string", NULL, F_REQ, NULL},
    {"address_type", "string", NULL, F_REQ, ENUM_LOCATION},
};
static const struct hsds_field service_at_location_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"service_id", "string", "uuid", F_REQ, NULL},
    {"location_id", "string", "uuid", F_REQ, NULL},
    {"description", "string", NULL, 0, NULL},
};
static const struct hsds_field phone_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"location_id", "string", "uuid", 0, NULL},
    {"service_id", "string", "uuid", 0, NULL},
    {"organization_id", "string", "uuid", 0, NULL},
    {"contact_id", "string", "uuid", 0, NULL},
    {"service_at_location_id", "string", "uuid", 0, NULL},
    {"number", "string", NULL, F_REQ, NULL},
    {"extension", "number", NULL, 0, NULL},
    {"type", "string", NULL, 0, NULL},
    {"description", "string", NULL, 0, NULL},
};
static const struct hsds_field schedule_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"service_id", "string", "uuid", 0, NULL},
    {"location_id", "string", "uuid", 0, NULL},
    {"service_at_location_id", "string", "uuid", 0, NULL},
    {"valid_from", "date", NULL, 0, NULL},
    {"valid_to", "date", NULL, 0, NULL},
    {"dtstart", "date", NULL, 0, NULL},
    {"timezone", "number", NULL, 0, NULL},
    {"until", "date", NULL, 0, NULL},
    {"count", "number", NULL, 0, NULL},
    {"wkst", "string", NULL, 0, "MO|TU|WE|TH|FR|SA|SU"},
    {"freq", "string", NULL, 0, "WEEKLY|MONTHLY"},
    {"interval", "number", NULL, 0, NULL},
    {"byday", "string", NULL, 0, NULL},
    {"byweekno", "string", NULL, 0, NULL},
    {"bymonthday", "string", NULL, 0, NULL},
    {"byyearday", "string", NULL, 0, NULL},
    {"description", "string", NULL, 0, NULL},
    {"opens_at", "time", NULL, 0, NULL},
    {"closes_at", "time", NULL, 0, NULL},
    {"schedule_link", "string", "uri", 0, NULL},
    {"attending_type", "string", NULL, 0, NULL},
    {"notes", "string", NULL, 0, NULL},
};
static const struct hsds_field service_area_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"service_id", "string", "uuid", 0, NULL},
    {"name", "string", NULL, 0, NULL},
    {"description", "string", NULL, 0, NULL},
    {"extent", "string", NULL, 0, NULL},
    {"extent_type", "string", NULL, 0, NULL},
    {"uri", "string", NULL, 0, NULL},
};
static const struct hsds_field language_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"service_id", "string", "uuid", 0, NULL},
    {"location_id", "string", "uuid", 0, NULL},
    {"phone_id", "string", "uuid", 0, NULL},
    {"name", "string", NULL, 0, NULL},
    {"code", "string", NULL, 0, NULL},
    {"note", "string", NULL, 0, NULL},
};
static const struct hsds_field metadata_fields[] = {
    {"id", "string", "uuid", F_REQ | F_UNIQ, NULL},
    {"resource_id", "string", "uuid", F_REQ, NULL},
    {"resource_type", "string", NULL, F_REQ, NULL},
    {"last_action_date", "date", NULL, F_REQ, NULL},
    {"last_action_type", "string", NULL, F_REQ, NULL},
    {"field_name", "string", NULL, F_REQ, NULL},
    {"previous_value", "string", NULL, F_REQ, NULL},
    {"replacement_value", "string", NULL, F_REQ, NULL},
    {"updated_by", "string", NULL, F_REQ, NULL},
};

/* A foreign key of HSDS's descriptor whose table we write; the keys to
 * tables we do not write (contact, program) are left out of our
 * descriptor, and those columns stay empty. */
struct hsds_fk {
    const char *field, *resource;
};

#define N(a) (sizeof(a) / sizeof(a)[0])
#define TABLE(res, path, fields, ...)                                          \
    {                                                                          \
        res, path, fields, N(fields), (const struct hsds_fk[]){__VA_ARGS__},   \
            N(((const struct hsds_fk[]){__VA_ARGS__}))                         \
    }
struct hsds_table_def {
    const char *resource, *path;
    const struct hsds_field *fields;
    size_t nfields;
    const struct hsds_fk *fks;
    size_t nfks;
};
static const struct hsds_table_def TABLES[HSDS_NTABLES] = {
    [HSDS_ORGANIZATION] = TABLE("organization", "organizations.csv",
                                organization_fields, {NULL, NULL}),
    [HSDS_SERVICE] = TABLE("service", "services.csv", service_fields,
                           {"organization_id", "organization"}),
    [HSDS_LOCATION] = TABLE("location", "locations.csv", location_fields,
                            {"organization_id", "organization"}),
    [HSDS_ADDRESS] = TABLE("address", "addresses.csv", address_fields,
                           {"location_id", "location"}),
    [HSDS_SERVICE_AT_LOCATION] =
        TABLE("service_at_location", "service_at_location.csv",
              service_at_location_fields, {"service_id", "service"},
              {"location_id", "location"}),
    [HSDS_PHONE] =
        TABLE("phone", "phones.csv", phone_fields, {"location_id", "location"},
              {"organization_id", "organization"}, {"service_id", "service"},
              {"service_at_location_id", "service_at_location"}),
    [HSDS_SCHEDULE] =
        TABLE("schedule", "schedules.csv", schedule_fields,
              {"location_id", "location"}, {"service_id", "service"},
              {"service_at_location_id", "service_at_location"}),
    [HSDS_SERVICE_AREA] = TABLE("service_area", "service_areas.csv",
                                service_area_fields, {"service_id", "service"}),
    [HSDS_LANGUAGE] = TABLE("language", "languages.csv", language_fields,
                            {"location_id", "location"}, {"phone_id", "phone"},
                            {"service_id", "service"}),
    [HSDS_METADATA] =
        TABLE("metadata", "metadata.csv", metadata_fields, {NULL, NULL}),
};

const char *hsds_table_path(enum hsds_table t)
{
    return TABLES[t].path;
}

/* The category labels, for an organization's required description. */
#define MAX_CATEGORIES 16
struct category {
    char slug[32], label[160];
};

struct export
{
    const struct gazetteer *gaz;
    const char *dir, *shown;
    volatile sig_atomic_t *stop;
    FILE *json, *csv[HSDS_NTABLES];
    long nservices;
    struct hsds_stats *st;
    struct category cats[MAX_CATEGORIES];
    int ncats;
    char *msg;
    size_t msgsz;
};

/* ---- ids and small values ---- */

static void hsds_id(char out[UUID_STR_LEN], const char *kind, int64_t id,
                    const char *part)
{
    char name[256];
    snprintf(name, sizeof name, "%s/%lld%s%s", kind, (long long)id,
             part ? "/" : "", part ? part : "");
    uuid_v5(AMO_NAMESPACE, name, out);
}

/* Set 'key' to 'v' when the listing knows it (not NULL, not empty). */
static void put(json_t *o, const char *key, const char *v)
{
    if (v && *v)
        json_object_set_new(o, key, json_string(v));
}

static void put_id(json_t *o, const char *key, const char *kind, int64_t id,
                   const char *part)
{
    char u[UUID_STR_LEN];
    hsds_id(u, kind, id, part);
    json_object_set_new(o, key, json_string(u));
}

/* An absolute http(s) URL, as JSON Schema's "uri" format requires (RFC
 * 3986: a scheme); anything else is left out rather than sent invalid. */
static bool is_url(const char *s)
{
    return s &&
           (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) &&
           !strpbrk(s, " \t\r\n\"<>");
}

static bool is_email(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    return at && at > s && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
           !strpbrk(s, " \t\r\n\"<>,;");
}

/* YYYY-MM-DD, the only form of a Table Schema "date" (verified_at is
 * stored so; a source_date such as "2020-10" is not one). */
static bool is_day(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

/* The province of a commune from its REFNIS code's first two digits (the
 * arrondissement; Statbel REFNIS 2019, data/gazetteer/be-refnis-2019.csv).
 * The Brussels-Capital Region belongs to no province: its region is given
 * instead, since HSDS requires a state_province. */
static void province_of(const char *nis, const char **province,
                        const char **region)
{
    static const struct {
        int lo, hi;
        const char *province, *region;
    } P[] = {
        {11, 13, "Province d'Anvers", "Région flamande"},
        {21, 21, "Région de Bruxelles-Capitale",
         "Région de Bruxelles-Capitale"},
        {23, 24, "Province du Brabant flamand", "Région flamande"},
        {25, 25, "Province du Brabant wallon", "Région wallonne"},
        {31, 38, "Province de Flandre occidentale", "Région flamande"},
        {41, 46, "Province de Flandre orientale", "Région flamande"},
        {51, 58, "Province du Hainaut", "Région wallonne"},
        {61, 64, "Province de Liège", "Région wallonne"},
        {71, 73, "Province du Limbourg", "Région flamande"},
        {81, 85, "Province du Luxembourg", "Région wallonne"},
        {91, 93, "Province de Namur", "Région wallonne"},
    };
    *province = *region = NULL;
    if (!nis || strlen(nis) != 5 || nis[0] < '0' || nis[0] > '9' ||
        nis[1] < '0' || nis[1] > '9')
        return;
    int arr = (nis[0] - '0') * 10 + (nis[1] - '0');
    for (size_t i = 0; i < N(P); i++)
        if (arr >= P[i].lo && arr <= P[i].hi) {
            *province = P[i].province;
            *region = P[i].region;
        }
}

/* ---- the nested objects of one listing ---- */

static json_t *organization(const struct export *ex, const struct row *r)
{
    json_t *o = json_object();
    put_id(o, "id", "organization", r->id, NULL);
    put(o, "name", r->s[R_NAME]);
    /* HSDS requires a description; a listing without one has its
     * category's label ("Centre de planning familial"), which it does
     * know, never a made-up text. */
    const char *desc = r->s[R_DESCRIPTION];
    for (int i = 0; (!desc || !*desc) && i < ex->ncats; i++)
        if (r->s[R_CATEGORY] && strcmp(ex->cats[i].slug, r->s[R_CATEGORY]) == 0)
            desc = ex->cats[i].label;
    put(o, "description", desc && *desc ? desc : r->s[R_CATEGORY]);
    if (is_email(r->s[R_EMAIL]))
        put(o, "email", r->s[R_EMAIL]);
    if (is_url(r->s[R_WEBSITE]))
        put(o, "website", r->s[R_WEBSITE]);
    return o;
}

/* The street address, only when HSDS's required parts are all known:
 * a listing without a street or a postcode has none (its commune is in
 * the service areas when its source names them). */
static json_t *address(const struct row *r)
{
    const char *province, *region;
    province_of(r->s[R_NIS], &province, &region);
    if (!r->s[R_STREET] || !r->s[R_POSTCODE] || !r->s[R_COMMUNE] || !province)
        return NULL;
    json_t *a = json_object();
    put_id(a, "id", "address", r->id, NULL);
    put_id(a, "location_id", "location", r->id, NULL);
    put(a, "address_1", r->s[R_STREET]);
    put(a, "city", r->s[R_COMMUNE]);
    put(a, "region", region);
    put(a, "state_province", province);
    put(a, "postal_code", r->s[R_POSTCODE]);
    put(a, "country", "BE"); /* ISO 3166-1 alpha-2 */
    put(a, "address_type", "physical");
    return a;
}

static json_t *location(const struct row *r)
{
    json_t *l = json_object();
    put_id(l, "id", "location", r->id, NULL);
    put(l, "location_type", "physical");
    put_id(l, "organization_id", "organization", r->id, NULL);
    put(l, "name", r->s[R_NAME]);
    /* A position at a postcode's or commune's centre (every shipped
     * listing: no source gave coordinates) is not where the service is:
     * HSDS would read it as the door's, so it is left out. */
    if (!isnan(r->lat) && !isnan(r->lon) && !row_approx(r)) {
        json_object_set_new(l, "latitude", json_real(r->lat));
        json_object_set_new(l, "longitude", json_real(r->lon));
    }
    json_t *a = address(r);
    if (a)
        json_object_set_new(l, "addresses", json_pack("[o]", a));
    return l;
}

static json_t *service_at_location(const struct row *r)
{
    json_t *s = json_object();
    put_id(s, "id", "service_at_location", r->id, NULL);
    put_id(s, "service_id", "service", r->id, NULL);
    put_id(s, "location_id", "location", r->id, NULL);
    json_object_set_new(s, "location", location(r));
    return s;
}

static json_t *phones(const struct row *r)
{
    json_t *a = json_array();
    if (r->s[R_PHONE] && *r->s[R_PHONE]) {
        json_t *p = json_object();
        put_id(p, "id", "phone", r->id, NULL);
        put_id(p, "service_id", "service", r->id, NULL);
        put(p, "number", r->s[R_PHONE]); /* as the source wrote it */
        json_array_append_new(a, p);
    }
    return a;
}

/* "09:00:00": Table Schema's time (HH:MM:SS). A span that ends at
 * midnight closes at 00:00:00. */
static void hhmmss(char out[9], int minute)
{
    unsigned m = (unsigned)minute % 1440;
    snprintf(out, 9, "%02u:%02u:00", m / 60, m % 60);
}

static json_t *schedule(const struct row *r, const char *part, const char *note)
{
    json_t *s = json_object();
    put_id(s, "id", "schedule", r->id, part);
    put_id(s, "service_id", "service", r->id, NULL);
    put(s, "notes", note);
    return s;
}

/* One schedule per distinct time span, with the days it applies to
 * (RFC 5545 BYDAY), from the OpenStreetMap opening_hours that
 * lib/hours.c reads. HSDS's timezone is one fixed UTC offset, which
 * Brussels's summer time makes wrong half the year: it is left out, and
 * each schedule's notes say the times are Brussels local time and give
 * the hours as written (public holidays included, which RRULEs cannot
 * say). */
static json_t *schedules(const struct row *r)
{
    static const char *const DAY[7] = {"SU", "MO", "TU", "WE",
                                       "TH", "FR", "SA"};
    json_t *a = json_array();
    const char *oh = r->s[R_OPENING_HOURS];
    if (!oh || !*oh)
        return a;
    char note[600], why[160];
    snprintf(note, sizeof note,
             "Brussels local time (Europe/Brussels). opening_hours "
             "(OpenStreetMap syntax): %s",
             oh);
    struct hours h;
    if (hours_parse(oh, &h, why, sizeof why) < 0) {
        json_t *s = schedule(r, "text", note);
        put(s, "description", oh);
        json_array_append_new(a, s);
        return a;
    }
    if (h.always) {
        json_t *s = schedule(r, "24/7", note);
        put(s, "freq", "WEEKLY");
        put(s, "byday", "MO,TU,WE,TH,FR,SA,SU");
        put(s, "description", "Open 24 hours a day, 7 days a week");
        json_array_append_new(a, s);
        return a;
    }
    /* The distinct spans, Monday first as the week is read in Belgium,
     * each with the days it applies to. */
    struct hours_span seen[7 * HOURS_MAX_SPANS];
    int nseen = 0;
    for (int k = 0; k < 7; k++)
        for (int i = 0; i < h.day[(k + 1) % 7].n; i++) {
            struct hours_span sp = h.day[(k + 1) % 7].span[i];
            bool known = false;
            for (int j = 0; j < nseen; j++)
                known =
                    known || (seen[j].from == sp.from && seen[j].to == sp.to);
            if (!known)
                seen[nseen++] = sp;
        }
    for (int j = 0; j < nseen; j++) {
        char part[32], days[32] = "", t0[9], t1[9];
        for (int k = 0; k < 7; k++) {
            int d = (k + 1) % 7;
            for (int i = 0; i < h.day[d].n; i++)
                if (h.day[d].span[i].from == seen[j].from &&
                    h.day[d].span[i].to == seen[j].to) {
                    strcat(days, *days ? "," : "");
                    strcat(days, DAY[d]);
                }
        }
        snprintf(part, sizeof part, "%04d-%04d", seen[j].from, seen[j].to);
        hhmmss(t0, seen[j].from);
        hhmmss(t1, seen[j].to);
        json_t *s = schedule(r, part, note);
        put(s, "freq", "WEEKLY");
        put(s, "byday", days);
        put(s, "opens_at", t0);
        put(s, "closes_at", t1);
        json_array_append_new(a, s);
    }
    return a;
}

/* The communes of 'territory' (NIS codes), named from the gazetteer. A
 * listing without a territory has no service area: its own commune is
 * where it is, not necessarily whom it serves. */
static json_t *service_areas(const struct export *ex, const struct row *r)
{
    json_t *a = json_array();
    const char *p = r->s[R_TERRITORY];
    while (p && *p) {
        size_t len = strcspn(p, "|");
        char nis[16], desc[64];
        snprintf(nis, sizeof nis, "%.*s", (int)(len < 15 ? len : 15), p);
        p += len + (p[len] == '|');
        if (!*nis)
            continue;
        const struct gaz_commune *c = gaz_commune_by_nis(ex->gaz, nis);
        json_t *s = json_object();
        put_id(s, "id", "service_area", r->id, nis);
        put_id(s, "service_id", "service", r->id, NULL);
        if (c)
            put(s, "name", c->name_fr ? c->name_fr : c->name_nl);
        snprintf(desc, sizeof desc, "Commune, NIS code %s (Statbel REFNIS)",
                 nis);
        put(s, "description", desc);
        json_array_append_new(a, s);
    }
    return a;
}

static json_t *languages(const struct row *r)
{
    static const char *const NAME[][2] = {
        {"fr", "français"}, {"nl", "Nederlands"}, {"de", "Deutsch"},
        {"en", "English"},  {"ar", "العربية"},    {"es", "español"},
        {"it", "italiano"}, {"tr", "Türkçe"},
    };
    json_t *a = json_array();
    const char *p = r->s[R_LANGUAGES];
    while (p && *p) {
        size_t len = strcspn(p, "|");
        char code[16];
        snprintf(code, sizeof code, "%.*s", (int)(len < 15 ? len : 15), p);
        p += len + (p[len] == '|');
        if (!*code)
            continue;
        json_t *l = json_object();
        put_id(l, "id", "language", r->id, code);
        put_id(l, "service_id", "service", r->id, NULL);
        for (size_t i = 0; i < N(NAME); i++)
            if (strcmp(NAME[i][0], code) == 0)
                put(l, "name", NAME[i][1]);
        put(l, "code", code); /* ISO 639-1, as stored */
        json_array_append_new(a, l);
    }
    return a;
}

/* The record's source as HSDS metadata entries: where its facts were
 * read (source_url), the source's own date (source_date) and when staff
 * read it (verified_on), each on the day it was read. HSDS requires a
 * previous value, which a first reading does not have: "(none)". */
static json_t *metadata(const struct row *r)
{
    static const struct {
        const char *field;
        enum row_field f;
    } M[] = {{"source_url", R_SOURCE_URL},
             {"source_date", R_SOURCE_DATE},
             {"verified_on", R_VERIFIED_AT}};
    json_t *a = json_array();
    char day[11] = "", by[200];
    if (is_day(r->s[R_VERIFIED_AT]))
        snprintf(day, sizeof day, "%s", r->s[R_VERIFIED_AT]);
    else if (r->s[R_UPDATED_AT])
        snprintf(day, sizeof day, "%.10s", r->s[R_UPDATED_AT]);
    snprintf(by, sizeof by, "amo-import, from %s",
             r->s[R_SOURCE] ? r->s[R_SOURCE] : "?");
    for (size_t i = 0; i < N(M); i++) {
        const char *v = r->s[M[i].f];
        if (!v || !*v || !is_day(day))
            continue;
        json_t *m = json_object();
        put_id(m, "id", "metadata", r->id, M[i].field);
        put_id(m, "resource_id", "service", r->id, NULL);
        put(m, "resource_type", "service");
        put(m, "last_action_date", day);
        put(m, "last_action_type", "verified");
        put(m, "field_name", M[i].field);
        put(m, "previous_value", "(none)");
        put(m, "replacement_value", v);
        put(m, "updated_by", by);
        json_array_append_new(a, m);
    }
    return a;
}

/* The compiled service object of one listing. */
static json_t *service(const struct export *ex, const struct row *r)
{
    json_t *s = json_object();
    put_id(s, "id", "service", r->id, NULL);
    put_id(s, "organization_id", "organization", r->id, NULL);
    put(s, "name", r->s[R_NAME]);
    put(s, "description", r->s[R_DESCRIPTION]);
    if (is_url(r->s[R_WEBSITE]))
        put(s, "url", r->s[R_WEBSITE]);
    if (is_email(r->s[R_EMAIL]))
        put(s, "email", r->s[R_EMAIL]);
    /* Required. The directory lists the services it found operating and
     * removes the others (amo-import --prune): "active". */
    put(s, "status", "active");
    if (r->age_min != ROW_NO_AGE)
        json_object_set_new(s, "minimum_age", json_integer(r->age_min));
    if (r->age_max != ROW_NO_AGE)
        json_object_set_new(s, "maximum_age", json_integer(r->age_max));
    if (is_day(r->s[R_VERIFIED_AT]))
        put(s, "assured_date", r->s[R_VERIFIED_AT]);
    put(s, "last_modified", r->s[R_UPDATED_AT]); /* RFC 3339, UTC */
    json_object_set_new(s, "organization", organization(ex, r));
    json_object_set_new(s, "service_at_locations",
                        json_pack("[o]", service_at_location(r)));
    json_object_set_new(s, "phones", phones(r));
    json_object_set_new(s, "schedules", schedules(r));
    json_object_set_new(s, "service_areas", service_areas(ex, r));
    json_object_set_new(s, "languages", languages(r));
    json_object_set_new(s, "metadata", metadata(r));
    return s;
}

/* ---- writing ---- */

/* One CSV field (RFC 4180: quoted when it holds a comma, a quote or a
 * line break, quotes doubled). */
static void csv_field(FILE *f, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

/* A row of table 't' from object 'o': its fields in the table's order,
 * absent ones empty. */
static void csv_row(struct export *ex, enum hsds_table t, const json_t *o)
{
    const struct hsds_table_def *d = &TABLES[t];
    for (size_t i = 0; i < d->nfields; i++) {
        const json_t *v = json_object_get(o, d->fields[i].name);
        char num[32] = "";
        const char *cell = "";
        if (json_is_string(v))
            cell = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            snprintf(num, sizeof num, "%.7f", json_real_value(v));
        csv_field(ex->csv[t], *num ? num : cell, i + 1 == d->nfields);
    }
    ex->st->rows[t]++;
}

static void csv_rows(struct export *ex, enum hsds_table t, const json_t *a)
{
    for (size_t i = 0; i < json_array_size(a); i++)
        csv_row(ex, t, json_array_get(a, i));
}

static int write_listing(const struct row *r, void *arg)
{
    struct export *ex = arg;
    json_t *s = service(ex, r);
    if (!s)
        return ERR_NOMEM;
    if (ex->nservices > 0)
        fputs(",\n", ex->json);
    int rc = 0;
    if (json_dumpf(s, ex->json, JSON_COMPACT | JSON_REAL_PRECISION(10)) < 0) {
        snprintf(ex->msg, ex->msgsz, "%s/services.json: %s", ex->shown,
                 strerror(errno));
        rc = ERR_IO;
    }
    ex->nservices++;
    const json_t *sal =
        json_array_get(json_object_get(s, "service_at_locations"), 0);
    const json_t *loc = json_object_get(sal, "location");
    csv_row(ex, HSDS_ORGANIZATION, json_object_get(s, "organization"));
    csv_row(ex, HSDS_SERVICE, s);
    csv_row(ex, HSDS_LOCATION, loc);
    csv_rows(ex, HSDS_ADDRESS, json_object_get(loc, "addresses"));
    csv_row(ex, HSDS_SERVICE_AT_LOCATION, sal);
    csv_rows(ex, HSDS_PHONE, json_object_get(s, "phones"));
    csv_rows(ex, HSDS_SCHEDULE, json_object_get(s, "schedules"));
    csv_rows(ex, HSDS_SERVICE_AREA, json_object_get(s, "service_areas"));
    csv_rows(ex, HSDS_LANGUAGE, json_object_get(s, "languages"));
    csv_rows(ex, HSDS_METADATA, json_object_get(s, "metadata"));
    json_decref(s);
    if (rc == 0 && ex->stop && *ex->stop)
        rc = ERR_INTERRUPTED;
    return rc;
}

/* The descriptor: HSDS's resources for the tables we write, with their
 * fields, constraints and keys (Frictionless Data Package and Table
 * Schema v1). */
static json_t *descriptor(void)
{
    json_t *res = json_array();
    for (int t = 0; t < HSDS_NTABLES; t++) {
        const struct hsds_table_def *d = &TABLES[t];
        json_t *fields = json_array(), *fks = json_array();
        for (size_t i = 0; i < d->nfields; i++) {
            const struct hsds_field *f = &d->fields[i];
            json_t *jf =
                json_pack("{s:s, s:s}", "name", f->name, "type", f->type);
            if (f->format)
                json_object_set_new(jf, "format", json_string(f->format));
            json_t *c = json_object();
            if (f->flags & F_REQ)
                json_object_set_new(c, "required", json_true());
            if (f->flags & F_UNIQ)
                json_object_set_new(c, "unique", json_true());
            if (f->enums) {
                json_t *e = json_array();
                for (const char *p = f->enums; *p;) {
                    size_t len = strcspn(p, "|");
                    json_array_append_new(e, json_stringn(p, len));
                    p += len + (p[len] == '|');
                }
                json_object_set_new(c, "enum", e);
            }
            json_object_set_new(jf, "constraints", c);
            json_array_append_new(fields, jf);
        }
        for (size_t i = 0; i < d->nfks && d->fks[i].field; i++)
            json_array_append_new(
                fks, json_pack("{s:s, s:{s:s, s:s}}", "fields", d->fks[i].field,
                               "reference", "resource", d->fks[i].resource,
                               "fields", "id"));
        json_t *schema =
            json_pack("{s:o, s:s}", "fields", fields, "primaryKey", "id");
        if (json_array_size(fks))
            json_object_set(schema, "foreignKeys", fks);
        json_decref(fks);
        json_array_append_new(
            res,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "name",
                      d->resource, "path", d->path, "profile",
                      "tabular-data-resource", "format", "csv", "mediatype",
                      "text/csv", "encoding", "utf-8", "schema", schema));
    }
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o}", "name", "annuaire-amo-hsds", "title",
        "Annuaire AMO: youth-aid services of the Fédération "
        "Wallonie-Bruxelles",
        "description",
        "The directory as Open Referral HSDS 3.0.0 tables; services.json "
        "holds the same data as compiled service objects. Field mapping: "
        "docs/hsds.md of the directory's repository.",
        "profile", "tabular-data-package", "homepage",
        "https://docs.openreferral.org/en/v3.0/", "resources", res);
}

static int load_categories(sqlite3 *db, struct export *ex)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT slug, label_fr FROM categories", -1, &st,
                           NULL) != SQLITE_OK)
        return ERR_DB;
    while (ex->ncats < MAX_CATEGORIES && sqlite3_step(st) == SQLITE_ROW) {
        struct category *c = &ex->cats[ex->ncats++];
        snprintf(c->slug, sizeof c->slug, "%s", sqlite3_column_text(st, 0));
        snprintf(c->label, sizeof c->label, "%s", sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return 0;
}

/* Open 'name' in the directory, or say which file could not be. */
static FILE *create(struct export *ex, const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", ex->dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(ex->msg, ex->msgsz, "%s/%s: cannot create", ex->shown, name);
    return f;
}

/* Flush, sync and close 'f'; an error names the file. */
static int finish(struct export *ex, FILE *f, const char *name, int rc)
{
    if (!f)
        return rc;
    bool bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0)
        bad = true;
    if (bad && rc == 0) {
        snprintf(ex->msg, ex->msgsz, "%s/%s: %s", ex->shown, name,
                 errno ? strerror(errno) : err_str(ERR_IO));
        rc = ERR_IO;
    }
    return rc;
}

static int write_all(sqlite3 *db, struct export *ex)
{
    int rc = load_categories(db, ex);
    for (int t = 0; rc == 0 && t < HSDS_NTABLES; t++) {
        if (!(ex->csv[t] = create(ex, TABLES[t].path)))
            return ERR_IO;
        for (size_t i = 0; i < TABLES[t].nfields; i++)
            csv_field(ex->csv[t], TABLES[t].fields[i].name,
                      i + 1 == TABLES[t].nfields);
    }
    if (rc < 0)
        return rc;
    if (!(ex->json = create(ex, "services.json")))
        return ERR_IO;
    fputs("[\n", ex->json);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, ROWS_SQL, -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    rc = rows_each(st, NULL, NULL, write_listing, ex);
    sqlite3_finalize(st);
    fputs(ex->nservices ? "\n]\n" : "]\n", ex->json);
    if (rc < 0)
        return rc;
    FILE *f = create(ex, "datapackage.json");
    if (!f)
        return ERR_IO;
    json_t *d = descriptor();
    if (!d || json_dumpf(d, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF)
        rc = d ? ERR_IO : ERR_NOMEM;
    json_decref(d);
    return finish(ex, f, "datapackage.json", rc);
}

int hsds_export(sqlite3 *db, const struct gazetteer *gaz, const char *dir,
                const char *shown, volatile sig_atomic_t *stop,
                struct hsds_stats *st, char *msg, size_t msgsz)
{
    struct export ex = {.gaz = gaz,
                        .dir = dir,
                        .shown = shown,
                        .stop = stop,
                        .st = st,
                        .msg = msg,
                        .msgsz = msgsz};
    memset(st, 0, sizeof *st);
    *msg = '\0';
    /* One snapshot for every file. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    int rc = write_all(db, &ex);
    if (rc == ERR_DB)
        snprintf(msg, msgsz, "%s", sqlite3_errmsg(db));
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    rc = finish(&ex, ex.json, "services.json", rc);
    for (int t = 0; t < HSDS_NTABLES; t++)
        rc = finish(&ex, ex.csv[t], TABLES[t].path, rc);
    if (rc < 0 && !*msg)
        snprintf(msg, msgsz, "%s: %s", shown, err_str(rc));
    return rc;
}
