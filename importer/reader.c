/* reader.c - streaming CSV and JSON readers (see reader.h).
 *
 * CSV is parsed by hand rather than with libcsv: error messages must name
 * the physical line a record starts on, which libcsv cannot report once
 * quoted fields hold newlines or blank lines are skipped. JSON inputs are
 * split into one element (feature or record) at a time by a small scanner
 * and each element is parsed with jansson, so a 1 GB FeatureCollection
 * needs the memory of one feature, and each feature keeps its line. */
#include "reader.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "crs.h"
#include "err.h"
#include "text.h"

#define READ_CHUNK 65536
#define MAX_KEY 128 /* JSON member names we look at */

struct reader {
    FILE *fp;
    const char *name;
    enum format fmt;
    unsigned char chunk[READ_CHUNK];
    size_t pos, len;
    bool eof;
    long line;     /* current physical line, 1-based */
    char delim;    /* CSV */
    char **header; /* CSV column names */
    size_t ncols;
    struct buf field; /* CSV field or JSON element being assembled */
    struct buf row;   /* CSV: the fields of a row, one after the other */
    size_t flen[RECORD_MAX_FIELDS + 1]; /* and their lengths (a field may
                                         * hold a NUL byte) */
    int depth;                          /* JSON nesting */
    int elem_depth; /* JSON depth whose children are the records */
    bool started;   /* JSON: top-level value opened */
    bool done;
    int crs;           /* legacy GeoJSON crs member */
    char key[MAX_KEY]; /* JSON: last member name seen at depth 1 */
};

int reader_format_parse(const char *s)
{
    static const char *const names[] = {"auto", "csv", "geojson", "ndjson",
                                        "json"};
    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

enum format reader_detect(FILE *fp, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", name ? name : "");
    path[strcspn(path, "?#")] = '\0'; /* URL query */
    if (ends_with(path, ".csv") || ends_with(path, ".tsv") ||
        ends_with(path, ".txt"))
        return FMT_CSV;
    if (ends_with(path, ".ndjson") || ends_with(path, ".geojsonl") ||
        ends_with(path, ".geojsons") || ends_with(path, ".jsonl"))
        return FMT_NDJSON;
    if (ends_with(path, ".geojson"))
        return FMT_GEOJSON;
    /* Sniff: JSON starts with { or [; one object per line is NDJSON. */
    unsigned char head[4096];
    size_t n = fread(head, 1, sizeof head, fp);
    for (size_t i = n; i > 0; i--)
        ungetc(head[i - 1], fp);
    size_t i = 0;
    if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' ||
                     head[i] == '\n' || head[i] == 0x1E))
        i++;
    if (i < n && head[i] == '[')
        return FMT_JSON;
    if (i < n && head[i] == '{') {
        /* A complete object on the first line means one per line. */
        json_error_t e;
        const char *nl = memchr(head + i, '\n', n - i);
        if (nl) {
            json_t *v =
                json_loadb((const char *)head + i,
                           (size_t)(nl - (const char *)head) - i, 0, &e);
            json_decref(v);
            if (v)
                return FMT_NDJSON;
        }
        return FMT_GEOJSON;
    }
    return ends_with(path, ".json") ? FMT_JSON : FMT_CSV;
}

/* ---- byte input ------------------------------------------------------ */

/* Next byte, or -1 at the end of input (-2 on a read error). */
static int next_byte(struct reader *r)
{
    if (r->pos == r->len) {
        if (r->eof)
            return -1;
        /* At the end, the position stays where it was, so that a byte
         * read just before (reader_open's first one) can still be stepped
         * back over: resetting it to 0 made that step wrap to SIZE_MAX on
         * a one-byte input (found by the fuzzers). */
        size_t n = fread(r->chunk, 1, sizeof r->chunk, r->fp);
        if (n == 0) {
            r->eof = true;
            return ferror(r->fp) ? -2 : -1;
        }
        r->len = n;
        r->pos = 0;
    }
    return r->chunk[r->pos++];
}

