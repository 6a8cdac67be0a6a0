/* err.c - descriptions for the error vocabulary of err.h. */
#include "err.h"

const char *err_str(int code)
{
    switch (code) {
    case ERR_OK: return "success";
    case ERR_NOMEM: return "out of memory";
    case ERR_IO: return "input/output error";
    case ERR_TOOBIG: return "input too large";
    case ERR_PARSE: return "malformed input";
    case ERR_INVALID: return "invalid record";
    case ERR_DB: return "database error";
    case ERR_SCHEMA: return "database schema too new";
    case ERR_FETCH: return "fetch failed";
    case ERR_NOTFOUND: return "not found";
    case ERR_PROJ: return "coordinate conversion failed";
    case ERR_USAGE: return "bad usage";
    case ERR_GUARD: return "refused by safety guard";
    case ERR_ENCODING: return "invalid UTF-8";
    case ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}
