/* srcdate.c - dates of sources (see srcdate.h). */
#include "srcdate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int days_in_month(int y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

/* One date of reduced precision, 'len' bytes of 's': YYYY, YYYY-MM or
 * YYYY-MM-DD, giving its first and last day. */
static bool parse_one(const char *s, size_t len, long *first, long *last)
{
    int y = 0, m = 0, d = 0;
    if (len != 4 && len != 7 && len != 10)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    if (y < 1900 || y > 2100)
        return false;
    if (len >= 7) {
        m = (s[5] - '0') * 10 + (s[6] - '0');
        if (m < 1 || m > 12)
            return false;
    }
    if (len == 10) {
        d = (s[8] - '0') * 10 + (s[9] - '0');
        if (d < 1 || d > days_in_month(y, m))
            return false;
    }
    *first = y * 10000L + (m ? m : 1) * 100L + (d ? d : 1);
    int lm = m ? m : 12;
    *last = y * 10000L + lm * 100L + (d ? d : days_in_month(y, lm));
    return true;
}

bool srcdate_parse(const char *s, struct srcdate *out)
{
    const char *slash = strchr(s, '/');
    long f1, l1, f2, l2;
    if (!slash) {
        if (!parse_one(s, strlen(s), &f1, &l1))
            return false;
        out->first = f1, out->last = l1;
        return true;
    }
    if (!parse_one(s, (size_t)(slash - s), &f1, &l1) ||
        !parse_one(slash + 1, strlen(slash + 1), &f2, &l2) || f2 < f1)
        return false;
    out->first = f1, out->last = l2;
    return true;
}

long srcdate_day(const char *s)
{
    long f, l;
    return s && strlen(s) == 10 && parse_one(s, 10, &f, &l) ? f : 0;
}

int srcdate_year(const struct srcdate *d)
{
    return (int)((d->first / 10000 + d->last / 10000) / 2);
}

bool srcdate_older_than(const struct srcdate *d, long today, int years)
{
    return d->last < today - years * 10000L;
}
