/* fields.c - record to listing: column matching and validation (see
 * fields.h). Every rule here produces a "field: reason" line that the
 * importer prints after "INPUT:LINE: ". */
#include "fields.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crs.h"
#include "err.h"
#include "geo.h"
#include "geocode.h"
#include "hours.h"
#include "srcdate.h"
#include "text.h"

#define MAX_NAME_LEN 200
#define MAX_DESCRIPTION_LEN 4000
#define MAX_TEXT_LEN 1000 /* every other field */
#define MAX_AGE 120
#define LIST_ITEM_MAX 80 /* one theme, language or territory item */

/* Where a column's value goes. */
enum target {
    T_IGNORE = -1,
    /* 0 .. F_NSTR-1: the listing's text fields */
    T_HOUSENUMBER = F_NSTR,
    T_AGE_MIN,
    T_AGE_MAX,
    T_AGES,
    T_LAT,
    T_LON,
    T_X,
    T_Y,
    T_GEOPOINT
};

struct alias {
    const char *folded; /* text_fold() of a column name */
    int target;
};

/* Column names as Belgian administrations and our own files write them
 * (French, Dutch, English), already folded. */
static const struct alias aliases[] = {
    {"id", F_SOURCE_ID},
    {"sourceid", F_SOURCE_ID},
    {"identifiant", F_SOURCE_ID},
    {"identifier", F_SOURCE_ID},
    {"recordid", F_SOURCE_ID},
    {"ref", F_SOURCE_ID},
    {"reference", F_SOURCE_ID},
    {"uid", F_SOURCE_ID},
    {"objectid", F_SOURCE_ID},
    {"fid", F_SOURCE_ID},
    {"category", F_CATEGORY},
    {"categorie", F_CATEGORY},
    {"categories", F_CATEGORY},
    {"type", F_CATEGORY},
    {"typedeservice", F_CATEGORY},
    {"soort", F_CATEGORY},
    {"categorie", F_CATEGORY},
    {"secteur", F_CATEGORY},
    {"name", F_NAME},
    {"nom", F_NAME},
    {"naam", F_NAME},
    {"denomination", F_NAME},
    {"benaming", F_NAME},
    {"nomduservice", F_NAME},
    {"intitule", F_NAME},
    {"libelle", F_NAME},
    {"title", F_NAME},
    {"titre", F_NAME},
    {"nomservice", F_NAME},
    {"description", F_DESCRIPTION},
    {"beschrijving", F_DESCRIPTION},
    {"omschrijving", F_DESCRIPTION},
    {"missions", F_DESCRIPTION},
    {"mission", F_DESCRIPTION},
    {"street", F_STREET},
    {"rue", F_STREET},
    {"straat", F_STREET},
    {"adresse", F_STREET},
    {"address", F_STREET},
    {"adres", F_STREET},
    {"streetaddress", F_STREET},
    {"voie", F_STREET},
    {"numero", T_HOUSENUMBER},
    {"num", T_HOUSENUMBER},
    {"no", T_HOUSENUMBER},
    {"nr", T_HOUSENUMBER},
    {"huisnummer", T_HOUSENUMBER},
    {"housenumber", T_HOUSENUMBER},
    {"postcode", F_POSTCODE},
    {"codepostal", F_POSTCODE},
    {"cp", F_POSTCODE},
    {"zip", F_POSTCODE},
    {"zipcode", F_POSTCODE},
    {"postalcode", F_POSTCODE},
    {"postnummer", F_POSTCODE},
    {"commune", F_COMMUNE},
    {"localite", F_COMMUNE},
    {"locality", F_COMMUNE},
    {"gemeente", F_COMMUNE},
    {"city", F_COMMUNE},
    {"ville", F_COMMUNE},
    {"municipality", F_COMMUNE},
    {"town", F_COMMUNE},
    {"plaats", F_COMMUNE},
    {"entite", F_COMMUNE},
    {"nis", F_NIS},
    {"ins", F_NIS},
    {"codenis", F_NIS},
    {"codeins", F_NIS},
    {"niscode", F_NIS},
    {"refnis", F_NIS},
    {"nisgemeente", F_NIS},
    {"phone", F_PHONE},
    {"telephone", F_PHONE},
    {"tel", F_PHONE},
    {"telefoon", F_PHONE},
    {"telefoonnummer", F_PHONE},
    {"numerodetelephone", F_PHONE},
    {"gsm", F_PHONE},
    {"email", F_EMAIL},
    {"mail", F_EMAIL},
    {"courriel", F_EMAIL},
    {"adressemail", F_EMAIL},
    {"adresseemail", F_EMAIL},
    {"emailaddress", F_EMAIL},
    {"emailadres", F_EMAIL},
    {"website", F_WEBSITE},
    {"site", F_WEBSITE},
    {"siteweb", F_WEBSITE},
    {"siteinternet", F_WEBSITE},
    {"web", F_WEBSITE},
    {"url", F_WEBSITE},
    {"internet", F_WEBSITE},
    {"www", F_WEBSITE},
    {"webstek", F_WEBSITE},
    {"agemin", T_AGE_MIN},
    {"minage", T_AGE_MIN},
    {"agemini", T_AGE_MIN},
    {"minimumage", T_AGE_MIN},
    {"agemax", T_AGE_MAX},
    {"maxage", T_AGE_MAX},
    {"maximumage", T_AGE_MAX},
    {"ages", T_AGES},
    {"age", T_AGES},
    {"agerange", T_AGES},
    {"leeftijd", T_AGES},
    {"languages", F_LANGUAGES},
    {"langues", F_LANGUAGES},
    {"langue", F_LANGUAGES},
    {"talen", F_LANGUAGES},
    {"language", F_LANGUAGES},
    {"openinghours", F_OPENING_HOURS},
    {"horaires", F_OPENING_HOURS},
    {"horaire", F_OPENING_HOURS},
    {"heuresdouverture", F_OPENING_HOURS},
    {"openingsuren", F_OPENING_HOURS},
    {"hours", F_OPENING_HOURS},
    {"themes", F_THEMES},
    {"thematiques", F_THEMES},
    {"tags", F_THEMES},
    {"themas", F_THEMES},
    {"keywords", F_THEMES},
    {"territory", F_TERRITORY},
    {"territoire", F_TERRITORY},
    {"zonedaction", F_TERRITORY},
    {"communescouvertes", F_TERRITORY},
    {"servicearea", F_TERRITORY},
    {"werkgebied", F_TERRITORY},
    {"sourceurl", F_SOURCE_URL},
    {"bron", F_SOURCE_URL},
    {"sourcelink", F_SOURCE_URL},
    {"verifiedon", F_VERIFIED_AT},
    {"verifiedat", F_VERIFIED_AT},
    {"lastverified", F_VERIFIED_AT},
    {"assureddate", F_VERIFIED_AT},
    {"dateverification", F_VERIFIED_AT},
    {"sourcedate", F_SOURCE_DATE},
    {"datesource", F_SOURCE_DATE},
    {"datedelasource", F_SOURCE_DATE},
    {"brondatum", F_SOURCE_DATE},
    {"datumbron", F_SOURCE_DATE},
    {"lat", T_LAT},
    {"latitude", T_LAT},
    {"breedtegraad", T_LAT},
    {"lon", T_LON},
    {"lng", T_LON},
    {"long", T_LON},
    {"longitude", T_LON},
    {"lengtegraad", T_LON},
    {"x", T_X},
    {"coordx", T_X},
    {"lambertx", T_X},
    {"y", T_Y},
    {"coordy", T_Y},
    {"lamberty", T_Y},
    {"geopoint2d", T_GEOPOINT},
    {"geopoint", T_GEOPOINT},
    {"coordonnees", T_GEOPOINT},
    {"coordinates", T_GEOPOINT},
};

