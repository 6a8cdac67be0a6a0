/* json_write.c - JSON text into a buffer (see json_write.h). */
#include "json_write.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

static void put(struct jw *w, const char *p, size_t n)
{
    if (!w->err && n)
        w->err = buf_append(w->b, p, n);
}

void jw_raw(struct jw *w, const char *s)
{
    put(w, s, strlen(s));
}

void jw_string(struct jw *w, const char *s, size_t n)
{
    if (!s || !text_utf8_valid(s, n)) {
        put(w, "null", 4);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    size_t run = 0; /* bytes copied as they are, pending */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t elen = 0, skip = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, elen = 2;
        } else if (c < 0x20) {
            const char *named = c == '\n'   ? "\\n"
                                : c == '\r' ? "\\r"
                                : c == '\t' ? "\\t"
                                : c == '\b' ? "\\b"
                                : c == '\f' ? "\\f"
                                            : NULL;
            if (named) {
                memcpy(esc, named, 2);
                elen = 2;
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4], esc[5] = hex[c & 15], elen = 6;
            }
        } else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xa8 ||
                    (unsigned char)s[i + 2] == 0xa9)) {
            memcpy(esc, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029",
                   6);
            elen = 6, skip = 2;
        }
        if (!elen) {
            run++;
            continue;
        }
        put(w, s + i - run, run);
        run = 0;
        put(w, esc, elen);
        i += skip;
    }
    put(w, s + n - run, run);
    put(w, "\"", 1);
}

void jw_key(struct jw *w, const char *key)
{
    put(w, "\"", 1);
    jw_raw(w, key);
    put(w, "\":", 2);
}

void jw_int(struct jw *w, long long v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    unsigned long long u =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    put(w, p, (size_t)(tmp + sizeof tmp - p));
}

void jw_coord(struct jw *w, double v)
{
    if (!isfinite(v)) {
        put(w, "null", 4);
        return;
    }
    /* "%.7f" of the rounded value prints its exact 7-decimal digits
     * (glibc rounds correctly), which read back as the same double. */
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%.7f", round(v * 1e7) / 1e7);
    if (n <= 0 || (size_t)n >= sizeof tmp) {
        put(w, "null", 4);
        return;
    }
    while (n > 2 && tmp[n - 1] == '0' && tmp[n - 2] != '.')
        n--;
    tmp[n] = '\0';
    if (strcmp(tmp, "-0.0") == 0)
        n = snprintf(tmp, sizeof tmp, "0.0");
    put(w, tmp, (size_t)n);
}
