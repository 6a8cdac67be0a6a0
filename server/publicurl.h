/* publicurl.h - the public URL (--public-url) every absolute link of
 * amo-server starts with; without one, links are relative. A request's
 * Host header never makes a link: a cache in front would serve a forged
 * one to everyone (issue 15).
 * Ownership: nothing is allocated; results go into the caller's buffers. */
#ifndef AMO_PUBLICURL_H
#define AMO_PUBLICURL_H

#include <stdbool.h>
#include <stddef.h>

#define PUBLIC_URL_MAX 200 /* bytes, without the trailing '/' */

/* Check 'url' as http(s)://host[:port][/path] (no user, query or
 * fragment; host a name, an IPv4 or a [bracketed] IPv6 address; the path
 * of unreserved characters and '/') and copy it to 'out' without its
 * trailing '/'. "" is valid and means "not configured" ('out' ""). Returns
 * 0, or ERR_USAGE with 'msg' (and 'out' ""). */
int public_url_parse(const char *url, char *out, size_t outsz, char *msg,
                     size_t msgsz);

/* The link to 'path' (which starts with '/'): 'base' followed by 'path',
 * or 'path' alone (relative) when 'base' is "" or NULL. Returns false,
 * with 'out' "", when it does not fit in 'outsz'. */
bool public_link(const char *base, const char *path, char *out, size_t outsz);

#endif
