/* fuzz_ods.c - libFuzzer target: Opendatasoft exports (API v1 records with
 * recordid/fields/geometry, API v2 records with geo_point_2d as {lon,lat}
 * or "lat, lon") with the format detected from the first bytes, as for a
 * URL without an extension, then read and checked as amo-import does. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_gazetteer();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_import(data, size, FMT_AUTO);
    return 0;
}