static int peek_byte(struct reader *r)
{
    int c = next_byte(r);
    if (c >= 0)
        r->pos--;
    return c;
}

/* ---- CSV (RFC 4180) -------------------------------------------------- */

/* Read one CSV row into r->row, each field followed by a NUL and its
 * length in r->flen (a NUL byte inside a field is kept: record_add()
 * reports it for its column). Returns the number
 * of fields, 0 at the end of input, or an ERR_*. Blank lines are skipped
 * but counted. '*start' gets the line the row starts on; '*bad' is set to
 * a reason when the row is malformed but the input can go on. */
static int csv_row(struct reader *r, long *start, const char **bad)
{
    size_t nfields = 0;
    bool quoted = false, after_quote = false, any = false;
    buf_reset(&r->row);
    buf_reset(&r->field);
    *start = r->line;
    *bad = NULL;
    for (;;) {
        int c = next_byte(r);
        if (c == -2)
            return ERR_IO;
        if (c == -1) {
            if (quoted)
                return ERR_PARSE;
            if (!any)
                return 0;
            break;
        }
        if (quoted) {
            if (c == '"') {
                if (peek_byte(r) == '"') {
                    next_byte(r);
                } else {
                    quoted = false;
                    after_quote = true;
                    continue;
                }
            }
            if (c == '\n')
                r->line++;
            if (buf_putc(&r->field, (char)c) < 0)
                return ERR_TOOBIG;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && peek_byte(r) == '\n')
                next_byte(r);
            r->line++;
            if (!any && nfields == 0 && r->field.len == 0) {
                *start = r->line; /* blank line */
                continue;
            }
            break;
        }
        any = true;
        if (c == r->delim) {
            if (nfields >= RECORD_MAX_FIELDS ||
                buf_append(&r->row, r->field.data ? r->field.data : "",
                           r->field.len) < 0 ||
                buf_putc(&r->row, '\0') < 0)
                return ERR_TOOBIG;
            r->flen[nfields] = r->field.len;
            buf_reset(&r->field);
            nfields++;
            after_quote = false;
            continue;
        }
        if (c == '"' && r->field.len == 0 && !after_quote) {
            quoted = true;
            continue;
        }
        if (after_quote && c != ' ' && c != '\t' && !*bad)
            *bad = "text after a closing quote (RFC 4180: a quote inside a "
                   "quoted field is written twice)";
        if (buf_putc(&r->field, (char)c) < 0)
            return ERR_TOOBIG;
    }
    if (nfields >= RECORD_MAX_FIELDS ||
        buf_append(&r->row, r->field.data ? r->field.data : "", r->field.len) <
            0 ||
        buf_putc(&r->row, '\0') < 0)
        return ERR_TOOBIG;
    r->flen[nfields++] = r->field.len;
    return (int)nfields;
}

/* Pick the separator from the header line: the most frequent of , ; tab
 * outside quotes (Belgian spreadsheets export with ';'). */
static char csv_sniff(struct reader *r)
{
    size_t counts[3] = {0, 0, 0};
    bool q = false;
    for (size_t i = r->pos; i < r->len; i++) {
        unsigned char c = r->chunk[i];
        if (c == '"')
            q = !q;
        else if (!q && (c == '\n' || c == '\r'))
            break;
        else if (!q && c == ',')
            counts[0]++;
        else if (!q && c == ';')
            counts[1]++;
        else if (!q && c == '\t')
            counts[2]++;
    }
    if (counts[1] > counts[0] && counts[1] >= counts[2])
        return ';';
    if (counts[2] > counts[0] && counts[2] > counts[1])
        return '\t';
    return ',';
}

