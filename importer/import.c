/* import.c - one run of amo-import (see import.h). */
#include "import.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crs.h"
#include "db.h"
#include "err.h"
#include "fetch.h"
#include "fields.h"
#include "gazetteer.h"
#include "geocode.h"
#include "load.h"
#include "text.h"

#define MAX_SHOWN_PROBLEMS 200 /* invalid records printed in full */
#define MAX_SHOWN_CHANGES 50   /* dry-run lines per kind */

struct tally {
    char category[32];
    long added, changed, unchanged, removed, invalid;
};

struct run {
    const struct import_opts *o;
    sqlite3 *db;
    struct gazetteer *gaz;
    struct crs *crs;
    struct geocoder *geocoder;
    struct loader *ld;
    struct categories cats;
    struct tally tally[33]; /* per category; the last is "unknown" */
    size_t ntally;
    long shown_problems, shown_changes;
    bool failed_input; /* an input could not be read to its end */
};

static struct tally *tally_for(struct run *r, const char *category)
{
    const char *cat = category && *category ? category : "(none)";
    for (size_t i = 0; i < r->ntally; i++)
        if (strcmp(r->tally[i].category, cat) == 0)
            return &r->tally[i];
    if (r->ntally == sizeof r->tally / sizeof *r->tally)
        return &r->tally[r->ntally - 1];
    struct tally *t = &r->tally[r->ntally++];
    memset(t, 0, sizeof *t);
    snprintf(t->category, sizeof t->category, "%s", cat);
    return t;
}

static void on_removed(const char *category, const char *name, void *arg)
{
    struct run *r = arg;
    tally_for(r, category)->removed++;
    if (r->o->dry_run && r->shown_changes++ < MAX_SHOWN_CHANGES)
        printf("would remove: %s (%s)\n", name, category);
}

/* The source name of an input: --source, else the file's base name or the
 * URL, so re-running the same file updates the same listings. */
static void source_name(const struct import_opts *o, const char *input,
                        char *out, size_t outsz)
{
    if (o->source)
        snprintf(out, outsz, "%s", o->source);
    else if (strcmp(input, "-") == 0)
        snprintf(out, outsz, "stdin");
    else if (fetch_is_url(input))
        snprintf(out, outsz, "%s", input);
    else {
        const char *slash = strrchr(input, '/');
        snprintf(out, outsz, "%s", slash ? slash + 1 : input);
    }
}

