/* fuzz_ndjson.c - libFuzzer target: newline-delimited GeoJSON/JSON and RFC 8142
 * sequences read by the importer's reader and checked by fields_convert(), as
 * amo-import reads a file. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_gazetteer();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import(data, size, FMT_NDJSON);
    return 0;
}