static int csv_open(struct reader *r, char delim, char *msg, size_t msgsz)
{
    long start;
    const char *bad;
    if (peek_byte(r) < 0) {
        snprintf(msg, msgsz, "%s: empty input", r->name);
        return ERR_PARSE;
    }
    r->delim = delim ? delim : csv_sniff(r);
    int n = csv_row(r, &start, &bad);
    if (n <= 0) {
        snprintf(msg, msgsz, "%s:%ld: %s", r->name, start,
                 n == 0 ? "no header line" : "unreadable header line");
        return n == 0 ? ERR_PARSE : n;
    }
    r->header = calloc((size_t)n, sizeof *r->header);
    if (!r->header)
        return ERR_NOMEM;
    const char *p = buf_str(&r->row);
    for (int i = 0; i < n; i++) {
        size_t len = r->flen[i];
        if (!text_utf8_valid(p, len)) { /* also a NUL byte */
            snprintf(msg, msgsz, "%s:%ld: header: invalid UTF-8%s", r->name,
                     start,
                     text_looks_latin1(p, len)
                         ? " (the file looks like Latin-1/Windows-1252: "
                           "convert it with iconv -f WINDOWS-1252 -t UTF-8)"
                         : "");
            r->ncols = (size_t)i;
            return ERR_ENCODING;
        }
        r->header[i] = strdup(p);
        r->ncols = (size_t)i + 1;
        if (!r->header[i])
            return ERR_NOMEM;
        text_trim(r->header[i]);
        p += len + 1;
    }
    return 0;
}

static int csv_next(struct reader *r, struct record *rec, char *msg,
                    size_t msgsz)
{
    long start;
    const char *bad;
    int n = csv_row(r, &start, &bad);
    if (n == 0)
        return 0;
    if (n < 0) {
        snprintf(msg, msgsz, "%s:%ld: %s", r->name, start,
                 n == ERR_PARSE ? "quoted field never closed"
                 : n == ERR_TOOBIG
                     ? "field or row too long (fields are limited to 64 KiB, "
                       "rows to 512 fields)"
                     : err_str(n));
        return n;
    }
    rec->line = start;
    if ((size_t)n != r->ncols) {
        char why[128];
        snprintf(why, sizeof why, "%d fields where the header has %zu", n,
                 r->ncols);
        record_fail(rec, why);
    }
    if (bad)
        record_fail(rec, bad);
    const char *p = buf_str(&r->row);
    for (size_t i = 0; i < (size_t)n && i < r->ncols; i++) {
        if (record_add(rec, r->header[i], p, r->flen[i]) < 0)
            return ERR_NOMEM;
        p += r->flen[i] + 1;
    }
    return 1;
}

/* ---- JSON elements --------------------------------------------------- */

/* Format one JSON scalar (or array of scalars, joined with '|') as text;
 * returns false for values that have no text form (objects, null). */
static bool json_text(json_t *v, struct buf *out)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return buf_append(out, json_string_value(v), json_string_length(v)) ==
               0;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        return buf_puts(out, num) == 0;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.15g", json_real_value(v));
        return buf_puts(out, num) == 0;
    case JSON_TRUE: return buf_puts(out, "true") == 0;
    case JSON_FALSE: return buf_puts(out, "false") == 0;
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (json_is_object(item) || json_is_array(item))
                return false;
            if (i > 0 && buf_putc(out, '|') < 0)
                return false;
            json_text(item, out);
        }
        return true;
    }
    default: return false;
    }
}

/* geo_point_2d as Opendatasoft writes it: {"lon":..,"lat":..} in API v2,
 * [lat, lon] in API v1 record exports. */
static bool ods_point(json_t *v, struct record *rec)
{
    if (json_is_object(v) && json_is_number(json_object_get(v, "lat")) &&
        json_is_number(json_object_get(v, "lon"))) {
        rec->y = json_number_value(json_object_get(v, "lat"));
        rec->x = json_number_value(json_object_get(v, "lon"));
    } else if (json_is_array(v) && json_array_size(v) == 2 &&
               json_is_number(json_array_get(v, 0)) &&
               json_is_number(json_array_get(v, 1))) {
        rec->y = json_number_value(json_array_get(v, 0));
        rec->x = json_number_value(json_array_get(v, 1));
    } else {
        return false;
    }
    rec->has_point = true;
    rec->point_crs = CRS_WGS84;
    return true;
}

