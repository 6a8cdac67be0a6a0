/* static.c - files from the --web directory, with their content types.
 * A path never leaves the directory: ".." segments are refused and the
 * resolved path must lie under the directory's real path (symlinks
 * included). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "params.h"
#include "routes.h"

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".geojson", "application/geo+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".pbf", "application/x-protobuf"},
        {".mvt", "application/vnd.mapbox-vector-tile"},
        {".wasm", "application/wasm"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static bool has_dotdot(const char *p)
{
    for (const char *s = strstr(p, ".."); s; s = strstr(s + 1, ".."))
        if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
            return true;
    return false;
}

static void file_tag(const struct stat *st, char *tag, size_t tagsz)
{
    snprintf(tag, tagsz, "%llx-%llx", (long long)st->st_size,
             (long long)st->st_mtime);
}

bool static_version(const char *web, const char *path, char *tag, size_t tagsz)
{
    char want[PATH_MAX];
    struct stat st;
    if (!web || path[0] != '/' || has_dotdot(path) ||
        (size_t)snprintf(want, sizeof want, "%s%s", web, path) >= sizeof want ||
        stat(want, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    file_tag(&st, tag, tagsz);
    return true;
}

void static_file(struct request *rq, struct reply *rp)
{
    const char *web = rq->ctx->web_dir;
    char want[PATH_MAX], real[PATH_MAX];
    struct stat st;
    if (!web || has_dotdot(rq->path) || strlen(rq->path) > 512) {
        reply_error(rp, 404, "not_found", "no such page");
        return;
    }
    /* The query string is the page's own state (shared links such as
     * "/?q=schaerbeek") or a partner's tag: files ignore it. */
    size_t n = strlen(rq->path);
    snprintf(want, sizeof want, "%s%s%s", web, rq->path,
             rq->path[n - 1] == '/' ? "index.html" : "");
    size_t wl = strlen(web);
    if (!realpath(want, real) || strncmp(real, web, wl) != 0 ||
        real[wl] != '/' || strlen(real) >= sizeof rp->file ||
        stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
        reply_error(rp, 404, "not_found", "no such page");
        return;
    }
    rp->content_type = content_type(real);
    /* A precompressed "name.gz" beside the file (the Makefile makes them
     * for MapLibre and our script and style: 1.1 MB becomes 0.3 MB) is
     * sent to clients that take gzip, unless it is older than the file. */
    char gz[PATH_MAX + 4], greal[PATH_MAX];
    struct stat gst;
    snprintf(gz, sizeof gz, "%s.gz", real);
    /* the same rule as the file itself: its real path lies under web/ */
    if (rq->accepts_gzip && realpath(gz, greal) &&
        strncmp(greal, web, wl) == 0 && greal[wl] == '/' &&
        strlen(greal) < sizeof rp->file && stat(greal, &gst) == 0 &&
        S_ISREG(gst.st_mode) && gst.st_mtime >= st.st_mtime) {
        memcpy(rp->file, greal, strlen(greal) + 1);
        st = gst;
        rp->file_gzipped = true;
    } else {
        memcpy(rp->file, real, strlen(real) + 1);
    }
    rp->file_size = (size_t)st.st_size;
    snprintf(rp->etag, sizeof rp->etag, "\"s%lld-%lld\"", (long long)st.st_size,
             (long long)st.st_mtime);
    /* A link with the file's version (static_version, the pages use no
     * other) names these bytes for ever: cached a year, never asked again.
     * A stale version (the file changed since the page) must not be kept
     * under that name; an unversioned link (a partner's) for an hour. */
    char tag[64], real_tag[64];
    file_tag(&st, real_tag, sizeof real_tag);
    if (rp->file_gzipped) { /* the version is the file's, not its .gz's */
        struct stat fst;
        if (stat(real, &fst) == 0)
            file_tag(&fst, real_tag, sizeof real_tag);
    }
    const char *v = param_get(rq, "v");
    snprintf(tag, sizeof tag, "%s", v ? v : "");
    size_t plen = strlen(rq->path);
    if (strstr(rp->content_type, "text/html") ||
        strcmp(rq->path, "/sw.js") == 0 ||
        (plen > 12 && strcmp(rq->path + plen - 12, ".webmanifest") == 0))
        /* the service worker and the manifest keep their own names */
        rp->cache_control = "no-cache";
    else if (v && strcmp(tag, real_tag) == 0)
        rp->cache_control = "public, max-age=31536000, immutable";
    else if (v)
        rp->cache_control = "no-cache";
    else
        rp->cache_control = "public, max-age=3600";
}
