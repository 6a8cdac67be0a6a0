/* situations.h - what young people and their families come with ("je me
 * dispute avec mes parents", "ik ben zwanger", "kicked out"), mapped to the
 * kinds of service that help, in order, each with a plain reason and its
 * public source, and the helplines of urgent ones: data/situations/
 * situations.json, which staff edit; loaded and checked at start.
 * A query names a situation when its words cover one of the situation's
 * phrases (stemmed, stop words left out, typos within one or two letters
 * of a long word).
 * Ownership: situations_load() returns a table the caller frees with
 * situations_free(); everything it hands out is borrowed from it. */
#ifndef AMO_SITUATIONS_H
#define AMO_SITUATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stem.h"

#define SIT_LANGS 3            /* fr, nl, en: the order of enum lang (i18n.h) */
#define SIT_KIND_24H "amo-24h" /* an AMO open day and night */

struct sit_text {
    const char *t[SIT_LANGS];
};

struct sit_source {
    const char *key, *url, *date, *title, *excerpt;
};

struct sit_service {
    const char *kind; /* a category slug, or "amo-24h" */
    struct sit_text why;
    const struct sit_source *source;
};

struct sit_helpline {
    const char *name, *number; /* number as the source writes it */
    struct sit_text hours;     /* may be empty */
    const struct sit_source *source;
};

struct sit_group {
    const char *id;
    struct sit_text label;
};

struct situation {
    const char *id;
    const struct sit_group *group;
    bool urgent, sensitive;
    struct sit_text label, description;
    const struct sit_service *services;
    size_t nservices;
    const struct sit_helpline *helplines;
    size_t nhelplines;
};

struct situations;

/* Load and check 'path'. Returns 0, or ERR_IO / ERR_PARSE / ERR_INVALID /
 * ERR_NOMEM with 'msg' naming the file and the place ("situations.json:
 * situations[3].services[1].kind: ..."). */
int situations_load(const char *path, struct situations **out, char *msg,
                    size_t msgsz);
void situations_free(struct situations *s);

size_t situations_count(const struct situations *s);
const struct situation *situations_at(const struct situations *s, size_t i);
size_t situations_group_count(const struct situations *s);
const struct sit_group *situations_group_at(const struct situations *s,
                                            size_t i);
/* The situation or the group of that id, or NULL. */
/* A group whose situations are all sensitive (amour-sexualite, violence):
 * its id is kept out of URLs as theirs are. */
bool situations_group_sensitive(const struct situations *s,
                                const struct sit_group *g);
const struct situation *situations_find(const struct situations *s,
                                        const char *id);
const struct sit_group *situations_find_group(const struct situations *s,
                                              const char *id);

/* A word of a query, folded, with its stems (stem_word). */
struct sit_word {
    char folded[STEM_MAX];
    char stems[STEM_LANGS][STEM_MAX];
    int nstems;
    uint32_t letters; /* which of a-z it has: a cheap bound on typos */
    bool used;        /* set by situations_match for the words a phrase took */
    bool known;       /* set by situations_match: some phrase has it as it is */
};

/* The words of 'text' that are not stop words (nor one letter), folded
 * and stemmed, into out[0..max). Returns how many. */
int sit_words(const char *text, struct sit_word *out, int max);

/* The situations 'words' name, best first (the one whose matched phrase
 * has the most words; then the file's order), at most 'max'. The words a
 * matched phrase took are marked 'used'. Returns how many. */
int situations_match(const struct situations *s, struct sit_word *words,
                     int nwords, const struct situation **out, int max);

#endif
