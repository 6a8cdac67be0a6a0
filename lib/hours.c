/* hours.c - opening hours and public holidays (see hours.h). */
#include "hours.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

static const char *const day_names[7] = {"Su", "Mo", "Tu", "We",
                                         "Th", "Fr", "Sa"};

static int day_index(const char *p)
{
    for (int i = 0; i < 7; i++)
        if (p[0] == day_names[i][0] && p[1] == day_names[i][1])
            return i;
    return -1;
}

/* "HH:MM" at 'p' in minutes (24:00 allowed as an end); -1 otherwise. */
static int minutes(const char *p, bool end)
{
    if (!(p[0] >= '0' && p[0] <= '2' && p[1] >= '0' && p[1] <= '9' &&
          p[2] == ':' && p[3] >= '0' && p[3] <= '5' && p[4] >= '0' &&
          p[4] <= '9'))
        return -1;
    int h = (p[0] - '0') * 10 + (p[1] - '0'),
        m = (p[3] - '0') * 10 + p[4] - '0';
    if (h > 24 || (h == 24 && (m || !end)))
        return -1;
    return h * 60 + m;
}

/* Days "Mo-Fr,Su" at the start of 'p' into 'set' (8 flags, PH last);
 * returns the length read, or 0. */
static size_t read_days(const char *p, bool set[8])
{
    size_t k = 0;
    memset(set, 0, 8 * sizeof *set);
    for (;;) {
        if (strncmp(p + k, "PH", 2) == 0) {
            set[HOURS_PH] = true;
            k += 2;
        } else {
            int a = day_index(p + k), b = a;
            if (a < 0)
                return 0;
            k += 2;
            if (p[k] == '-') {
                if ((b = day_index(p + k + 1)) < 0)
                    return 0;
                k += 3;
            }
            for (int d = a;; d = (d + 1) % 7) { /* Fr-Mo wraps */
                set[d] = true;
                if (d == b)
                    break;
            }
        }
        if (p[k] != ',')
            return k;
        k++;
    }
}

/* One rule ("Mo-Fr 09:00-12:00,13:00-16:00", "PH off"), 'len' bytes. */
static int parse_rule(const char *r, size_t len, struct hours *h, char *why,
                      size_t whysz)
{
    char rule[128];
    bool set[8];
    if (len >= sizeof rule) {
        snprintf(why, whysz, "a rule is longer than %zu bytes", sizeof rule);
        return ERR_PARSE;
    }
    memcpy(rule, r, len);
    rule[len] = '\0';
    size_t k = read_days(rule, set);
    if (k == 0 || rule[k] != ' ') {
        snprintf(why, whysz,
                 "\"%s\": a rule starts with days (Mo-Fr, Sa, Su, PH) "
                 "and a space",
                 rule);
        return ERR_PARSE;
    }
    const char *t = rule + k + 1;
    struct hours_span spans[HOURS_MAX_SPANS];
    int n = 0;
    if (strcmp(t, "off") != 0 && strcmp(t, "closed") != 0) {
        for (;;) {
            int from = minutes(t, false), to = -1;
            if (from >= 0 && t[5] == '-')
                to = minutes(t + 6, true);
            if (from < 0 || to < 0 || to <= from) {
                snprintf(why, whysz,
                         "\"%s\": times are HH:MM-HH:MM, the end after the "
                         "start (or \"off\")",
                         rule);
                return ERR_PARSE;
            }
            if (n == HOURS_MAX_SPANS) {
                snprintf(why, whysz, "\"%s\": more than %d time spans", rule,
                         HOURS_MAX_SPANS);
                return ERR_PARSE;
            }
            spans[n++] = (struct hours_span){(short)from, (short)to};
            t += 11;
            if (*t == '\0')
                break;
            if (*t != ',') {
                snprintf(why, whysz, "\"%s\": time spans are separated by ','",
                         rule);
                return ERR_PARSE;
            }
            t++;
        }
    }
    /* A later rule replaces what an earlier one said of the same day. */
    for (int d = 0; d < 8; d++)
        if (set[d]) {
            h->day[d].named = true;
            h->day[d].n = n;
            memcpy(h->day[d].span, spans, (size_t)n * sizeof *spans);
        }
    return 0;
}

