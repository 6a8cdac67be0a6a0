/* db.c - schema and migrations of the directory database (see db.h).
 *
 * Each migration takes the schema from version i to i+1; they run in order
 * inside one transaction, so a crash mid-way leaves the old version. */
#include "db.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

static const char *const migrations[DB_SCHEMA_VERSION] = {
    /* 0 -> 1: listings with their full-text and spatial indexes. */
    "CREATE TABLE categories("
    "  slug TEXT PRIMARY KEY,"
    "  label_fr TEXT NOT NULL, label_nl TEXT, label_en TEXT);"
    "INSERT INTO categories VALUES"
    " ('amo','Service AMO (actions en milieu ouvert)','AMO-dienst',"
    "  'Youth support service (AMO)'),"
    " ('cpas','CPAS','OCMW','Public social welfare centre (CPAS)'),"
    " ('planning','Centre de planning familial','Centrum voor "
    "gezinsplanning','Family planning centre'),"
    " ('sdj','Service Droit des Jeunes','Dienst Jeugdrecht',"
    "  'Youth rights service (SDJ)');"
    "CREATE TABLE listings("
    "  id INTEGER NOT NULL UNIQUE,"
    "  category TEXT NOT NULL REFERENCES categories(slug),"
    "  name TEXT NOT NULL, description TEXT,"
    "  street TEXT, postcode TEXT, commune TEXT, nis TEXT,"
    "  lat REAL, lon REAL, position_source TEXT,"
    "  phone TEXT, email TEXT, website TEXT,"
    "  age_min INTEGER, age_max INTEGER,"
    "  languages TEXT, opening_hours TEXT, themes TEXT, territory TEXT,"
    "  source TEXT NOT NULL, source_url TEXT, source_id TEXT NOT NULL,"
    "  verified_at TEXT,"
    "  first_seen TEXT NOT NULL, updated_at TEXT NOT NULL,"
    "  fingerprint INTEGER NOT NULL,"
    "  UNIQUE(source, source_id));"
    "CREATE INDEX listings_category ON listings(category);"
    "CREATE INDEX listings_nis ON listings(nis);"
    /* Accent- and case-insensitive, with prefix indexes so "schaer" is a
     * cheap lookup (FTS5 doc, section 4.2 "Prefix Indexes"). */
    "CREATE VIRTUAL TABLE listings_fts USING fts5("
    "  name, commune, postcode, themes, address, description,"
    "  prefix='2 3 4', tokenize='unicode61 remove_diacritics 2');"
    "CREATE VIRTUAL TABLE listings_rtree USING rtree("
    "  id, min_lat, max_lat, min_lon, max_lon);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "INSERT INTO meta VALUES ('data_version', '0');",

    /* 1 -> 2: territories as rows (for "who serves my commune"), HTTP
     * validators of URL sources, and a log of import runs. */
    "CREATE TABLE listing_territory("
    "  nis TEXT NOT NULL, listing_id INTEGER NOT NULL,"
    "  PRIMARY KEY(nis, listing_id)) WITHOUT ROWID;"
    "WITH RECURSIVE split(id, rest, nis) AS ("
    "  SELECT id, territory || '|', NULL FROM listings"
    "   WHERE territory IS NOT NULL AND territory <> ''"
    "  UNION ALL"
    "  SELECT id, substr(rest, instr(rest, '|') + 1),"
    "         substr(rest, 1, instr(rest, '|') - 1)"
    "   FROM split WHERE rest <> '')"
    "INSERT OR IGNORE INTO listing_territory"
    "  SELECT nis, id FROM split WHERE nis IS NOT NULL AND nis <> '';"
    "CREATE TABLE sources("
    "  url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
    "  checked_at TEXT, changed_at TEXT);"
    "CREATE TABLE imports("
    "  id INTEGER PRIMARY KEY, source TEXT, started_at TEXT,"
    "  finished_at TEXT, added INTEGER, changed INTEGER,"
    "  unchanged INTEGER, removed INTEGER, invalid INTEGER);",

    /* 2 -> 3: category and ages ride in the R*Tree as auxiliary columns,
     * so "nearest AMO for a 16-year-old" filters without a join. */
    "DROP TABLE listings_rtree;"
    "CREATE VIRTUAL TABLE listings_rtree USING rtree("
    "  id, min_lat, max_lat, min_lon, max_lon,"
    "  +category, +age_min, +age_max);"
    "INSERT INTO listings_rtree SELECT id, lat, lat, lon, lon, category,"
    "  age_min, age_max FROM listings WHERE lat IS NOT NULL ORDER BY id;",

    /* 3 -> 4: the words of the full-text index, for the search's typo
     * tolerance. fts5vocab also counts each word's documents, which costs
     * a read of every doclist; this table is a plain index range scan. */
    "CREATE TABLE terms(term TEXT PRIMARY KEY) WITHOUT ROWID;"
    "CREATE VIRTUAL TABLE temp.migrate_vocab USING"
    "  fts5vocab(main, 'listings_fts', 'row');"
    "INSERT INTO terms SELECT term FROM temp.migrate_vocab"
    "  WHERE length(term) >= 3 AND term NOT GLOB '[0-9]*';"
    "DROP TABLE temp.migrate_vocab;",

    /* 4 -> 5: a search for a category alone ("cpas") lists it by name. */
    "CREATE INDEX listings_category_name ON listings(category, name);",

    /* 5 -> 6: the date of the source itself (a day, month, year or range),
     * apart from verified_at (when we read it): an old brochure's phone
     * may have changed, and the page says so. */
    "ALTER TABLE listings ADD COLUMN source_date TEXT;",

    /* 6 -> 7: each category's colour (CSS #rrggbb), so the page's badges
     * and the map's points come from this table like the labels do. */
    "ALTER TABLE categories ADD COLUMN color TEXT;"
    "UPDATE categories SET color = CASE slug WHEN 'amo' THEN '#b3261e'"
    " WHEN 'cpas' THEN '#1d5fa8' WHEN 'planning' THEN '#7b3fa0'"
    " WHEN 'sdj' THEN '#1b7a45' END;",

    /* 7 -> 8: each listing's words reduced to their Snowball stems in
     * French, Dutch and English (lib/stem.c), in a column of its own and
     * in the index, so that "disputes" finds "dispute" and "ouders"
     * "ouder". The stems are computed in C: amo-import fills the rows
     * this leaves NULL (load.c) and indexes them again. */
    "ALTER TABLE listings ADD COLUMN stems TEXT;"
    "DROP TABLE listings_fts;"
    "CREATE VIRTUAL TABLE listings_fts USING fts5("
    "  name, commune, postcode, themes, address, description, stems,"
    "  prefix='2 3 4', tokenize='unicode61 remove_diacritics 2');"
    "INSERT INTO listings_fts(rowid, name, commune, postcode, themes,"
    "  address, description) SELECT id, name, commune, postcode, themes,"
    "  street, description FROM listings ORDER BY id;",

    /* 8 -> 9: indexes the competence box and the situations need at a
     * million listings: a commune's listings of one category by name (a
     * scan of the category's quarter million rows before; a situation
     * takes the first three), and the AMO open day and night (a handful,
     * among a quarter million AMO). The category
     * index alone is the prefix of (category, name): dropped. */
    "DROP INDEX listings_category;"
    "DROP INDEX listings_nis;"
    "CREATE INDEX listings_nis_category ON listings(nis, category, name);"
    "CREATE INDEX listings_24h ON listings(category, name)"
    "  WHERE opening_hours = '24/7';",

    /* 9 -> 10: the id is the table's rowid (INTEGER PRIMARY KEY), so a
     * listing read by id is one B-tree search, not two (the unique index,
     * then the table): the nearest and the search read their answers so,
     * five to fifty rows a request. */
    "CREATE TABLE listings_new("
    "  id INTEGER PRIMARY KEY,"
    "  category TEXT NOT NULL REFERENCES categories(slug),"
    "  name TEXT NOT NULL, description TEXT,"
    "  street TEXT, postcode TEXT, commune TEXT, nis TEXT,"
    "  lat REAL, lon REAL, position_source TEXT,"
    "  phone TEXT, email TEXT, website TEXT,"
    "  age_min INTEGER, age_max INTEGER,"
    "  languages TEXT, opening_hours TEXT, themes TEXT, territory TEXT,"
    "  source TEXT NOT NULL, source_url TEXT, source_id TEXT NOT NULL,"
    "  verified_at TEXT,"
    "  first_seen TEXT NOT NULL, updated_at TEXT NOT NULL,"
    "  fingerprint INTEGER NOT NULL, source_date TEXT, stems TEXT,"
    "  UNIQUE(source, source_id));"
    "INSERT INTO listings_new SELECT id, category, name, description, street,"
    "  postcode, commune, nis, lat, lon, position_source, phone, email,"
    "  website, age_min, age_max, languages, opening_hours, themes,"
    "  territory, source, source_url, source_id, verified_at, first_seen,"
    "  updated_at, fingerprint, source_date, stems FROM listings ORDER BY id;"
    "DROP TABLE listings;"
    "ALTER TABLE listings_new RENAME TO listings;"
    "CREATE INDEX listings_category_name ON listings(category, name);"
    "CREATE INDEX listings_nis_category ON listings(nis, category, name);"
    "CREATE INDEX listings_24h ON listings(category, name)"
    "  WHERE opening_hours = '24/7';",
};