static int add_members(struct record *rec, json_t *obj)
{
    const char *key;
    json_t *v;
    struct buf text;
    buf_init(&text, READER_MAX_ELEMENT);
    json_object_foreach(obj, key, v)
    {
        char folded[32];
        text_fold(key, folded, sizeof folded);
        if (strcmp(folded, "geopoint2d") == 0 && ods_point(v, rec))
            continue;
        buf_reset(&text);
        if (!json_text(v, &text))
            continue;
        if (record_add(rec, key, buf_str(&text), text.len) < 0) {
            buf_free(&text);
            return ERR_TOOBIG;
        }
    }
    buf_free(&text);
    return 0;
}

static void add_geometry(struct record *rec, json_t *geom)
{
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *c = json_object_get(geom, "coordinates");
    if (!type || rec->has_point)
        return;
    if (strcmp(type, "Point") != 0) {
        record_fail(rec, "geometry is not a Point");
        return;
    }
    if (json_array_size(c) < 2 || !json_is_number(json_array_get(c, 0)) ||
        !json_is_number(json_array_get(c, 1))) {
        record_fail(rec, "Point coordinates are not two numbers");
        return;
    }
    rec->x = json_number_value(json_array_get(c, 0));
    rec->y = json_number_value(json_array_get(c, 1));
    rec->has_point = true;
}

static void set_id(struct record *rec, json_t *id)
{
    struct buf text;
    buf_init(&text, 256);
    if (id && json_text(id, &text) && text.len)
        rec->id = buf_take(&text);
    buf_free(&text);
}

/* Turn one parsed element into a record: a GeoJSON Feature, an
 * Opendatasoft v1 record ({"recordid", "fields", "geometry"}) or a plain
 * object of columns (Opendatasoft v2 exports, other JSON arrays). */
static int element_to_record(json_t *el, struct record *rec)
{
    if (!json_is_object(el)) {
        record_fail(rec, "record is not a JSON object");
        return 0;
    }
    const char *type = json_string_value(json_object_get(el, "type"));
    json_t *fields = json_object_get(el, "fields");
    int rc;
    if (type && strcmp(type, "Feature") == 0) {
        json_t *props = json_object_get(el, "properties");
        rc = json_is_object(props) ? add_members(rec, props) : 0;
        add_geometry(rec, json_object_get(el, "geometry"));
        set_id(rec, json_object_get(el, "id"));
    } else if (json_is_object(fields)) {
        rc = add_members(rec, fields);
        add_geometry(rec, json_object_get(el, "geometry"));
        set_id(rec, json_object_get(el, "recordid"));
    } else {
        rc = add_members(rec, el);
    }
    if (rc == ERR_TOOBIG)
        record_fail(rec, "more than 512 properties");
    return 0;
}

static void parse_element(struct reader *r, struct record *rec)
{
    json_error_t e;
    json_t *el =
        json_loadb(buf_str(&r->field), r->field.len, JSON_ALLOW_NUL, &e);
    if (!el) {
        char why[256];
        const char *p = buf_str(&r->field);
        bool latin1 = strstr(e.text, "decode") &&
                      !text_utf8_valid(p, r->field.len) &&
                      text_looks_latin1(p, r->field.len);
        snprintf(why, sizeof why, "%s%s", e.text,
                 latin1 ? " (the file looks like Latin-1/Windows-1252: "
                          "convert it with iconv -f WINDOWS-1252 -t UTF-8)"
                        : "");
        record_fail(rec, why);
        return;
    }
    element_to_record(el, rec);
    json_decref(el);
}

