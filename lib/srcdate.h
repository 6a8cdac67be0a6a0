/* srcdate.h - the date of a listing's source: a day, a month, a year or
 * a range of them ("2022-05-09", "2017-03", "2019", "2008/2017"), as ISO
 * 8601 writes dates of reduced precision and intervals.
 * Ownership: pure functions on caller buffers; nothing allocates. */
#ifndef AMO_SRCDATE_H
#define AMO_SRCDATE_H

#include <stdbool.h>

/* The first and last day a source date can mean, as yyyymmdd numbers
 * (2008/2017 is 20080101 to 20171231). */
struct srcdate {
    long first, last;
};

/* Parse 's'. False when it is none of the forms above, when a day does
 * not exist, or when a range ends before it starts. */
bool srcdate_parse(const char *s, struct srcdate *out);

/* A yyyymmdd number from "YYYY-MM-DD" (verified_on); 0 when malformed. */
long srcdate_day(const char *s);

/* The year to show for a source date: the year itself, or the middle
 * year of a range (2008/2017 reads "2012 environ"). */
int srcdate_year(const struct srcdate *d);

/* True when every day the source date can mean is more than 'years'
 * years before the day 'today' (yyyymmdd): its facts may have changed. */
bool srcdate_older_than(const struct srcdate *d, long today, int years);

#endif
