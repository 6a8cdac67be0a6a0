/* publicurl.c - the checked public URL and links made from it (see
 * publicurl.h). */
#include "publicurl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* RFC 3986 3.2.2: a reg-name kept to letters, digits, '.' and '-' (what
 * DNS names are), or an IP-literal in brackets. */
static size_t host_len(const char *h)
{
    if (*h == '[') {
        size_t n = 1 + strspn(h + 1, "0123456789abcdefABCDEF:.");
        return h[n] == ']' && n > 2 ? n + 1 : 0;
    }
    size_t n = 0;
    while (isalnum((unsigned char)h[n]) || h[n] == '.' || h[n] == '-')
        n++;
    /* a label never starts or ends with '-' (RFC 1123 2.1) */
    return n && h[0] != '-' && h[0] != '.' && h[n - 1] != '-' ? n : 0;
}

/* ":1" to ":65535", or nothing. Returns the bytes read, or -1. */
static int port_len(const char *p)
{
    if (*p != ':')
        return 0;
    size_t n = strspn(p + 1, "0123456789");
    long v = n && n <= 5 ? strtol(p + 1, NULL, 10) : 0;
    return v >= 1 && v <= 65535 ? (int)n + 1 : -1;
}

int public_url_parse(const char *url, char *out, size_t outsz, char *msg,
                     size_t msgsz)
{
    out[0] = '\0';
    if (!*url)
        return 0;
    size_t len = strlen(url);
    const char *p = strncmp(url, "https://", 8) == 0  ? url + 8
                    : strncmp(url, "http://", 7) == 0 ? url + 7
                                                      : NULL;
    size_t h = p ? host_len(p) : 0;
    int port = h ? port_len(p + h) : -1;
    const char *path = port >= 0 ? p + h + port : NULL;
    /* RFC 3986 2.3: unreserved characters and '/' only, so the URL can go
     * into JSON, HTML and a Link header as it is. */
    bool path_ok = path && (*path == '\0' || *path == '/') &&
                   strspn(path, "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/") ==
                       strlen(path) &&
                   !strstr(path, "//");
    while (len > 0 && url[len - 1] == '/')
        len--;
    if (!path_ok || len > PUBLIC_URL_MAX || len >= outsz) {
        snprintf(msg, msgsz,
                 "--public-url: \"%.*s\" is not http(s)://host[:port][/path] "
                 "(no query or fragment, at most %d bytes)",
                 100, url, PUBLIC_URL_MAX);
        return ERR_USAGE;
    }
    memcpy(out, url, len);
    out[len] = '\0';
    return 0;
}

bool public_link(const char *base, const char *path, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "%s%s", base ? base : "", path);
    if (n < 0 || (size_t)n >= outsz) {
        if (outsz)
            out[0] = '\0';
        return false;
    }
    return true;
}
