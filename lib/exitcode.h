/* exitcode.h - the exit codes of the three programs: one meaning, one
 * number, whichever program exits (documented once, in docs/ and the man
 * pages).
 * Ownership: nothing is allocated. */
#ifndef AMO_EXITCODE_H
#define AMO_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,         /* done (amo-import: also when --skip-invalid
                          * skipped records) */
    EXIT_INVALID = 1,    /* amo-import: invalid records, nothing written */
    EXIT_USAGE = 2,      /* bad options or arguments */
    EXIT_INPUT = 3,      /* an input could not be read or fetched (a file,
                          * a URL, the gazetteer or boundary files) */
    EXIT_DATABASE = 4,   /* the database could not be opened, read or
                          * written */
    EXIT_REFUSED = 5,    /* a safety guard refused (amo-import --prune) */
    EXIT_OUTPUT = 6,     /* an output could not be written (amo-export's
                          * OUT), or amo-server could not listen */
    EXIT_INTERRUPTED = 7 /* stopped by a signal before the end; nothing
                          * was changed */
};

#endif
