/* stem.c - Snowball stems and stop words (see stem.h). */
#include "stem.h"

#include <ctype.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hmap.h"
#include "text.h"

/* Snowball's stop word lists for the three languages (snowballstem.org,
 * "stop.txt" of each algorithm), folded; a few spellings young people
 * type without accents or apostrophes ("jsuis" stays a word) are left to
 * the search. Sorted, for bsearch. */
static const char *const stopwords[] = {
    "a",      "about",  "above",   "after",   "again",   "against", "ai",
    "aie",    "aient",  "aies",    "ait",     "al",      "alles",   "als",
    "altijd", "am",     "an",      "and",     "andere",  "any",     "are",
    "as",     "at",     "au",      "aux",     "avec",    "avez",    "aviez",
    "avions", "avons",  "be",      "because", "been",    "before",  "being",
    "below",  "ben",    "between", "bij",     "both",    "but",     "by",
    "c",      "can",    "ce",      "ceci",    "cela",    "ces",     "cet",
    "cette",  "d",      "daar",    "dan",     "dans",    "dat",     "de",
    "der",    "des",    "deze",    "did",     "die",     "dit",     "do",
    "doch",   "does",   "doing",   "door",    "down",    "du",      "during",
    "each",   "een",    "eens",    "elle",    "elles",   "en",      "er",
    "es",     "est",    "et",      "etaient", "etais",   "etait",   "etant",
    "ete",    "etes",   "etions",  "etre",    "eu",      "eux",     "few",
    "for",    "from",   "further", "geen",    "geweest", "haar",    "had",
    "hare",   "has",    "have",    "having",  "he",      "heb",     "hebben",
    "heeft",  "her",    "here",    "hers",    "herself", "het",     "hier",
    "hij",    "him",    "himself", "his",     "hoe",     "how",     "hun",
    "i",      "iemand", "if",      "ik",      "il",      "ils",     "in",
    "into",   "is",     "it",      "its",     "itself",  "j",       "ja",
    "je",     "jij",    "jou",     "jouw",    "jullie",  "kan",     "kon",
    "kunnen", "l",      "la",      "le",      "les",     "leur",    "leurs",
    "lui",    "m",      "ma",      "maar",    "mais",    "me",      "mes",
    "met",    "mezelf", "mij",     "mijn",    "moet",    "moi",     "mon",
    "more",   "most",   "my",      "myself",  "n",       "na",      "naar",
    "ne",     "niet",   "niets",   "no",      "nor",     "nos",     "not",
    "notre",  "nous",   "nu",      "of",      "off",     "om",      "omdat",
    "on",     "once",   "ons",     "ook",     "op",      "or",      "other",
    "ou",     "our",    "ours",    "out",     "over",    "own",     "par",
    "pour",   "qu",     "que",     "qui",     "s",       "sa",      "same",
    "se",     "ses",    "she",     "should",  "so",      "some",    "son",
    "such",   "sur",    "t",       "ta",      "te",      "tegen",   "tes",
    "than",   "that",   "the",     "their",   "theirs",  "them",    "then",
    "there",  "these",  "they",    "this",    "those",   "through", "to",
    "toch",   "toi",    "ton",     "too",     "tot",     "tu",      "u",
    "uit",    "un",     "une",     "uw",      "van",     "veel",    "very",
    "voor",   "vos",    "votre",   "vous",    "want",    "was",     "wat",
    "we",     "were",   "what",    "when",    "where",   "which",   "while",
    "who",    "whom",   "why",     "wie",     "wij",     "wil",     "with",
    "worden", "wordt",  "y",       "you",     "your",    "yours",   "ze",
    "zelf",   "zich",   "zij",     "zijn",    "zo",      "zonder",  "zou",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool stem_stopword(const char *folded)
{
    return bsearch(&folded, stopwords, sizeof stopwords / sizeof *stopwords,
                   sizeof *stopwords, cmp_str) != NULL;
}

/* ---- stemmers, one set per thread ------------------------------------ */

static const char *const algorithms[STEM_LANGS] = {"french", "dutch",
                                                   "english"};

/* stem_text()'s memo of the words it has stemmed: a listing's words repeat
 * from one listing to the next (place names, kinds of service), and three
 * stemmers per word were 15% of an import (perf, 200,000 listings).
 * Direct-mapped, per thread, filled by stem_text only: the index's text,
 * never a visitor's words (queries call stem_word, which keeps nothing). */
#define MEMO_SLOTS 4096 /* a power of two; 740 KB, the importer's thread */
#define MEMO_KEY 32     /* longer words are stemmed each time */
struct memo {
    char key[MEMO_KEY];
    int n;
    char stems[STEM_LANGS][STEM_MAX];
};

struct stemmers {
    struct sb_stemmer *s[STEM_LANGS];
    struct memo *memo; /* MEMO_SLOTS, allocated by the first stem_text */
};

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void stemmers_free(void *p)
{
    struct stemmers *st = p;
    for (int i = 0; st && i < STEM_LANGS; i++)
        sb_stemmer_delete(st->s[i]);
    if (st)
        free(st->memo);
    free(st);
}

static void key_init(void)
{
    pthread_key_create(&key, stemmers_free);
}

static struct stemmers *stemmers(void)
{
    pthread_once(&once, key_init);
    struct stemmers *st = pthread_getspecific(key);
    if (st)
        return st;
    if (!(st = calloc(1, sizeof *st)))
        return NULL;
    for (int i = 0; i < STEM_LANGS; i++)
        if (!(st->s[i] = sb_stemmer_new(algorithms[i], "UTF_8"))) {
            stemmers_free(st);
            return NULL;
        }
    pthread_setspecific(key, st);
    return st;
}

int stem_word(const char *word, size_t len, char out[STEM_LANGS][STEM_MAX])
{
    char lower[STEM_MAX * 2];
    if (len == 0 || len >= sizeof lower)
        return 0;
    /* Snowball wants lower case; accents stay (French's rules use them)
     * and are folded after. */
    for (size_t i = 0; i < len; i++)
        lower[i] = (char)tolower((unsigned char)word[i]);
    lower[len] = '\0';
    struct stemmers *st = stemmers();
    int n = 0;
    for (int i = 0; st && i < STEM_LANGS; i++) {
        const sb_symbol *s =
            sb_stemmer_stem(st->s[i], (const sb_symbol *)lower, (int)len);
        if (!s)
            continue;
        char stem[STEM_MAX * 2];
        size_t sl = (size_t)sb_stemmer_length(st->s[i]);
        if (sl >= sizeof stem)
            continue;
        memcpy(stem, s, sl);
        stem[sl] = '\0';
        char folded[STEM_MAX];
        if (text_fold(stem, folded, sizeof folded) == 0)
            continue;
        bool dup = false;
        for (int k = 0; k < n; k++)
            dup |= strcmp(out[k], folded) == 0;
        if (!dup)
            memcpy(out[n++], folded, sizeof folded);
    }
    return n;
}

/* stem_word() through the thread's memo; the same result. */
static int stem_word_memo(const char *w, size_t len,
                          char out[STEM_LANGS][STEM_MAX])
{
    struct stemmers *st = len < MEMO_KEY ? stemmers() : NULL;
    if (st && !st->memo)
        st->memo = calloc(MEMO_SLOTS, sizeof *st->memo);
    if (!st || !st->memo)
        return stem_word(w, len, out);
    struct memo *m = &st->memo[hmap_hash(w, len) & (MEMO_SLOTS - 1)];
    if (memcmp(m->key, w, len) != 0 || m->key[len] != '\0') {
        m->n = stem_word(w, len, m->stems);
        memcpy(m->key, w, len);
        m->key[len] = '\0';
    }
    memcpy(out, m->stems, sizeof m->stems);
    return m->n;
}

int stem_text(const char *text, struct buf *out)
{
    /* " s1 s2 ... ": each stem between spaces, to see it once only (the
     * stems of a listing, not their counts). */
    struct buf seen;
    buf_init(&seen, out->cap);
    int rc = buf_putc(&seen, ' ');
    size_t len;
    const char *p = text ? text : "";
    for (const char *w; rc == 0 && (w = text_word(p, &len)); p = w + len) {
        char word[STEM_MAX * 2], folded[STEM_MAX * 2];
        char stems[STEM_LANGS][STEM_MAX], needle[STEM_MAX + 2];
        if (len >= sizeof word)
            continue;
        memcpy(word, w, len);
        word[len] = '\0';
        if (text_fold(word, folded, sizeof folded) < 2 || stem_stopword(folded))
            continue;
        int n = stem_word_memo(w, len, stems);
        for (int i = 0; rc == 0 && i < n; i++) {
            snprintf(needle, sizeof needle, " %.*s ", STEM_MAX - 1, stems[i]);
            if (strstr(buf_str(&seen), needle))
                continue;
            rc = buf_puts(&seen, needle + 1);
        }
    }
    /* without the spaces around */
    if (rc == 0 && seen.len > 2)
        rc = buf_append(out, seen.data + 1, seen.len - 2);
    buf_free(&seen);
    return rc < 0 ? ERR_NOMEM : 0;
}

static void sql_stems(sqlite3_context *c, int n, sqlite3_value **v)
{
    (void)n;
    struct buf b;
    buf_init(&b, 1 << 20);
    if (stem_text((const char *)sqlite3_value_text(v[0]), &b) < 0) {
        buf_free(&b);
        sqlite3_result_error_nomem(c);
        return;
    }
    sqlite3_result_text(c, buf_str(&b), (int)b.len, SQLITE_TRANSIENT);
    buf_free(&b);
}

int stem_register(sqlite3 *db)
{
    return sqlite3_create_function(db, "amo_stems", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   sql_stems, NULL, NULL) == SQLITE_OK
               ? 0
               : ERR_DB;
}