int db_exec(sqlite3 *db, const char *sql, char *msg, size_t msgsz)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
        return 0;
    snprintf(msg, msgsz, "%s", err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    return ERR_DB;
}

int db_schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int db_migrate(sqlite3 *db, int target, char *msg, size_t msgsz)
{
    char sql[64];
    int rc = db_exec(db, "BEGIN IMMEDIATE", msg, msgsz);
    if (rc < 0)
        return rc;
    /* Read the version inside the write lock: two importers starting at
     * once must not both migrate. */
    int v = db_schema_version(db);
    if (v < 0) {
        snprintf(msg, msgsz, "cannot read schema version: %s",
                 sqlite3_errmsg(db));
        rc = ERR_DB;
        goto out;
    }
    if (v > DB_SCHEMA_VERSION) {
        snprintf(msg, msgsz,
                 "database schema version %d is newer than this program "
                 "(version %d): use a newer amo-import/amo-server",
                 v, DB_SCHEMA_VERSION);
        rc = ERR_SCHEMA;
        goto out;
    }
    for (; v < target; v++) {
        rc = db_exec(db, migrations[v], msg, msgsz);
        if (rc < 0)
            goto out;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
    rc = db_exec(db, sql, msg, msgsz);
out:
    if (rc < 0) {
        char ignore[8];
        db_exec(db, "ROLLBACK", ignore, sizeof ignore);
        return rc;
    }
    return db_exec(db, "COMMIT", msg, msgsz);
}

static int db_configure(sqlite3 *db, enum db_mode mode, char *msg, size_t msgsz)
{
    /* Readers wait out a commit instead of failing (SQLite busy handler). */
    sqlite3_busy_timeout(db, 5000);
    /* The server reads the same pages for every request: map the file
     * (no copy per page read; SQLite caps the size at its compile-time
     * SQLITE_MAX_MMAP_SIZE, 2 GB in Debian's build, and reads the rest)
     * and keep a larger cache per connection. */
    if (mode == DB_READONLY)
        return db_exec(db,
                       "PRAGMA mmap_size=8589934592; PRAGMA cache_size=-16384;"
                       "PRAGMA query_only=1",
                       msg, msgsz);
    /* WAL: readers never block the importer and see either the old or the
     * new data, never half an import. synchronous=NORMAL is safe against a
     * killed process in WAL mode (SQLite doc "WAL mode", section 3). */
    int rc = db_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768;",
                     msg, msgsz);
    return rc;
}

