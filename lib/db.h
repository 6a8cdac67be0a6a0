/* db.h - the directory's SQLite database: open, schema version, migration.
 * Ownership: db_open() hands the caller a connection to close with
 * sqlite3_close(); messages go into the caller's buffer. */
#ifndef AMO_DB_H
#define AMO_DB_H

#include <sqlite3.h>
#include <stddef.h>

/* The schema version this program writes (PRAGMA user_version). */
#define DB_SCHEMA_VERSION 10

enum db_mode {
    DB_READONLY, /* the server: never writes, never migrates */
    DB_READWRITE /* the importer: creates, migrates, WAL */
};

/* Open 'path'. In DB_READWRITE mode a missing file is created and an older
 * schema is migrated to DB_SCHEMA_VERSION in one transaction. A database
 * newer than this program fails with ERR_SCHEMA. Returns 0 or an ERR_*;
 * on error *out is NULL and 'msg' says what went wrong, naming the file. */
int db_open(const char *path, enum db_mode mode, sqlite3 **out, char *msg,
            size_t msgsz);

/* Migrate an open read-write database up to version 'target' (at most
 * DB_SCHEMA_VERSION). Tests use it to build an old database. Returns 0,
 * ERR_SCHEMA or ERR_DB; on error the database is unchanged. */
int db_migrate(sqlite3 *db, int target, char *msg, size_t msgsz);

/* PRAGMA user_version of 'db', or -1 on error. */
int db_schema_version(sqlite3 *db);

/* Execute 'sql' (no parameters, may hold several statements). Returns 0 or
 * ERR_DB with SQLite's message in 'msg'. */
int db_exec(sqlite3 *db, const char *sql, char *msg, size_t msgsz);

#endif