/* NDJSON (and RFC 8142 GeoJSON text sequences): one element per line. */
static int ndjson_next(struct reader *r, struct record *rec, char *msg,
                       size_t msgsz)
{
    for (;;) {
        buf_reset(&r->field);
        long start = r->line;
        int c;
        while ((c = next_byte(r)) >= 0 && c != '\n') {
            if (c == 0x1E || (c == '\r' && peek_byte(r) == '\n'))
                continue;
            if (buf_putc(&r->field, (char)c) < 0) {
                snprintf(msg, msgsz, "%s:%ld: line longer than %d bytes",
                         r->name, start, READER_MAX_ELEMENT);
                return ERR_TOOBIG;
            }
        }
        if (c == -2)
            return ERR_IO;
        if (c == '\n')
            r->line++;
        text_trim(r->field.data ? r->field.data : (char[1]){0});
        r->field.len = strlen(buf_str(&r->field));
        if (r->field.len == 0) {
            if (c == -1)
                return 0;
            continue;
        }
        rec->line = start;
        parse_element(r, rec);
        return 1;
    }
}

/* Skip a JSON string whose opening quote was read, copying up to 'cap'-1
 * bytes of its raw contents into 'out' when given. */
static int skip_string(struct reader *r, struct buf *copy, char *out,
                       size_t cap)
{
    size_t n = 0;
    for (;;) {
        int c = next_byte(r);
        if (c < 0)
            return ERR_PARSE;
        if (copy && buf_putc(copy, (char)c) < 0)
            return ERR_TOOBIG;
        if (c == '\n')
            r->line++;
        if (c == '"')
            break;
        if (c == '\\') {
            int d = next_byte(r);
            if (d < 0)
                return ERR_PARSE;
            if (copy && buf_putc(copy, (char)d) < 0)
                return ERR_TOOBIG;
            c = d;
        }
        if (out && n + 1 < cap)
            out[n++] = (char)c;
    }
    if (out)
        out[n] = '\0';
    return 0;
}