static int stored_validators(struct run *r, const char *url, char **etag,
                             char **lm)
{
    sqlite3_stmt *st = NULL;
    *etag = *lm = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT etag, last_modified FROM sources"
                           " WHERE url=?1",
                           -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_text(st, 0))
            *etag = strdup((const char *)sqlite3_column_text(st, 0));
        if (sqlite3_column_text(st, 1))
            *lm = strdup((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return 0;
}

static void report(struct run *r, const char *input, long line,
                   const struct problems *p)
{
    if (r->shown_problems++ >= MAX_SHOWN_PROBLEMS) {
        if (r->shown_problems == MAX_SHOWN_PROBLEMS + 1)
            fprintf(stderr, "%s: (more invalid records not shown)\n", input);
        return;
    }
    for (int i = 0; i < p->n; i++)
        fprintf(stderr, "%s:%ld: %s\n", input, line, p->msg[i]);
    if (p->dropped)
        fprintf(stderr, "%s:%ld: (%d more problems)\n", input, line,
                p->dropped);
}

/* Read every record of one opened input and load the valid ones. */
static int load_stream(struct run *r, FILE *fp, const char *input,
                       const char *source, const char *url, long *nread)
{
    struct reader *rd = NULL;
    struct field_mapper *map = fields_mapper_new();
    struct record rec;
    struct listing l;
    struct problems p;
    char msg[1024] = "";
    int rc;
    enum format fmt =
        r->o->format == FMT_AUTO ? reader_detect(fp, input) : r->o->format;
    record_init(&rec);
    listing_init(&l);
    if (!map)
        return ERR_NOMEM;
    rc = reader_open(&rd, fp, input, fmt, 0, msg, sizeof msg);
    if (rc < 0)
        goto out;
    struct fields_ctx ctx = {
        .gaz = r->gaz,
        .crs = r->crs,
        .geocoder = r->geocoder,
        .cats = &r->cats,
        .default_category = r->o->category,
        .epsg = r->o->epsg,
        .input_url = url,
    };
    while ((rc = reader_next(rd, &rec, msg, sizeof msg)) == 1) {
        (*nread)++;
        if (!ctx.epsg)
            ctx.epsg = reader_crs(rd);
        listing_free(&l);
        if (!fields_convert(&ctx, map, &rec, &l, &p)) {
            report(r, input, rec.line, &p);
            tally_for(r, l.str[F_CATEGORY])->invalid++;
            continue;
        }
        rc = loader_put(r->ld, source, &l, rec.line, msg, sizeof msg);
        if (rc == ERR_INVALID) {
            p.n = 1;
            p.dropped = 0;
            snprintf(p.msg[0], sizeof p.msg[0], "%.300s", msg);
            report(r, input, rec.line, &p);
            tally_for(r, l.str[F_CATEGORY])->invalid++;
            continue;
        }
        if (rc < 0)
            goto out;
        struct tally *t = tally_for(r, l.str[F_CATEGORY]);
        if (rc == LOAD_ADDED)
            t->added++;
        else if (rc == LOAD_CHANGED)
            t->changed++;
        else
            t->unchanged++;
        if (r->o->dry_run && rc != LOAD_UNCHANGED &&
            r->shown_changes++ < MAX_SHOWN_CHANGES)
            printf("would %s: %s (%s)\n", rc == LOAD_ADDED ? "add" : "change",
                   l.str[F_NAME], l.str[F_CATEGORY]);
    }
    char unused[256];
    fields_unused(map, unused, sizeof unused);
    if (unused[0] && !r->o->quiet)
        fprintf(stderr, "%s: note: columns not used: %s\n", input, unused);
out:
    if (rc < 0 && msg[0])
        fprintf(stderr, "%s\n", msg);
    else if (rc < 0)
        fprintf(stderr, "%s: %s\n", input, err_str(rc));
    listing_free(&l);
    record_free(&rec);
    reader_free(rd);
    fields_mapper_free(map);
    return rc < 0 ? rc : 0;
}

/* Fetch a URL input into a temporary file, conditionally. *fp is NULL and
 * 0 is returned when the server says the stored copy is current. */
static int open_url(struct run *r, const char *url, FILE **fp)
{
    struct fetch_opts fo;
    struct fetch_result res;
    char *etag = NULL, *lm = NULL, msg[1024];
    int rc;
    *fp = tmpfile();
    if (!*fp) {
        fprintf(stderr, "%s: cannot create a temporary file: %s\n", url,
                strerror(errno));
        return ERR_IO;
    }
    fetch_opts_init(&fo);
    fo.timeout_s = r->o->timeout_s;
    fo.connect_timeout_s = r->o->timeout_s < 10 ? r->o->timeout_s : 10;
    fo.max_bytes = r->o->max_bytes;
    if (stored_validators(r, url, &etag, &lm) < 0) {
        rc = ERR_DB;
        goto out;
    }
    fo.etag = etag;
    fo.last_modified = lm;
    rc = fetch_url(url, &fo, *fp, &res, msg, sizeof msg);
    if (rc < 0) {
        fprintf(stderr, "%s\n", msg);
        goto out;
    }
    if (!r->o->dry_run)
        rc = loader_set_validators(r->ld, url, res.etag, res.last_modified,
                                   !res.not_modified);
    if (res.not_modified) {
        if (!r->o->quiet)
            printf("%s: not modified since the last import (HTTP 304)\n", url);
        fclose(*fp);
        *fp = NULL;
    } else {
        rewind(*fp);
    }
    fetch_result_free(&res);
out:
    free(etag);
    free(lm);
    if (rc < 0 && *fp) {
        fclose(*fp);
        *fp = NULL;
    }
    return rc;
}

/* Import one INPUT. Returns 0, or an ERR_* after printing why. */
static int import_input(struct run *r, const char *input, bool *read_all)
{
    char source[1024];
    FILE *fp = NULL;
    long nread = 0;
    int rc = 0;
    *read_all = false;
    source_name(r->o, input, source, sizeof source);
    if (fetch_is_url(input)) {
        rc = open_url(r, input, &fp);
        if (rc < 0)
            return rc;
        if (!fp)
            return 0; /* 304: nothing to read, nothing to prune */
    } else if (strcmp(input, "-") == 0) {
        fp = stdin;
    } else if (!(fp = fopen(input, "rb"))) {
        fprintf(stderr, "%s: cannot open: %s\n", input, strerror(errno));
        return ERR_IO;
    }
    rc = load_stream(r, fp, input, source, fetch_is_url(input) ? input : NULL,
                     &nread);
    if (fp != stdin)
        fclose(fp);
    if (rc == 0) {
        *read_all = true;
        if (!r->o->quiet)
            printf("%s: %ld records read (source \"%s\")\n", input, nread,
                   source);
    }
    return rc;
}

static void print_summary(struct run *r, long totals[5])
{
    memset(totals, 0, 5 * sizeof *totals);
    if (!r->o->quiet)
        printf("%-10s %8s %8s %10s %8s %8s\n", "category", "added", "changed",
               "unchanged", "removed", "invalid");
    for (size_t i = 0; i < r->ntally; i++) {
        struct tally *t = &r->tally[i];
        if (!r->o->quiet)
            printf("%-10s %8ld %8ld %10ld %8ld %8ld\n", t->category, t->added,
                   t->changed, t->unchanged, t->removed, t->invalid);
        totals[0] += t->added;
        totals[1] += t->changed;
        totals[2] += t->unchanged;
        totals[3] += t->removed;
        totals[4] += t->invalid;
    }
    printf("total: %ld added, %ld changed, %ld unchanged, %ld removed, "
           "%ld invalid%s\n",
           totals[0], totals[1], totals[2], totals[3], totals[4],
           r->o->dry_run ? " (dry run: nothing written)" : "");
}

/* --add-category SLUG=LABEL: a new category (or a new French label for
 * one), written in the run's transaction like everything else. */
static int add_category(struct run *r, char *msg, size_t msgsz)
{
    const char *spec = r->o->add_category, *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : 0;
    bool ok = n >= 2 && n <= 31 && spec[0] >= 'a' && spec[0] <= 'z' &&
              eq[1] != '\0' && text_utf8_valid(eq + 1, strlen(eq + 1)) &&
              strlen(eq + 1) <= 100;
    for (size_t i = 0; ok && i < n; i++)
        ok = (spec[i] >= 'a' && spec[i] <= 'z') ||
             (spec[i] >= '0' && spec[i] <= '9') || spec[i] == '-';
    if (!ok) {
        snprintf(msg, msgsz,
                 "--add-category: expected SLUG=LABEL with a lower-case slug "
                 "(2-31 of a-z, 0-9, '-'), e.g. mado=\"Maison de "
                 "l'adolescent\"");
        return EXIT_USAGE;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db,
                                "INSERT INTO categories(slug, label_fr)"
                                " VALUES(?1, ?2) ON CONFLICT(slug) DO UPDATE"
                                " SET label_fr = excluded.label_fr",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, spec, (int)n, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, eq + 1, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        snprintf(msg, msgsz, "%s: %s", r->o->db_path, sqlite3_errmsg(r->db));
        return EXIT_DATABASE;
    }
    return 0;
}

static int setup(struct run *r, char *msg, size_t msgsz)
{
    int rc = db_open(r->o->db_path, DB_READWRITE, &r->db, msg, msgsz);
    if (rc < 0)
        return EXIT_DATABASE;
    if (loader_begin(r->db, &r->ld, msg, msgsz) < 0)
        return EXIT_DATABASE;
    if (r->o->add_category && (rc = add_category(r, msg, msgsz)) != 0)
        return rc;
    if (fields_load_categories(r->db, &r->cats) < 0) {
        snprintf(msg, msgsz, "%s: cannot read categories", r->o->db_path);
        return EXIT_DATABASE;
    }
    if (r->o->category && !fields_category(&r->cats, r->o->category)) {
        snprintf(msg, msgsz, "--category: unknown category \"%s\"",
                 r->o->category);
        return EXIT_USAGE;
    }
    if (gaz_load(r->o->data_dir, &r->gaz, msg, msgsz) < 0 ||
        crs_new(&r->crs, msg, msgsz) < 0)
        return EXIT_INPUT;
    if (r->o->geocoder_url &&
        geocoder_new(r->o->geocoder_url, r->o->timeout_s, &r->geocoder) < 0) {
        snprintf(msg, msgsz, "out of memory");
        return EXIT_INPUT;
    }
    return 0;
}

static int finish(struct run *r, bool *read_all)
{
    char msg[1024] = "";
    long totals[5];
    int code = EXIT_OK;
    for (int i = 0; r->o->prune && i < r->o->ninputs && !r->failed_input; i++) {
        char source[1024];
        source_name(r->o, r->o->inputs[i], source, sizeof source);
        if (!read_all[i] || (i > 0 && r->o->source))
            continue; /* 304 inputs keep their listings; prune once */
        long n = loader_prune(r->ld, source, r->o->force, on_removed, r, msg,
                              sizeof msg);
        if (n < 0) {
            fprintf(stderr, "%s\n", msg);
            code = n == ERR_GUARD ? EXIT_REFUSED : EXIT_DATABASE;
            break;
        }
    }
    print_summary(r, totals);
    if (code == EXIT_OK && r->failed_input)
        code = EXIT_INPUT;
    if (code == EXIT_OK && totals[4] > 0 && !r->o->skip_invalid) {
        fprintf(stderr,
                "nothing was imported: %ld invalid record%s (fix %s, or use "
                "--skip-invalid to load the valid ones)\n",
                totals[4], totals[4] == 1 ? "" : "s",
                totals[4] == 1 ? "it" : "them");
        code = EXIT_INVALID;
    }
    bool commit = code == EXIT_OK && !r->o->dry_run;
    if (commit) {
        char sources[2048] = "";
        for (int i = 0; i < r->o->ninputs; i++)
            snprintf(sources + strlen(sources),
                     sizeof sources - strlen(sources), "%s%s", i ? " " : "",
                     r->o->inputs[i]);
        if (loader_log(r->ld, sources, totals[0], totals[1], totals[2],
                       totals[3], totals[4]) < 0) {
            fprintf(stderr, "%s: %s\n", r->o->db_path, sqlite3_errmsg(r->db));
            commit = false;
            code = EXIT_DATABASE;
        }
    }
    if (loader_end(r->ld, commit, msg, sizeof msg) < 0) {
        fprintf(stderr, "%s: %s\n", r->o->db_path, msg);
        code = EXIT_DATABASE;
    }
    r->ld = NULL;
    return code;
}

/* Copy the WAL into the database file and truncate it to zero bytes, so
 * that between runs the file alone holds the data. A database file renamed
 * over this one (the README's way to swap in a rebuilt directory) is
 * otherwise read through this file's WAL, which SQLite cannot tell apart
 * from its own: the server's open connections keep the importer from
 * being the last to close, and only the last checkpoints (SQLite doc
 * "Write-Ahead Logging", 3.; PRAGMA wal_checkpoint(TRUNCATE) waits for
 * readers with the busy handler). */
static void empty_wal(sqlite3 *db, const char *path)
{
    sqlite3_stmt *st = NULL;
    bool done = sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1,
                                   &st, NULL) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW &&
                sqlite3_column_int(st, 0) == 0;
    sqlite3_finalize(st);
    if (!done)
        fprintf(stderr,
                "%s: note: the WAL could not be emptied (readers busy); "
                "do not replace the file before the next import\n",
                path);
}

