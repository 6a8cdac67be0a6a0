/* fuzz_json.c - libFuzzer target: JSON arrays of records read by the importer's
 * reader and checked by fields_convert(), as amo-import reads a file. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_gazetteer();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import(data, size, FMT_JSON);
    return 0;
}