/* Other names of the shipped categories, folded. */
static const struct alias category_aliases[] = {
    {"serviceamo", 0},
    {"aideenmilieuouvert", 0},
    {"actionenmilieuouvert", 0},
    {"actionsenmilieuouvert", 0},
    {"servicedactionenmilieuouvert", 0},
    {"amo247", 0},
    {"ocmw", 1},
    {"centrepublicdactionsociale", 1},
    {"planningfamilial", 2},
    {"centredeplanningfamilial", 2},
    {"centredeplanning", 2},
    {"centrumvoorgezinsplanning", 2},
    {"servicedroitdesjeunes", 3},
    {"droitdesjeunes", 3},
};
static const char *const category_alias_slug[] = {"amo", "cpas", "planning",
                                                  "sdj"};

#define MAPPER_CACHE 64

struct field_mapper {
    char *key[MAPPER_CACHE]; /* column names of the previous record */
    int target[MAPPER_CACHE];
    char unused[256];
};

struct field_mapper *fields_mapper_new(void)
{
    return calloc(1, sizeof(struct field_mapper));
}

void fields_mapper_free(struct field_mapper *m)
{
    if (!m)
        return;
    for (int i = 0; i < MAPPER_CACHE; i++)
        free(m->key[i]);
    free(m);
}