int import_run(const struct import_opts *o)
{
    struct run r = {.o = o};
    char msg[1024] = "";
    bool *read_all = calloc((size_t)o->ninputs, sizeof *read_all);
    int code;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!read_all) {
        code = EXIT_DATABASE;
        goto out;
    }
    code = setup(&r, msg, sizeof msg);
    if (code != 0) {
        fprintf(stderr, "amo-import: %s\n", msg);
        goto out;
    }
    for (int i = 0; i < o->ninputs; i++) {
        int rc = import_input(&r, o->inputs[i], &read_all[i]);
        if (rc == ERR_DB) {
            fprintf(stderr, "%s: %s\n", o->db_path, sqlite3_errmsg(r.db));
            code = EXIT_DATABASE;
            loader_end(r.ld, false, msg, sizeof msg);
            r.ld = NULL;
            goto out;
        }
        if (rc < 0)
            r.failed_input = true;
    }
    code = finish(&r, read_all);
out:
    if (r.ld)
        loader_end(r.ld, false, msg, sizeof msg);
    free(read_all);
    geocoder_free(r.geocoder);
    crs_free(r.crs);
    gaz_free(r.gaz);
    if (r.db)
        empty_wal(r.db, o->db_path);
    sqlite3_close(r.db);
    curl_global_cleanup();
    return code;
}
