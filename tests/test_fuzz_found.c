/* test_fuzz_found.c - inputs the fuzzers of tests/fuzz/ found to crash or
 * break an invariant, kept as regression tests of the normal suite: each
 * was committed failing, before its fix. In-process, so `make asan` sees
 * any out-of-bounds access as the fuzzer did. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "reader.h"
#include "record.h"

/* Open 'len' bytes of 'data' as 'fmt' and read every record; returns
 * reader_open's result, reader_next's last one in *last, and the number
 * of records read in *records (those the reader marked unreadable count
 * negatively: -1 is one unreadable record). */
static int read_all(const char *data, size_t len, enum format fmt, int *last,
                    long *records)
{
    FILE *fp = fmemopen((void *)data, len, "r");
    struct reader *r = NULL;
    struct record rec;
    char msg[512] = "";
    assert_non_null(fp);
    record_init(&rec);
    *records = 0;
    int rc = reader_open(&r, fp, "fuzz-input", fmt, 0, msg, sizeof msg);
    if (rc == 0) {
        while ((*last = reader_next(r, &rec, msg, sizeof msg)) == 1)
            *records += rec.error ? -1 : 1;
    }
    if (rc < 0 || *last < 0)
        assert_true(msg[0] != '\0'); /* every failure says why */
    reader_free(r);
    record_free(&rec);
    fclose(fp);
    return rc;
}

/* fuzz_csv/geojson/ndjson/json/ods, first run: an input of one byte made
 * reader_open() step its read position back past the start of the chunk
 * (the refill at the end of input had reset it to 0), and the next read
 * took chunk[SIZE_MAX]. */
static void one_byte_inputs_read_without_overrun(void **state)
{
    (void)state;
    int last = 0;
    long n = 0;
    /* "x" is a header line with one column and no record. */
    assert_int_equal(read_all("x", 1, FMT_CSV, &last, &n), 0);
    assert_int_equal(last, 0);
    assert_int_equal(n, 0);
    /* A lone "{" or "[" is unterminated JSON: an error naming the input,
     * or for NDJSON one unreadable record. */
    int rc = read_all("{", 1, FMT_GEOJSON, &last, &n);
    assert_true(rc == 0 && last < 0);
    rc = read_all("[", 1, FMT_JSON, &last, &n);
    assert_true(rc == 0 && last < 0);
    rc = read_all("{", 1, FMT_NDJSON, &last, &n);
    assert_true(rc == 0 && last == 0 && n == -1);
    /* One byte of a UTF-8 or a UTF-16 byte order mark: not UTF-8, and
     * said so (reader_open returns 0 or an ERR_*: "rc <= 0" held for
     * anything, so each case names the error it must be). */
    rc = read_all("\xEF", 1, FMT_CSV, &last, &n);
    assert_int_equal(rc, ERR_ENCODING);
    rc = read_all("\xFF", 1, FMT_CSV, &last, &n);
    assert_int_equal(rc, ERR_ENCODING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_byte_inputs_read_without_overrun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
