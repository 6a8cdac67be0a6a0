/* err.h - the project's one error vocabulary.
 * Ownership: err_str() returns a static string; nothing here allocates. */
#ifndef AMO_ERR_H
#define AMO_ERR_H

/* 0 is success; every error is negative so callers can test `rc < 0`. */
enum err {
    ERR_OK = 0,
    ERR_NOMEM = -1,       /* an allocation failed */
    ERR_IO = -2,          /* reading or writing a file failed (see errno) */
    ERR_TOOBIG = -3,      /* an input exceeded a documented cap */
    ERR_PARSE = -4,       /* input is not well-formed CSV/JSON/... */
    ERR_INVALID = -5,     /* a record failed validation */
    ERR_DB = -6,          /* SQLite reported an error */
    ERR_SCHEMA = -7,      /* database schema is newer than this program */
    ERR_FETCH = -8,       /* a URL could not be fetched */
    ERR_NOTFOUND = -9,    /* the thing looked up does not exist */
    ERR_PROJ = -10,       /* a coordinate conversion failed */
    ERR_USAGE = -11,      /* bad command-line usage */
    ERR_GUARD = -12,      /* a safety guard refused the operation (prune) */
    ERR_ENCODING = -13,   /* input is not valid UTF-8 */
    ERR_INTERRUPTED = -14 /* stopped by a signal before the end */
};

/* A short English description of 'code'; never NULL. */
const char *err_str(int code);

#endif
