/* text.c - UTF-8 checks, folding and hashing (see text.h). */
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool text_utf8_valid(const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i - 1 < n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        /* RFC 3629 section 3: reject overlongs, surrogates, > U+10FFFF. */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += n + 1;
    }
    return true;
}

bool text_looks_latin1(const char *p, size_t len)
{
    const unsigned char *s = (const unsigned char *)p;
    bool high = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x80)
            continue;
        high = true;
        /* A lead byte followed by a continuation byte is UTF-8-like;
         * Latin-1 letters (0xC0-0xFF) are followed by ASCII. */
        if (s[i] >= 0xC0 && i + 1 < len && (s[i + 1] & 0xC0) == 0x80)
            return false;
    }
    return high;
}

/* Base letters for U+00C0..U+00FF; "" drops the character. */
static const char *const latin1_fold[64] = {
    "a", "a", "a", "a", "a",  "a",  "ae", "c", "e", "e", "e",  "e", "i",
    "i", "i", "i", "d", "n",  "o",  "o",  "o", "o", "o", "",   "o", "u",
    "u", "u", "u", "y", "th", "ss", "a",  "a", "a", "a", "a",  "a", "ae",
    "c", "e", "e", "e", "e",  "i",  "i",  "i", "i", "d", "n",  "o", "o",
    "o", "o", "o", "",  "o",  "u",  "u",  "u", "u", "y", "th", "y"};

static size_t fold_put(char *out, size_t outsz, size_t n, const char *add)
{
    for (; *add; add++)
        if (n + 1 < outsz)
            out[n++] = *add;
    return n;
}

size_t text_fold(const char *s, char *out, size_t outsz)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    if (outsz == 0)
        return 0;
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            char ch = (char)c;
            if (ch >= 'A' && ch <= 'Z')
                ch = (char)(ch - 'A' + 'a');
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
                char one[2] = {ch, 0};
                n = fold_put(out, outsz, n, one);
            }
            p++;
        } else if (c == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            n = fold_put(out, outsz, n, latin1_fold[p[1] - 0x80]);
            p += 2;
        } else if (c == 0xC5 && (p[1] == 0x92 || p[1] == 0x93)) {
            n = fold_put(out, outsz, n, "oe");
            p += 2;
        } else {
            /* Skip any other code point whole. */
            p++;
            while ((*p & 0xC0) == 0x80)
                p++;
        }
    }
    out[n] = '\0';
    return n;
}

static bool is_space_at(const char *s, size_t *w)
{
    unsigned char c = (unsigned char)s[0];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
        c == '\f') {
        *w = 1;
        return true;
    }
    if (c == 0xC2 && (unsigned char)s[1] == 0xA0) { /* no-break space */
        *w = 2;
        return true;
    }
    return false;
}

char *text_trim(char *s)
{
    size_t w, start = 0, len = strlen(s);
    while (start < len && is_space_at(s + start, &w))
        start += w;
    size_t end = len;
    while (end > start) {
        if (is_space_at(s + end - 1, &w))
            end -= 1;
        else if (end - start >= 2 && is_space_at(s + end - 2, &w) && w == 2)
            end -= 2;
        else
            break;
    }
    memmove(s, s + start, end - start);
    s[end - start] = '\0';
    return s;
}

uint64_t text_hash(uint64_t h, const void *p, size_t len)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

bool text_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

const char *text_word(const char *s, size_t *len)
{
    while (*s && !isalnum((unsigned char)*s) && (unsigned char)*s < 0x80)
        s++;
    const char *start = s;
    while (*s && (isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80))
        s++;
    *len = (size_t)(s - start);
    return *len ? start : NULL;
}

#define EDIT_MAX 48
int text_edit_distance(const char *a, const char *b, int cap)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (abs(la - lb) > cap || la >= EDIT_MAX || lb >= EDIT_MAX)
        return cap + 1;
    int d[EDIT_MAX][EDIT_MAX];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++) {
        int best = cap + 1;
        for (int j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < best)
                best = v;
        }
        if (best > cap)
            return cap + 1;
    }
    return d[la][lb];
}
