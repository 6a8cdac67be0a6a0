/* fuzz.h - what the libFuzzer targets of tests/fuzz/ share: the real
 * gazetteer, PROJ converter and categories loaded once, one input fed
 * through the importer's reader and field checks, and a scratch database
 * of the shipped listings for the server's handlers.
 * Ownership: everything set up here lives until the process exits (the
 * fuzzer never returns); inputs are borrowed from libFuzzer. */
#ifndef AMO_FUZZ_H
#define AMO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

/* The libFuzzer entry points, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Print "fuzz: what" and abort(): an invariant a bug would break, which
 * libFuzzer then reports as a crash with the input kept. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read 'data' as 'fmt' (FMT_AUTO: detected from the bytes, as for an
 * input without a known extension) with the importer's reader, and put
 * every record through fields_convert() as amo-import does, at most
 * FUZZ_MAX_RECORDS of them. */
#define FUZZ_MAX_RECORDS 256
void fuzz_import(const uint8_t *data, size_t size, enum format fmt);

/* A database of the shipped listings (data/listings, every CSV) imported into a
 * scratch directory, built on the first call; its path. */
const char *fuzz_database(void);
/* The gazetteer of data/gazetteer, loaded on the first call. */
const struct gazetteer *fuzz_gazetteer(void);

#endif