/* Copy one complete JSON value starting with byte 'c' into r->field. */
static int copy_value(struct reader *r, int c)
{
    int depth = 0;
    buf_reset(&r->field);
    for (;;) {
        if (c < 0)
            return ERR_PARSE;
        if (buf_putc(&r->field, (char)c) < 0)
            return ERR_TOOBIG;
        if (c == '\n')
            r->line++;
        if (c == '"') {
            int rc = skip_string(r, &r->field, NULL, 0);
            if (rc < 0)
                return rc;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        if (depth == 0) {
            /* A scalar ends before the next , ] or } */
            if (c == '}' || c == ']' || c == '"')
                return 0;
            int d = peek_byte(r);
            if (d < 0 || d == ',' || d == ']' || d == '}' || d == ' ' ||
                d == '\n' || d == '\r' || d == '\t')
                return 0;
        }
        c = next_byte(r);
    }
}

static int skip_ws(struct reader *r)
{
    int c;
    while ((c = next_byte(r)) == ' ' || c == '\t' || c == '\r' || c == '\n' ||
           c == ',' || c == ':')
        if (c == '\n')
            r->line++;
    return c;
}

/* Walk the top level of a JSON document until the next record element:
 * elements of a top-level array, or of the "features" / "results" /
 * "records" member of a top-level object. Other members are skipped, but
 * "crs" is read for its EPSG code. */
static int json_next(struct reader *r, struct record *rec, char *msg,
                     size_t msgsz)
{
    int rc;
    while (!r->done) {
        int c = skip_ws(r);
        if (c == -2)
            return ERR_IO;
        if (c == -1) {
            if (r->started && r->depth > 0)
                goto truncated;
            if (!r->started) {
                snprintf(msg, msgsz, "%s: empty input", r->name);
                return ERR_PARSE;
            }
            return 0;
        }
        if (!r->started) {
            r->started = true;
            if (c == '[') {
                r->depth = 1;
                r->elem_depth = 1;
                continue;
            }
            if (c == '{') {
                r->depth = 1;
                continue;
            }
            snprintf(msg, msgsz, "%s:%ld: expected a JSON array or object",
                     r->name, r->line);
            return ERR_PARSE;
        }
        if (c == ']' || c == '}') {
            r->depth--;
            if (r->depth <= 0)
                r->done = true;
            continue;
        }
        if (r->depth == r->elem_depth) {
            rec->line = r->line;
            rc = copy_value(r, c);
            if (rc == ERR_TOOBIG) {
                snprintf(msg, msgsz, "%s:%ld: record larger than %d bytes",
                         r->name, rec->line, READER_MAX_ELEMENT);
                return rc;
            }
            if (rc < 0)
                goto truncated;
            parse_element(r, rec);
            return 1;
        }
        if (r->depth == 1 && c == '"') {
            /* A member name of the top-level object. */
            if ((rc = skip_string(r, NULL, r->key, sizeof r->key)) < 0)
                goto truncated;
            int v = skip_ws(r);
            bool stream = strcmp(r->key, "features") == 0 ||
                          strcmp(r->key, "results") == 0 ||
                          strcmp(r->key, "records") == 0;
            if (v == '[' && stream) {
                r->depth = 2;
                r->elem_depth = 2;
                continue;
            }
            if ((rc = copy_value(r, v)) < 0)
                goto truncated;
            if (strcmp(r->key, "crs") == 0) {
                json_t *crs =
                    json_loadb(buf_str(&r->field), r->field.len, 0, NULL);
                json_t *props = json_object_get(crs, "properties");
                r->crs = crs_parse(
                    json_string_value(json_object_get(props, "name")));
                json_decref(crs);
            }
            continue;
        }
        snprintf(msg, msgsz, "%s:%ld: unexpected '%c'", r->name, r->line, c);
        return ERR_PARSE;
    }
    return 0;
truncated:
    snprintf(msg, msgsz, "%s:%ld: JSON ends before the document is closed",
             r->name, r->line);
    return ERR_PARSE;
}

/* ---- public ---------------------------------------------------------- */

int reader_open(struct reader **out, FILE *fp, const char *name,
                enum format fmt, char delim, char *msg, size_t msgsz)
{
    struct reader *r = calloc(1, sizeof *r);
    int rc = 0;
    *out = NULL;
    if (!r)
        return ERR_NOMEM;
    r->fp = fp;
    r->name = name;
    r->fmt = fmt;
    r->line = 1;
    buf_init(&r->field, fmt == FMT_CSV ? READER_MAX_FIELD : READER_MAX_ELEMENT);
    buf_init(&r->row, (size_t)READER_MAX_FIELD * 4);
    /* A UTF-8 byte order mark is allowed and skipped; UTF-16 is not. */
    int c0 = next_byte(r), c1 = peek_byte(r);
    if (c0 == 0xEF) {
        if (next_byte(r) != 0xBB || next_byte(r) != 0xBF) {
            snprintf(msg, msgsz, "%s:1: invalid UTF-8 at the start", name);
            rc = ERR_ENCODING;
        }
    } else if ((c0 == 0xFF && c1 == 0xFE) || (c0 == 0xFE && c1 == 0xFF)) {
        snprintf(msg, msgsz,
                 "%s:1: the file is UTF-16: save it as UTF-8 (CSV UTF-8)",
                 name);
        rc = ERR_ENCODING;
    } else if (c0 >= 0) {
        r->pos--;
    }
    if (rc == 0 && fmt == FMT_CSV)
        rc = csv_open(r, delim, msg, msgsz);
    if (rc < 0) {
        reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int reader_next(struct reader *r, struct record *rec, char *msg, size_t msgsz)
{
    record_clear(rec);
    switch (r->fmt) {
    case FMT_CSV: return csv_next(r, rec, msg, msgsz);
    case FMT_NDJSON: return ndjson_next(r, rec, msg, msgsz);
    default: return json_next(r, rec, msg, msgsz);
    }
}

int reader_crs(const struct reader *r)
{
    return r->crs;
}

void reader_free(struct reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ncols; i++)
        free(r->header[i]);
    free(r->header);
    buf_free(&r->field);
    buf_free(&r->row);
    free(r);
}