void fields_unused(const struct field_mapper *m, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s", m->unused);
}

static int match_column(const char *key)
{
    char folded[64];
    text_fold(key, folded, sizeof folded);
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(aliases[i].folded, folded) == 0)
            return aliases[i].target;
    return T_IGNORE;
}

/* Column i's target, cached while the columns stay the same (every CSV
 * row, most JSON records). */
static int mapper_target(struct field_mapper *m, size_t i, const char *key)
{
    if (i >= MAPPER_CACHE)
        return match_column(key);
    if (m->key[i] && strcmp(m->key[i], key) == 0)
        return m->target[i];
    free(m->key[i]);
    m->key[i] = strdup(key);
    m->target[i] = match_column(key);
    if (m->target[i] == T_IGNORE && m->key[i] &&
        strlen(m->unused) + strlen(key) + 3 < sizeof m->unused &&
        !strstr(m->unused, key)) {
        if (m->unused[0])
            strcat(m->unused, ", ");
        strcat(m->unused, key);
    }
    return m->target[i];
}

int fields_load_categories(sqlite3 *db, struct categories *cats)
{
    sqlite3_stmt *st = NULL;
    memset(cats, 0, sizeof *cats);
    if (sqlite3_prepare_v2(db,
                           "SELECT slug, label_fr, coalesce(label_nl,''),"
                           " coalesce(label_en,'') FROM categories",
                           -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    while (sqlite3_step(st) == SQLITE_ROW && cats->n < 32) {
        size_t i = cats->n++;
        snprintf(cats->slug[i], sizeof cats->slug[i], "%s",
                 (const char *)sqlite3_column_text(st, 0));
        for (int k = 0; k < 3; k++)
            text_fold((const char *)sqlite3_column_text(st, k + 1),
                      cats->key[i][k], sizeof cats->key[i][k]);
    }
    sqlite3_finalize(st);
    return 0;
}

const char *fields_category(const struct categories *cats, const char *text)
{
    char key[64];
    if (text_fold(text, key, sizeof key) == 0)
        return NULL;
    for (size_t i = 0; i < cats->n; i++) {
        char slug[32];
        text_fold(cats->slug[i], slug, sizeof slug);
        if (strcmp(slug, key) == 0)
            return cats->slug[i];
        for (int k = 0; k < 3; k++)
            if (strcmp(cats->key[i][k], key) == 0)
                return cats->slug[i];
    }
    for (size_t a = 0; a < sizeof category_aliases / sizeof *category_aliases;
         a++)
        if (strcmp(category_aliases[a].folded, key) == 0) {
            const char *slug = category_alias_slug[category_aliases[a].target];
            for (size_t i = 0; i < cats->n; i++)
                if (strcmp(cats->slug[i], slug) == 0)
                    return cats->slug[i];
        }
    return NULL;
}

/* ---- problems -------------------------------------------------------- */

static void problem(struct problems *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct problems *p, const char *field, const char *fmt, ...)
{
    if (p->n == PROBLEMS_MAX) {
        p->dropped++;
        return;
    }
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(p->msg[p->n++], sizeof p->msg[0], "%s: %s", field, why);
}

/* Quote a value for a message: at most 60 bytes, cut on a UTF-8 boundary. */
static const char *shown(const char *v, char *out, size_t outsz)
{
    size_t n = strlen(v);
    size_t max = outsz - 4 < 60 ? outsz - 4 : 60;
    if (n <= max) {
        snprintf(out, outsz, "%s", v);
        return out;
    }
    while (max > 0 && ((unsigned char)v[max] & 0xC0) == 0x80)
        max--;
    snprintf(out, outsz, "%.*s...", (int)max, v);
    return out;
}

/* ---- value checks ---------------------------------------------------- */

/* Belgian numbers: 0 + 8 digits (landlines, 0800), 04xx + 6 (mobiles),
 * also written +32 / 0032 without the 0; or a 3-4 digit short number
 * starting with 1 (Ecoute-Enfants 103). Separators ' ./-()' allowed. */
static bool phone_valid(const char *s)
{
    char d[32];
    size_t n = 0;
    bool plus = false;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n + 1 >= sizeof d)
                return false;
            d[n++] = *p;
        } else if (*p == '+' && n == 0 && !plus) {
            plus = true;
        } else if (!strchr(" ./-()", *p)) {
            return false;
        }
    }
    d[n] = '\0';
    if (n < 3)
        return false;
    const char *nat = d;
    if (plus || (n > 4 && memcmp(d, "0032", 4) == 0)) {
        nat = d + (plus ? 0 : 2);
        if (nat[0] != '3' || nat[1] != '2')
            return false;
        nat += 2;
        if (*nat == '0') /* "+32 (0)2 ..." */
            nat++;
        n = strlen(nat);
        return (n == 8 || n == 9) && nat[0] != '0';
    }
    if (d[0] == '1' && !plus)
        return n == 3 || n == 4;
    return d[0] == '0' && d[1] != '0' && (n == 9 || n == 10);
}