int hours_parse(const char *oh, struct hours *h, char *why, size_t whysz)
{
    memset(h, 0, sizeof *h);
    while (*oh == ' ')
        oh++;
    if (strcmp(oh, "24/7") == 0) {
        h->always = true;
        return 0;
    }
    if (!*oh) {
        snprintf(why, whysz, "empty");
        return ERR_PARSE;
    }
    for (const char *p = oh; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, ";");
        while (len > 0 && p[len - 1] == ' ')
            len--;
        int rc = parse_rule(p, len, h, why, whysz);
        if (rc < 0)
            return rc;
        p += strcspn(p, ";");
        if (*p == ';' && !*(p + 1 + strspn(p + 1, " "))) {
            snprintf(why, whysz, "ends with ';'");
            return ERR_PARSE;
        }
        if (*p == ';')
            p++;
    }
    return 0;
}

/* ---- time and holidays ------------------------------------------------- */

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian, H. Hinnant's
 * days_from_civil). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The last Sunday of 'month' at 01:00 UTC, as a time_t. */
static time_t last_sunday_1utc(int year, int month)
{
    int ndays = month == 3 || month == 10 ? 31 : 30;
    long day = days_from_civil(year, month, ndays);
    long wday = (day + 4) % 7; /* 1970-01-01 was a Thursday */
    if (wday < 0)
        wday += 7;
    return (time_t)(day - wday) * 86400 + 3600;
}

void hours_brussels(time_t t, struct hours_time *out)
{
    int y, m, d;
    civil_from_days((long)(t / 86400), &y, &m, &d);
    bool summer = t >= last_sunday_1utc(y, 3) && t < last_sunday_1utc(y, 10);
    time_t local = t + (summer ? 7200 : 3600);
    long day = (long)(local / 86400);
    civil_from_days(day, &out->year, &out->month, &out->day);
    out->wday = (int)(((day + 4) % 7 + 7) % 7);
    out->minute = (int)((local % 86400) / 60);
}

/* Easter Sunday of 'year' (Gregorian; the anonymous algorithm published
 * in Nature, 1876), as days since 1970. */
static long easter(int year)
{
    int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31,
        day = (h + l - 7 * m + 114) % 31 + 1;
    return days_from_civil(year, month, day);
}

const char *hours_holiday(int year, int month, int day, bool fwb)
{
    /* The ten legal public holidays (loi du 4 janvier 1974 relative aux
     * jours fériés), the moving ones from Easter. */
    static const struct {
        int month, day;
        const char *key;
    } fixed[] = {{1, 1, "nouvel-an"},       {5, 1, "fete-du-travail"},
                 {7, 21, "fete-nationale"}, {8, 15, "assomption"},
                 {11, 1, "toussaint"},      {11, 11, "armistice"},
                 {12, 25, "noel"}};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (fixed[i].month == month && fixed[i].day == day)
            return fixed[i].key;
    if (fwb && month == 9 && day == 27)
        return "fete-fwb";
    long e = easter(year), today = days_from_civil(year, month, day);
    if (today == e + 1)
        return "lundi-paques";
    if (today == e + 39)
        return "ascension";
    if (today == e + 50)
        return "lundi-pentecote";
    return NULL;
}

bool hours_fwb_category(const char *slug)
{
    return slug && (strcmp(slug, "amo") == 0 || strcmp(slug, "sdj") == 0);
}

int hours_open(const struct hours *h, const struct hours_time *t, bool fwb)
{
    if (h->always)
        return 1;
    int d = t->wday;
    if (hours_holiday(t->year, t->month, t->day, fwb)) {
        if (!h->day[HOURS_PH].named)
            return -1;
        d = HOURS_PH;
    }
    for (int i = 0; i < h->day[d].n; i++)
        if (t->minute >= h->day[d].span[i].from &&
            t->minute < h->day[d].span[i].to)
            return 1;
    return 0;
}
