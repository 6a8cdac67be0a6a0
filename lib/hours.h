/* hours.h - opening hours: the subset of OpenStreetMap's opening_hours
 * syntax the directory holds, Belgian public holidays, and whether a
 * listing is open at a given Brussels time.
 *
 * The subset: "24/7", or rules separated by ';', each a selector and
 * either time spans or "off":
 *     Mo-Fr 09:00-12:00,13:00-16:00; Sa 10:00-12:00; PH off
 * A selector is days (Mo Tu We Th Fr Sa Su, ranges and lists) or PH (a
 * public holiday). As in OpenStreetMap, a later rule replaces what an
 * earlier one said for the same day, and a day no rule names is closed.
 * Ownership: pure functions on caller structs; nothing allocates. */
#ifndef AMO_HOURS_H
#define AMO_HOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HOURS_MAX_SPANS 6 /* time spans in one day */
#define HOURS_PH 7        /* the index of public holidays in day[] */

struct hours_span {
    short from, to; /* minutes since midnight, from < to <= 1440 */
};

struct hours {
    bool always; /* 24/7 */
    struct {
        bool named; /* some rule gave this day (PH: a PH rule exists) */
        int n;
        struct hours_span span[HOURS_MAX_SPANS];
    } day[8]; /* 0 Sunday .. 6 Saturday (as struct tm), 7 public holidays */
};

/* A moment in Brussels local time. */
struct hours_time {
    int year, month, day; /* 1-12, 1-31 */
    int wday;             /* 0 Sunday .. 6 Saturday */
    int minute;           /* since midnight */
};

/* Parse 'oh' into 'h'. Returns 0, or ERR_PARSE with 'why' naming the
 * first part beyond the subset ("\"Mo-Fr 9h-12h\": times are HH:MM-HH:MM"). */
int hours_parse(const char *oh, struct hours *h, char *why, size_t whysz);

/* The Brussels local time of 't' (CET, CEST from the last Sunday of
 * March to the last Sunday of October at 01:00 UTC, EU directive
 * 2000/84/EC), without depending on the process's TZ. */
void hours_brussels(time_t t, struct hours_time *out);

/* The public holiday that falls on y-m-d, as a short key ("toussaint",
 * "lundi-paques", ...), or NULL. 'fwb' adds 27 September, the holiday
 * of the Fédération Wallonie-Bruxelles, on which the services it
 * approves (AMO, SDJ) close. */
const char *hours_holiday(int year, int month, int day, bool fwb);

/* Whether 'h' is open at 't': 1 open, 0 closed, -1 unknown (a public
 * holiday the hours say nothing about: the page does not guess). */
int hours_open(const struct hours *h, const struct hours_time *t, bool fwb);

/* True for the categories whose services follow the Fédération
 * Wallonie-Bruxelles's holidays (see hours_holiday). */
bool hours_fwb_category(const char *slug);

#endif
