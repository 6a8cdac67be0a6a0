/* report.c - the staff report and the coverage table (see report.h). */
#include "report.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

#include "db.h"
#include "err.h"
#include "srcdate.h"

#define OLD_SOURCE_YEARS 3 /* as the page's "check before you go" */

/* What one listing lacks. */
struct gaps {
    bool phone, email, street, position, old;
};

static bool gaps_any(const struct gaps *g)
{
    return g->phone || g->email || g->street || g->position || g->old;
}

static void gaps_of(sqlite3_stmt *st, long today, struct gaps *g)
{
    struct srcdate d;
    const char *sd = (const char *)sqlite3_column_text(st, 6);
    const char *pos = (const char *)sqlite3_column_text(st, 7);
    g->phone = sqlite3_column_type(st, 3) == SQLITE_NULL;
    g->email = sqlite3_column_type(st, 4) == SQLITE_NULL;
    g->street = sqlite3_column_type(st, 5) == SQLITE_NULL;
    g->position =
        !pos || strcmp(pos, "postcode") == 0 || strcmp(pos, "commune") == 0;
    g->old = sd && srcdate_parse(sd, &d) &&
             srcdate_older_than(&d, today, OLD_SOURCE_YEARS);
}

/* "phone, e-mail, street" into 'out'. */
static void gaps_text(const struct gaps *g, char *out, size_t outsz)
{
    const char *words[5];
    int n = 0;
    if (g->phone)
        words[n++] = "phone";
    if (g->email)
        words[n++] = "e-mail";
    if (g->street)
        words[n++] = "street";
    if (g->position)
        words[n++] = "precise position";
    if (g->old)
        words[n++] = "recent source";
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), outsz - strlen(out), "%s%s", i ? ", " : "",
                 words[i]);
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *out, const char *s, bool last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputc(last ? '\n' : ',', out);
}

static const char *text(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

/* The listings with something missing, by category, commune and name
 * (no population is shipped to rank communes by the visitors they
 * hold). */
static int write_listings(sqlite3 *db, enum report_format fmt, long today,
                          FILE *out)
{
    static const char sql[] =
        "SELECT category, commune, name, phone, email, street, source_date,"
        " position_source, source_id, source_url FROM listings"
        " ORDER BY category, commune COLLATE NOCASE, name COLLATE NOCASE, id";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    char last_cat[64] = "", missing[128];
    long listed = 0, total = 0;
    if (fmt == REPORT_CSV)
        fputs("category,source_id,name,commune,missing,source_date,"
              "source_url\n",
              out);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct gaps g;
        gaps_of(st, today, &g);
        total++;
        if (!gaps_any(&g))
            continue;
        listed++;
        gaps_text(&g, missing, sizeof missing);
        if (fmt == REPORT_CSV) {
            static const int cols[] = {0, 8, 2, 1};
            for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
                csv_field(out, text(st, cols[i]), false);
            csv_field(out, missing, false);
            csv_field(out, text(st, 6), false);
            csv_field(out, text(st, 9), true);
            continue;
        }
        if (strcmp(last_cat, text(st, 0)) != 0) {
            snprintf(last_cat, sizeof last_cat, "%s", text(st, 0));
            fprintf(out, "\n== %s ==\n%-24s %-44s %s\n", last_cat, "commune",
                    "name", "missing");
        }
        fprintf(out, "%-24.24s %-44.44s %s%s%s%s\n", text(st, 1), text(st, 2),
                missing, g.old ? " (source " : "", g.old ? text(st, 6) : "",
                g.old ? ")" : "");
    }
    int rc = sqlite3_finalize(st) == SQLITE_OK ? 0 : ERR_DB;
    if (fmt == REPORT_TABLE && rc == 0)
        fprintf(out, "\n%ld of %ld listings have something to complete.\n",
                listed, total);
    return rc;
}

/* The coverage table of data/README.md: how the listings were found and
 * positioned, per category. */
static int write_coverage(sqlite3 *db, long today, FILE *out)
{
    static const char sql[] =
        "SELECT category, name, name, phone, email, street, source_date,"
        " position_source FROM listings ORDER BY category";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return ERR_DB;
    fputs("| category | listings | with street | with phone | with e-mail |"
          " source coordinates | converted | address | postcode/place |"
          " commune | source over 3 years old | source undated |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|\n",
          out);
    char cat[64] = "";
    long n[11] = {0};
    int step;
    do {
        step = sqlite3_step(st);
        bool row = step == SQLITE_ROW;
        if ((!row || strcmp(cat, text(st, 0)) != 0) && n[0] > 0) {
            fprintf(out, "| %s |", cat);
            for (int i = 0; i < 11; i++)
                fprintf(out, " %ld |", n[i]);
            fputc('\n', out);
            memset(n, 0, sizeof n);
        }
        if (!row)
            break;
        snprintf(cat, sizeof cat, "%s", text(st, 0));
        static const char *const pos[] = {"source", "converted", "address",
                                          "postcode", "commune"};
        struct gaps g;
        gaps_of(st, today, &g);
        n[0]++;
        n[1] += !g.street;
        n[2] += !g.phone;
        n[3] += !g.email;
        for (int i = 0; i < 5; i++)
            n[4 + i] += strcmp(text(st, 7), pos[i]) == 0;
        n[9] += g.old;
        n[10] += sqlite3_column_type(st, 6) == SQLITE_NULL;
    } while (step == SQLITE_ROW);
    return sqlite3_finalize(st) == SQLITE_OK && step == SQLITE_DONE ? 0
                                                                    : ERR_DB;
}

int report_format_parse(const char *s)
{
    static const char *const names[] = {"table", "csv", "coverage"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int report_write(const char *db_path, enum report_format fmt, long today,
                 FILE *out, char *msg, size_t msgsz)
{
    sqlite3 *db = NULL;
    int rc = db_open(db_path, DB_READONLY, &db, msg, msgsz);
    if (rc < 0)
        return rc;
    /* One snapshot: an import running meanwhile is not half counted. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    rc = fmt == REPORT_COVERAGE ? write_coverage(db, today, out)
                                : write_listings(db, fmt, today, out);
    if (rc < 0)
        snprintf(msg, msgsz, "%s: %s", db_path, sqlite3_errmsg(db));
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}