static bool email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || strchr("<>(),;:\"[]\\", *p))
            return false;
    return true;
}

/* http(s)://host.tld[/...] with no spaces. */
static bool url_valid(const char *s)
{
    const char *host;
    if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return false;
    size_t hl = strcspn(host, "/?#");
    if (hl < 3 || !memchr(host, '.', hl))
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>')
            return false;
    return true;
}

static bool date_valid(const char *s)
{
    int y, m, d;
    char extra;
    return strlen(s) == 10 &&
           sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && y >= 1990 &&
           y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static bool parse_number(const char *s, double *out)
{
    char tmp[64], *end;
    snprintf(tmp, sizeof tmp, "%s", s);
    for (char *p = tmp; *p; p++) /* decimal comma, as in Belgian exports */
        if (*p == ',')
            *p = '.';
    errno = 0;
    *out = strtod(tmp, &end);
    while (*end == ' ')
        end++;
    return end != tmp && *end == '\0' && errno == 0 && isfinite(*out);
}

static bool parse_age(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    while (*end == ' ')
        end++;
    if (end == s || (*end && strcmp(end, "ans") != 0 && strcmp(end, "jaar")))
        return false;
    *out = (int)(v < -1 ? -1 : v > 1000 ? 1000 : v);
    return true;
}

/* "0-22", "12 à 18 ans", "0 - 21": two integers. */
static bool parse_age_range(const char *s, int *lo, int *hi)
{
    const char *p = s;
    char *end;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    long a = strtol(p, &end, 10);
    if (end == p)
        return false;
    p = end;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    long b = strtol(p, &end, 10);
    if (end == p)
        return false;
    *lo = (int)(a > 1000 ? 1000 : a);
    *hi = (int)(b > 1000 ? 1000 : b);
    return true;
}

/* Split 'in' on | , ; and white space into a normalised '|'-joined list,
 * each item passed through 'item' (which writes its normal form, at most
 * LIST_ITEM_MAX bytes, and returns false for an invalid one, named in
 * 'bad' then). */
static bool normalise_list(const char *in, char *out, size_t outsz,
                           bool (*item)(const char *tok, char *norm, void *arg),
                           void *arg, char *bad, size_t badsz, bool split_space)
{
    char tmp[MAX_TEXT_LEN + 1];
    size_t n = 0;
    snprintf(tmp, sizeof tmp, "%s", in);
    out[0] = '\0';
    const char *seps = split_space ? "|,; \t" : "|,;";
    for (char *save = NULL, *tok = strtok_r(tmp, seps, &save); tok;
         tok = strtok_r(NULL, seps, &save)) {
        text_trim(tok);
        if (!*tok)
            continue;
        char norm[LIST_ITEM_MAX + 1];
        if (strlen(tok) > LIST_ITEM_MAX || !item(tok, norm, arg)) {
            snprintf(bad, badsz, "%.60s", tok);
            return false;
        }
        tok = norm;
        /* Skip duplicates: a territory lists each commune once. */
        char needle[MAX_TEXT_LEN + 3];
        snprintf(needle, sizeof needle, "|%s|", tok);
        char hay[MAX_TEXT_LEN + 3];
        snprintf(hay, sizeof hay, "|%s|", out);
        if (strstr(hay, needle))
            continue;
        int w = snprintf(out + n, outsz - n, "%s%s", n ? "|" : "", tok);
        if (w < 0 || (size_t)w >= outsz - n)
            return false;
        n += (size_t)w;
    }
    return true;
}

static bool tag_item(const char *tok, char *norm, void *arg)
{
    (void)arg;
    size_t i = 0;
    for (; tok[i]; i++) {
        char c = (char)tolower((unsigned char)tok[i]);
        if (!islower((unsigned char)c) && !isdigit((unsigned char)c) &&
            c != '-' && c != '/')
            return false;
        norm[i] = c;
    }
    norm[i] = '\0';
    return i <= 40;
}

static bool language_item(const char *tok, char *norm, void *arg)
{
    (void)arg;
    if (strlen(tok) != 2 || !isalpha((unsigned char)tok[0]) ||
        !isalpha((unsigned char)tok[1]))
        return false;
    norm[0] = (char)tolower((unsigned char)tok[0]);
    norm[1] = (char)tolower((unsigned char)tok[1]);
    norm[2] = '\0';
    return true;
}

/* A territory item is a NIS code, or a municipality name turned into one. */
static bool territory_item(const char *tok, char *norm, void *arg)
{
    const struct gazetteer *gaz = arg;
    const struct gaz_commune *c = text_digits(tok, 5)
                                      ? gaz_commune_by_nis(gaz, tok)
                                      : gaz_commune_by_name(gaz, tok);
    if (!c)
        return false;
    snprintf(norm, LIST_ITEM_MAX + 1, "%s", c->nis);
    return true;
}

/* ---- conversion ------------------------------------------------------ */

struct raw_pos {
    const char *lat, *lon, *x, *y, *geopoint;
};

static int set_str(struct listing *l, enum listing_field f, const char *v)
{
    return listing_set(l, f, v, strlen(v));
}

static void check_length(struct listing *l, struct problems *p)
{
    for (int f = 0; f < F_NSTR; f++) {
        const char *v = l->str[f];
        size_t max = f == F_NAME          ? MAX_NAME_LEN
                     : f == F_DESCRIPTION ? MAX_DESCRIPTION_LEN
                                          : MAX_TEXT_LEN;
        if (v && strlen(v) > max)
            problem(p, listing_field_name((enum listing_field)f),
                    "longer than %zu bytes", max);
    }
}

/* The source's own date: a day, month, year or range (srcdate.h), never
 * after the day we read it, nor in the future. */
static void check_source_date(struct listing *l, struct problems *p)
{
    char s[80];
    struct srcdate d;
    const char *v = l->str[F_SOURCE_DATE];
    if (!v)
        return;
    if (!srcdate_parse(v, &d)) {
        problem(p, "source_date",
                "\"%s\" is not a date: YYYY, YYYY-MM, YYYY-MM-DD or a range "
                "such as 2008/2017",
                shown(v, s, sizeof s));
        return;
    }
    long read = srcdate_day(l->str[F_VERIFIED_AT]);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    long today =
        (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if (read && d.first > read)
        problem(p, "source_date", "\"%s\" is later than verified_on %s",
                shown(v, s, sizeof s), l->str[F_VERIFIED_AT]);
    else if (d.first > today + 1) /* +1: a source dated in another zone */
        problem(p, "source_date", "\"%s\" is in the future",
                shown(v, s, sizeof s));
}

static void check_contact(struct listing *l, struct problems *p)
{
    char s[80];
    const char *v;
    if ((v = l->str[F_POSTCODE]) && !text_digits(v, 4))
        problem(p, "postcode", "\"%s\" is not a Belgian postcode (4 digits)",
                shown(v, s, sizeof s));
    if ((v = l->str[F_PHONE]) && !phone_valid(v))
        problem(p, "phone", "\"%s\" is not a Belgian phone number",
                shown(v, s, sizeof s));
    if ((v = l->str[F_EMAIL]) && !email_valid(v))
        problem(p, "email", "\"%s\" is not an e-mail address",
                shown(v, s, sizeof s));
    if ((v = l->str[F_WEBSITE])) {
        if (strncmp(v, "www.", 4) == 0) {
            /* Sites are often written without the scheme; every server
             * still answers http and redirects as it wishes. */
            char fixed[MAX_TEXT_LEN + 8];
            snprintf(fixed, sizeof fixed, "http://%s", v);
            set_str(l, F_WEBSITE, fixed);
            v = l->str[F_WEBSITE];
        }
        if (!url_valid(v))
            problem(p, "website", "\"%s\" is not an http(s) URL",
                    shown(v, s, sizeof s));
    }
    if ((v = l->str[F_SOURCE_URL]) && !url_valid(v) &&
        strncmp(v, "file://", 7) != 0)
        problem(p, "source_url", "\"%s\" is not an http(s) URL",
                shown(v, s, sizeof s));
    if ((v = l->str[F_VERIFIED_AT]) && !date_valid(v))
        problem(p, "verified_at", "\"%s\" is not a date (YYYY-MM-DD)",
                shown(v, s, sizeof s));
    check_source_date(l, p);
    if ((v = l->str[F_OPENING_HOURS])) {
        struct hours h;
        char why[200];
        if (hours_parse(v, &h, why, sizeof why) < 0)
            problem(p, "opening_hours",
                    "%s (the subset the page reads: "
                    "\"Mo-Fr 09:00-12:00,13:00-16:00; Sa 10:00-12:00; PH off\" "
                    "or \"24/7\")",
                    why);
    }
}

static void check_lists(struct fields_ctx *ctx, struct listing *l,
                        struct problems *p)
{
    char out[MAX_TEXT_LEN + 1], bad[80];
    const char *v;
    if ((v = l->str[F_THEMES])) {
        if (normalise_list(v, out, sizeof out, tag_item, NULL, bad, sizeof bad,
                           false))
            set_str(l, F_THEMES, out);
        else
            problem(p, "themes",
                    "\"%s\" is not a tag (letters, digits and '-')", bad);
    }
    if ((v = l->str[F_LANGUAGES])) {
        if (normalise_list(v, out, sizeof out, language_item, NULL, bad,
                           sizeof bad, true))
            set_str(l, F_LANGUAGES, out);
        else
            problem(p, "languages",
                    "\"%s\" is not a two-letter language code (fr, nl, en)",
                    bad);
    }
    if ((v = l->str[F_TERRITORY])) {
        if (normalise_list(v, out, sizeof out, territory_item, (void *)ctx->gaz,
                           bad, sizeof bad, false))
            set_str(l, F_TERRITORY, out);
        else
            problem(p, "territory",
                    "\"%s\" is neither a NIS code nor a municipality name",
                    bad);
    }
    if ((v = l->str[F_NIS]) && !gaz_commune_by_nis(ctx->gaz, v))
        problem(p, "nis", "\"%s\" is not the NIS code of a municipality",
                shown(v, bad, sizeof bad));
}

static void check_ages(struct listing *l, struct problems *p)
{
    if (l->age_min != AGE_UNKNOWN && (l->age_min < 0 || l->age_min > MAX_AGE))
        problem(p, "age_min", "%d is out of range (0 to %d)", l->age_min,
                MAX_AGE);
    else if (l->age_max != AGE_UNKNOWN &&
             (l->age_max < 0 || l->age_max > MAX_AGE))
        problem(p, "age_max", "%d is out of range (0 to %d)", l->age_max,
                MAX_AGE);
    else if (l->age_min != AGE_UNKNOWN && l->age_max != AGE_UNKNOWN &&
             l->age_min > l->age_max)
        problem(p, "age_max", "%d is below age_min %d", l->age_max, l->age_min);
}

/* Read the coordinates the record carries, if any, into l (WGS84). */
static void read_position(struct fields_ctx *ctx, const struct record *rec,
                          const struct raw_pos *raw, struct listing *l,
                          struct problems *p)
{
    double a, b;
    int epsg = 0;
    const char *field = "position";
    if (raw->lat || raw->lon) {
        field = raw->lat ? "lat" : "lon";
        if (!raw->lat || !raw->lon) {
            problem(p, field, "latitude and longitude come together");
            return;
        }
        if (!parse_number(raw->lat, &b) || !parse_number(raw->lon, &a)) {
            problem(p, parse_number(raw->lat, &b) ? "lon" : "lat",
                    "not a number");
            return;
        }
        if (b < -90 || b > 90 || a < -180 || a > 180) {
            problem(p, b < -90 || b > 90 ? "lat" : "lon",
                    "%g is out of range for degrees",
                    b < -90 || b > 90 ? b : a);
            return;
        }
        epsg = CRS_WGS84;
    } else if (raw->x || raw->y) {
        field = raw->x ? "x" : "y";
        if (!raw->x || !raw->y || !parse_number(raw->x, &a) ||
            !parse_number(raw->y, &b)) {
            problem(p, field, "x and y must both be numbers");
            return;
        }
    } else if (raw->geopoint) {
        /* Opendatasoft CSV exports write geo_point_2d as "lat, lon". */
        field = "geo_point_2d";
        char tmp[128];
        snprintf(tmp, sizeof tmp, "%s", raw->geopoint);
        char *comma = strchr(tmp, ',');
        if (!comma || !(*comma = '\0', parse_number(tmp, &b)) ||
            !parse_number(comma + 1, &a)) {
            problem(p, field, "expected \"latitude, longitude\"");
            return;
        }
        epsg = CRS_WGS84;
    } else if (rec->has_point) {
        field = "geometry";
        a = rec->x;
        b = rec->y;
        epsg = rec->point_crs;
    } else {
        return;
    }
    if (!epsg)
        epsg = ctx->epsg;
    if (!epsg) {
        epsg = crs_guess(a, b);
        if (epsg && epsg != CRS_WGS84 && !ctx->warned_crs) {
            fprintf(stderr,
                    "note: coordinates read as EPSG:%d from their range "
                    "(give --crs to say so)\n",
                    epsg);
            ctx->warned_crs = true;
        }
    }
    if (!epsg) {
        problem(p, field, "%g, %g is in no coordinate system we know", a, b);
        return;
    }
    double lat, lon;
    if (crs_to_wgs84(ctx->crs, epsg, a, b, &lat, &lon) < 0) {
        problem(p, field, "cannot convert %g, %g from EPSG:%d", a, b, epsg);
        return;
    }
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
        problem(p, field, "%g, %g is out of range", lat, lon);
        return;
    }
    l->lat = lat;
    l->lon = lon;
    l->pos = epsg == CRS_WGS84 ? POS_SOURCE : POS_CONVERTED;
}

/* Check that the position is in Belgium and attach the municipality. */
static void attach_commune(struct fields_ctx *ctx, struct listing *l,
                           struct problems *p)
{
    const struct gaz_commune *c = NULL;
    if (geo_in_belgium_box(l->lat, l->lon))
        c = gaz_commune_at(ctx->gaz, l->lat, l->lon);
    if (!c && (!geo_in_belgium_box(l->lat, l->lon) ||
               gaz_border_distance_m(ctx->gaz, l->lat, l->lon) >
                   GEO_BORDER_MARGIN_M)) {
        problem(p, "position",
                "%.5f, %.5f is outside Belgium (lat, lon in WGS84)", l->lat,
                l->lon);
        return;
    }
    if (c && !l->str[F_NIS])
        set_str(l, F_NIS, c->nis);
    if (c && !l->str[F_COMMUNE])
        set_str(l, F_COMMUNE, c->name_fr);
}

static void derive_source_id(struct fields_ctx *ctx, const struct record *rec,
                             struct listing *l)
{
    (void)ctx;
    if (l->str[F_SOURCE_ID])
        return;
    if (rec->id) {
        set_str(l, F_SOURCE_ID, rec->id);
        return;
    }
    /* No id column: the natural key. A renamed service becomes a new
     * listing (and --prune removes the old one). */
    char name[MAX_NAME_LEN + 1], key[MAX_NAME_LEN + 64];
    text_fold(l->str[F_NAME] ? l->str[F_NAME] : "", name, sizeof name);
    snprintf(key, sizeof key, "%s:%s:%s",
             l->str[F_CATEGORY] ? l->str[F_CATEGORY] : "", name,
             l->str[F_POSTCODE] ? l->str[F_POSTCODE] : "");
    set_str(l, F_SOURCE_ID, key);
}

static void read_columns(struct fields_ctx *ctx, struct field_mapper *m,
                         const struct record *rec, struct listing *l,
                         struct raw_pos *raw, struct problems *p)
{
    const char *house = NULL, *ages = NULL, *age_min = NULL, *age_max = NULL;
    char s[80];
    (void)ctx;
    for (size_t i = 0; i < rec->n; i++) {
        char *v = rec->f[i].value;
        int t = mapper_target(m, i, rec->f[i].key);
        if (t == T_IGNORE)
            continue;
        if (!text_utf8_valid(v, strlen(v))) {
            problem(p, rec->f[i].key, "invalid UTF-8%s",
                    text_looks_latin1(v, strlen(v))
                        ? " (the file looks like Latin-1/Windows-1252: "
                          "convert it with iconv -f WINDOWS-1252 -t UTF-8)"
                        : "");
            continue;
        }
        text_trim(v);
        if (!*v)
            continue;
        switch (t) {
        case T_HOUSENUMBER: house = v; break;
        case T_AGE_MIN: age_min = v; break;
        case T_AGE_MAX: age_max = v; break;
        case T_AGES: ages = v; break;
        case T_LAT: raw->lat = v; break;
        case T_LON: raw->lon = v; break;
        case T_X: raw->x = v; break;
        case T_Y: raw->y = v; break;
        case T_GEOPOINT: raw->geopoint = v; break;
        default:
            if (!l->str[t])
                set_str(l, (enum listing_field)t, v);
        }
    }
    if (house && l->str[F_STREET]) {
        char street[MAX_TEXT_LEN * 2 + 2];
        snprintf(street, sizeof street, "%s %s", l->str[F_STREET], house);
        set_str(l, F_STREET, street);
    }
    if (ages && !parse_age_range(ages, &l->age_min, &l->age_max))
        problem(p, "ages", "\"%s\" is not a range such as 0-18",
                shown(ages, s, sizeof s));
    if (age_min && !parse_age(age_min, &l->age_min))
        problem(p, "age_min", "\"%s\" is not a whole number",
                shown(age_min, s, sizeof s));
    if (age_max && !parse_age(age_max, &l->age_max))
        problem(p, "age_max", "\"%s\" is not a whole number",
                shown(age_max, s, sizeof s));
}

bool fields_convert(struct fields_ctx *ctx, struct field_mapper *m,
                    const struct record *rec, struct listing *l,
                    struct problems *p)
{
    struct raw_pos raw = {0};
    char s[80];
    p->n = p->dropped = 0;
    if (rec->error)
        problem(p, rec->error_field ? rec->error_field : "record", "%s",
                rec->error);
    read_columns(ctx, m, rec, l, &raw, p);
    if (!l->str[F_NAME])
        problem(p, "name", "missing");
    const char *cat =
        l->str[F_CATEGORY] ? l->str[F_CATEGORY] : ctx->default_category;
    const char *slug = cat ? fields_category(ctx->cats, cat) : NULL;
    if (!cat)
        problem(p, "category", "missing (add a column or give --category)");
    else if (!slug)
        problem(p, "category", "unknown category \"%s\"",
                shown(cat, s, sizeof s));
    else
        set_str(l, F_CATEGORY, slug);
    if (!l->str[F_SOURCE_URL] && ctx->input_url)
        set_str(l, F_SOURCE_URL, ctx->input_url);
    check_length(l, p);
    check_contact(l, p);
    check_lists(ctx, l, p);
    check_ages(l, p);
    if (l->str[F_POSTCODE] && text_digits(l->str[F_POSTCODE], 4) &&
        !gaz_postcode_known(ctx->gaz, l->str[F_POSTCODE]))
        problem(p, "postcode", "%s is not in bpost's list of postcodes",
                l->str[F_POSTCODE]);
    if (p->n == 0)
        read_position(ctx, rec, &raw, l, p);
    if (p->n == 0 && l->pos == POS_NONE &&
        !geocode_listing(ctx->gaz, ctx->geocoder, l))
        problem(p, "position",
                "no coordinates, and no postcode or commune to place it");
    if (p->n == 0)
        attach_commune(ctx, l, p);
    derive_source_id(ctx, rec, l);
    return p->n == 0 && p->dropped == 0;
}
