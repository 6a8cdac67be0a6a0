/* fuzz_params.c - libFuzzer target: the query-parameter parsers of
 * server/params.c (numbers, whole numbers, categories checked against a
 * real database, bounding boxes, points) on one decoded value, after the
 * checks http.c makes before any handler sees it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "params.h"
#include "parse.h"
#include "store.h"

#define MAX_VALUE 1024

static struct store *store;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char msg[512];
    if (store_for_thread(fuzz_database(), &store, msg, sizeof msg) < 0)
        fuzz_fail("%s", msg);
    return 0;
}

/* A refused value must leave a 400 naming the parameter. */
static void check_refusal(struct reply *rp, const char *key)
{
    if (rp->status != 400 || !rp->body.data || !strstr(rp->body.data, key))
        fuzz_fail("%s refused without a 400 naming it", key);
    buf_reset(&rp->body);
    rp->status = 200;
}

static void parse_all(struct request *rq, struct reply *rp)
{
    double d, bb[4], lat, lon;
    long n;
    char cats[256];
    int rc = param_double(rq, rp, "lat", -90, 90, &d);
    if (rc == 1 && !(d >= -90 && d <= 90))
        fuzz_fail("lat %g accepted", d);
    if (rc < 0)
        check_refusal(rp, "lat");
    if ((rc = param_long(rq, rp, "limit", 1, 50, &n)) == 1 && (n < 1 || n > 50))
        fuzz_fail("limit %ld accepted", n);
    if (rc < 0)
        check_refusal(rp, "limit");
    rc = param_categories(rq, rp, "category", cats, sizeof cats);
    if (rc == 1 && (cats[0] != ',' || cats[strlen(cats) - 1] != ','))
        fuzz_fail("categories \"%s\" not framed by commas", cats);
    if (rc < 0)
        check_refusal(rp, "category");
    rc = param_bbox(rq, rp, "bbox", bb);
    if (rc == 1 && !(bb[0] >= -180 && bb[0] <= bb[2] && bb[2] <= 180 &&
                     bb[1] >= -90 && bb[1] <= bb[3] && bb[3] <= 90))
        fuzz_fail("bbox %g,%g,%g,%g accepted", bb[0], bb[1], bb[2], bb[3]);
    if (rc < 0)
        check_refusal(rp, "bbox");
    rc = param_point(rq, rp, "near", &lat, &lon);
    if (rc == 1 && !(fabs(lat) <= 90 && fabs(lon) <= 180))
        fuzz_fail("near %g,%g accepted", lat, lon);
    if (rc < 0)
        check_refusal(rp, "near");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"lat", "limit", "category", "bbox",
                                       "near"};
    if (size > MAX_VALUE)
        return 0;
    char *v = malloc(size + 1);
    memcpy(v, data, size);
    v[size] = '\0';
    struct request rq = {.path = "/api/fuzz", .store = store};
    struct reply rp = {.status = 200};
    char bad[160];
    buf_init(&rp.body, 1 << 16);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (http_add_param(&rq, keys[i], strlen(keys[i]), v, size, bad,
                           sizeof bad) < 0)
            goto out; /* answered 400 before any handler */
    if (store_begin(store) < 0)
        fuzz_fail("cannot read the database");
    parse_all(&rq, &rp);
    store_end(store);
out:
    buf_free(&rp.body);
    free(v);
    return 0;
}