int db_open(const char *path, enum db_mode mode, sqlite3 **out, char *msg,
            size_t msgsz)
{
    sqlite3 *db = NULL;
    char why[512] = "";
    int rc = 0;
    int flags = mode == DB_READONLY
                    ? SQLITE_OPEN_READONLY
                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    *out = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
        rc = ERR_DB;
        goto out;
    }
    rc = db_configure(db, mode, why, sizeof why);
    if (rc < 0)
        goto out;
    int v = db_schema_version(db);
    if (v < 0) {
        snprintf(why, sizeof why, "not a database (%s)", sqlite3_errmsg(db));
        rc = ERR_DB;
    } else if (v > DB_SCHEMA_VERSION) {
        snprintf(why, sizeof why,
                 "database schema version %d is newer than this program "
                 "(version %d): use a newer amo-import/amo-server",
                 v, DB_SCHEMA_VERSION);
        rc = ERR_SCHEMA;
    } else if (v < DB_SCHEMA_VERSION && mode == DB_READONLY) {
        snprintf(why, sizeof why,
                 "database schema version %d is older than this program "
                 "(version %d): run amo-import once to migrate it",
                 v, DB_SCHEMA_VERSION);
        rc = ERR_SCHEMA;
    } else if (v < DB_SCHEMA_VERSION) {
        rc = db_migrate(db, DB_SCHEMA_VERSION, why, sizeof why);
    }
out:
    if (rc < 0) {
        snprintf(msg, msgsz, "%s: %s", path, why);
        sqlite3_close(db); /* also after a failed open (SQLite doc) */
        return rc;
    }
    *out = db;
    return 0;
}
