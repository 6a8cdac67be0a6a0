/* situations.c - the situations table: load, check, match (see
 * situations.h). */
#include "situations.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hmap.h"
#include "text.h"
#include "vec.h"

#define MAX_PHRASE_WORDS 12

/* One phrase of one situation in one language, as words of the
 * vocabulary. */
struct phrase {
    size_t situation;
    int nwords;
    uint32_t w[MAX_PHRASE_WORDS];
};

struct situations {
    json_t *root; /* every string below points into it */
    struct sit_group *groups;
    size_t ngroups;
    struct situation *sits;
    size_t nsits;
    struct sit_source *sources;
    size_t nsources;
    struct phrase *phrases;
    size_t nphrases, cap_phrases;
    /* the phrases' distinct words, found by word and by stem (FNV-1a of
     * the text -> index + 1): a query is matched against each once */
    struct sit_word *vocab;
    size_t nvocab, cap_vocab;
    struct hmap by_word, by_stem;
    /* the arrays the situations point at */
    struct sit_service *services;
    struct sit_helpline *helplines;
};

static const char *const langs[SIT_LANGS] = {"fr", "nl", "en"};
static const char *const kinds[] = {"amo", SIT_KIND_24H, "cpas", "planning",
                                    "sdj"};

void situations_free(struct situations *s)
{
    if (!s)
        return;
    json_decref(s->root);
    free(s->groups);
    free(s->sits);
    free(s->sources);
    free(s->phrases);
    free(s->vocab);
    hmap_free(&s->by_word);
    hmap_free(&s->by_stem);
    free(s->services);
    free(s->helplines);
    free(s);
}

/* ---- checking ---------------------------------------------------------- */

struct check {
    const char *file;
    char *msg;
    size_t msgsz;
    bool failed;
};

static void bad(struct check *c, const char *where, const char *what)
{
    if (!c->failed)
        snprintf(c->msg, c->msgsz, "%s: %s: %s", c->file, where, what);
    c->failed = true;
}

static const char *text_at(struct check *c, json_t *o, const char *key,
                           const char *where, bool required)
{
    json_t *v = json_object_get(o, key);
    char at[256];
    snprintf(at, sizeof at, "%s.%s", where, key);
    if (!v && !required)
        return NULL;
    if (!json_is_string(v) || (required && !*json_string_value(v))) {
        bad(c, at, required ? "missing or not a text" : "not a text");
        return NULL;
    }
    return json_string_value(v);
}

/* {"fr": ..., "nl": ..., "en": ...}, each required unless 'optional'. */
static void texts_at(struct check *c, json_t *o, const char *key,
                     const char *where, struct sit_text *out, bool optional)
{
    json_t *v = json_object_get(o, key);
    char at[256];
    snprintf(at, sizeof at, "%s.%s", where, key);
    memset(out, 0, sizeof *out);
    if (!v && optional)
        return;
    if (!json_is_object(v)) {
        bad(c, at, "missing, or not {\"fr\": ..., \"nl\": ..., \"en\": ...}");
        return;
    }
    for (int l = 0; l < SIT_LANGS; l++)
        out->t[l] = text_at(c, v, langs[l], at, !optional);
}

static bool id_ok(const char *id)
{
    return id && *id && strlen(id) < 64 &&
           strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(id);
}

static const struct sit_source *source_of(struct check *c,
                                          const struct situations *s, json_t *o,
                                          const char *where)
{
    const char *key = text_at(c, o, "source", where, true);
    for (size_t i = 0; key && i < s->nsources; i++)
        if (strcmp(s->sources[i].key, key) == 0)
            return &s->sources[i];
    char at[256];
    snprintf(at, sizeof at, "%s.source", where);
    if (key)
        bad(c, at, "no such key in \"sources\"");
    return NULL;
}

static void load_sources(struct check *c, struct situations *s, json_t *srcs)
{
    if (!json_is_object(srcs) || json_object_size(srcs) == 0) {
        bad(c, "sources", "missing or empty: every reason needs its source");
        return;
    }
    s->sources = calloc(json_object_size(srcs), sizeof *s->sources);
    if (!s->sources) {
        bad(c, "sources", "out of memory");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(srcs, key, v)
    {
        char at[256];
        snprintf(at, sizeof at, "sources.%s", key);
        struct sit_source *src = &s->sources[s->nsources++];
        src->key = key;
        src->url = text_at(c, v, "url", at, true);
        src->date = text_at(c, v, "date", at, false);
        src->title = text_at(c, v, "title", at, false);
        src->excerpt = text_at(c, v, "excerpt", at, true);
        if (src->url && strncmp(src->url, "https://", 8) != 0 &&
            strncmp(src->url, "http://", 7) != 0)
            bad(c, at, "url: not an http(s) URL");
    }
}

static void load_groups(struct check *c, struct situations *s, json_t *groups)
{
    if (!json_is_array(groups) || json_array_size(groups) == 0) {
        bad(c, "groups", "missing or empty");
        return;
    }
    s->groups = calloc(json_array_size(groups), sizeof *s->groups);
    if (!s->groups) {
        bad(c, "groups", "out of memory");
        return;
    }
    for (size_t i = 0; i < json_array_size(groups); i++) {
        json_t *g = json_array_get(groups, i);
        char at[64];
        snprintf(at, sizeof at, "groups[%zu]", i);
        struct sit_group *out = &s->groups[s->ngroups++];
        out->id = text_at(c, g, "id", at, true);
        if (out->id && !id_ok(out->id))
            bad(c, at, "id: lower-case letters, digits and '-' only");
        texts_at(c, g, "label", at, &out->label, false);
    }
}

static uint64_t fnv1a(const char *p)
{
    return hmap_hash(p, strlen(p));
}

static bool same_stems(const struct sit_word *a, const struct sit_word *b)
{
    if (a->nstems != b->nstems)
        return false;
    for (int i = 0; i < a->nstems; i++)
        if (strcmp(a->stems[i], b->stems[i]) != 0)
            return false;
    return true;
}

/* The vocabulary's index of word 'w' into *out, added if new. */
static int vocab_add(struct situations *s, const struct sit_word *w,
                     uint32_t *out)
{
    uint64_t h = fnv1a(w->folded);
    for (size_t i = hmap_first(&s->by_word, h); i != HMAP_END;
         i = hmap_next(&s->by_word, h, i)) {
        size_t v = s->by_word.slots[i].value - 1;
        if (strcmp(s->vocab[v].folded, w->folded) == 0 &&
            same_stems(&s->vocab[v], w)) {
            *out = (uint32_t)v;
            return 0;
        }
    }
    if (vec_reserve((void **)&s->vocab, &s->cap_vocab, s->nvocab + 1,
                    sizeof *s->vocab) < 0 ||
        hmap_add(&s->by_word, h, s->nvocab + 1) < 0)
        return ERR_NOMEM;
    for (int i = 0; i < w->nstems; i++)
        if (strlen(w->stems[i]) >= 4 &&
            hmap_add(&s->by_stem, fnv1a(w->stems[i]), s->nvocab + 1) < 0)
            return ERR_NOMEM;
    s->vocab[s->nvocab] = *w;
    *out = (uint32_t)s->nvocab++;
    return 0;
}

/* The phrases of situation 'k', stemmed, into the index. */
static void index_phrases(struct check *c, struct situations *s, size_t k,
                          json_t *phrases, const char *where)
{
    if (!json_is_object(phrases) ||
        !json_array_size(json_object_get(phrases, "fr"))) {
        char at[256];
        snprintf(at, sizeof at, "%s.phrases", where);
        bad(c, at, "missing, or without French phrases");
        return;
    }
    for (int l = 0; l < SIT_LANGS; l++) {
        json_t *list = json_object_get(phrases, langs[l]);
        for (size_t i = 0; i < json_array_size(list); i++) {
            const char *text = json_string_value(json_array_get(list, i));
            char at[256];
            snprintf(at, sizeof at, "%s.phrases.%s[%zu]", where, langs[l], i);
            if (!text || !*text) {
                bad(c, at, "not a text");
                return;
            }
            if (vec_reserve((void **)&s->phrases, &s->cap_phrases,
                            s->nphrases + 1, sizeof *s->phrases) < 0) {
                bad(c, at, "out of memory");
                return;
            }
            struct phrase *p = &s->phrases[s->nphrases];
            struct sit_word w[MAX_PHRASE_WORDS];
            memset(p, 0, sizeof *p);
            p->situation = k;
            p->nwords = sit_words(text, w, MAX_PHRASE_WORDS);
            for (int n = 0; n < p->nwords; n++)
                if (vocab_add(s, &w[n], &p->w[n]) < 0) {
                    bad(c, at, "out of memory");
                    return;
                }
            if (p->nwords > 0)
                s->nphrases++; /* only stop words: it names nothing */
        }
    }
}

static void load_situation(struct check *c, struct situations *s, json_t *j,
                           size_t k, struct sit_service **svc,
                           struct sit_helpline **hl)
{
    char at[128];
    struct situation *out = &s->sits[k];
    const char *id = json_string_value(json_object_get(j, "id"));
    snprintf(at, sizeof at, "situations[%zu] (%s)", k, id ? id : "?");
    out->id = text_at(c, j, "id", at, true);
    if (out->id && !id_ok(out->id))
        bad(c, at, "id: lower-case letters, digits and '-' only");
    for (size_t i = 0; out->id && i < k; i++)
        if (s->sits[i].id && strcmp(s->sits[i].id, out->id) == 0)
            bad(c, at, "id: given twice");
    for (size_t i = 0; out->id && i < s->ngroups; i++)
        if (s->groups[i].id && strcmp(s->groups[i].id, out->id) == 0)
            bad(c, at, "id: also a group's");
    const char *group = text_at(c, j, "group", at, true);
    for (size_t i = 0; group && i < s->ngroups; i++)
        if (s->groups[i].id && strcmp(s->groups[i].id, group) == 0)
            out->group = &s->groups[i];
    if (group && !out->group)
        bad(c, at, "group: not one of \"groups\"");
    out->urgent = json_is_true(json_object_get(j, "urgent"));
    /* said of every situation, never guessed: a forgotten flag would put
     * a young person's words into the address bar (docs/web.md) */
    if (!json_is_boolean(json_object_get(j, "sensitive")))
        bad(c, at,
            "sensitive: missing or not true/false (whether its words "
            "must stay out of the address bar and the history)");
    out->sensitive = json_is_true(json_object_get(j, "sensitive"));
    texts_at(c, j, "label", at, &out->label, false);
    texts_at(c, j, "description", at, &out->description, false);
    json_t *services = json_object_get(j, "services");
    if (!json_array_size(services))
        bad(c, at, "services: none: say which kinds of service help");
    out->services = *svc;
    for (size_t i = 0; i < json_array_size(services); i++) {
        json_t *v = json_array_get(services, i);
        char sat[192];
        snprintf(sat, sizeof sat, "%s.services[%zu]", at, i);
        struct sit_service *o = (*svc)++;
        o->kind = text_at(c, v, "category", sat, true);
        bool known = false;
        for (size_t n = 0; o->kind && n < sizeof kinds / sizeof *kinds; n++)
            known |= strcmp(o->kind, kinds[n]) == 0;
        if (o->kind && !known) {
            char why[160];
            snprintf(why, sizeof why,
                     "category: \"%.40s\" is not amo, amo-24h, cpas, "
                     "planning or sdj",
                     o->kind);
            bad(c, sat, why);
        }
        for (size_t n = 0; o->kind && n < out->nservices; n++)
            if (out->services[n].kind &&
                strcmp(out->services[n].kind, o->kind) == 0)
                bad(c, sat, "category: listed twice");
        texts_at(c, v, "why", sat, &o->why, false);
        o->source = source_of(c, s, v, sat);
        out->nservices++;
    }
    json_t *helplines = json_object_get(j, "helplines");
    out->helplines = *hl;
    for (size_t i = 0; i < json_array_size(helplines); i++) {
        json_t *v = json_array_get(helplines, i);
        char hat[192];
        snprintf(hat, sizeof hat, "%s.helplines[%zu]", at, i);
        struct sit_helpline *o = (*hl)++;
        o->name = text_at(c, v, "name", hat, true);
        o->number = text_at(c, v, "number", hat, true);
        if (o->number &&
            strspn(o->number, "0123456789 ./+") != strlen(o->number))
            bad(c, hat, "number: digits, spaces, '.', '/' or '+' only");
        texts_at(c, v, "hours", hat, &o->hours, true);
        o->source = source_of(c, s, v, hat);
        out->nhelplines++;
    }
    /* Whoever is in danger must see a number to call before anything. */
    if (out->urgent && out->nhelplines == 0)
        bad(c, at, "helplines: none, but the situation is urgent");
    index_phrases(c, s, k, json_object_get(j, "phrases"), at);
}

int situations_load(const char *path, struct situations **out, char *msg,
                    size_t msgsz)
{
    struct check c = {.file = path, .msg = msg, .msgsz = msgsz};
    json_error_t e;
    *out = NULL;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!root) {
        snprintf(msg, msgsz, "%s:%d: %s", path, e.line, e.text);
        return e.line > 0 ? ERR_PARSE : ERR_IO;
    }
    struct situations *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(root);
        return ERR_NOMEM;
    }
    s->root = root;
    hmap_init(&s->by_word);
    hmap_init(&s->by_stem);
    load_sources(&c, s, json_object_get(root, "sources"));
    load_groups(&c, s, json_object_get(root, "groups"));
    json_t *sits = json_object_get(root, "situations");
    size_t nsvc = 0, nhl = 0, n = json_array_size(sits);
    if (!json_is_array(sits) || n == 0)
        bad(&c, "situations", "missing or empty");
    for (size_t i = 0; i < n; i++) {
        nsvc += json_array_size(
            json_object_get(json_array_get(sits, i), "services"));
        nhl += json_array_size(
            json_object_get(json_array_get(sits, i), "helplines"));
    }
    s->sits = calloc(n ? n : 1, sizeof *s->sits);
    s->services = calloc(nsvc ? nsvc : 1, sizeof *s->services);
    s->helplines = calloc(nhl ? nhl : 1, sizeof *s->helplines);
    if (!s->sits || !s->services || !s->helplines)
        bad(&c, "situations", "out of memory");
    struct sit_service *svc = s->services;
    struct sit_helpline *hl = s->helplines;
    for (size_t i = 0; !c.failed && i < n; i++) {
        load_situation(&c, s, json_array_get(sits, i), i, &svc, &hl);
        s->nsits++;
    }
    if (c.failed) {
        situations_free(s);
        return ERR_INVALID;
    }
    *out = s;
    return 0;
}

size_t situations_count(const struct situations *s)
{
    return s ? s->nsits : 0;
}

const struct situation *situations_at(const struct situations *s, size_t i)
{
    return &s->sits[i];
}

size_t situations_group_count(const struct situations *s)
{
    return s ? s->ngroups : 0;
}

const struct sit_group *situations_group_at(const struct situations *s,
                                            size_t i)
{
    return &s->groups[i];
}

bool situations_group_sensitive(const struct situations *s,
                                const struct sit_group *g)
{
    bool any = false;
    for (size_t i = 0; s && g && i < s->nsits; i++)
        if (s->sits[i].group == g) {
            if (!s->sits[i].sensitive)
                return false;
            any = true;
        }
    return any;
}

const struct situation *situations_find(const struct situations *s,
                                        const char *id)
{
    for (size_t i = 0; s && id && i < s->nsits; i++)
        if (strcmp(s->sits[i].id, id) == 0)
            return &s->sits[i];
    return NULL;
}

const struct sit_group *situations_find_group(const struct situations *s,
                                              const char *id)
{
    for (size_t i = 0; s && id && i < s->ngroups; i++)
        if (strcmp(s->groups[i].id, id) == 0)
            return &s->groups[i];
    return NULL;
}

/* ---- matching -------------------------------------------------------- */

int sit_words(const char *text, struct sit_word *out, int max)
{
    int n = 0;
    size_t len;
    for (const char *p = text, *w; n < max && (w = text_word(p, &len));
         p = w + len) {
        char word[STEM_MAX * 2];
        if (len >= sizeof word)
            continue;
        memcpy(word, w, len);
        word[len] = '\0';
        struct sit_word *o = &out[n];
        memset(o, 0, sizeof *o);
        if (text_fold(word, o->folded, sizeof o->folded) < 2 ||
            stem_stopword(o->folded))
            continue;
        o->nstems = stem_word(w, len, o->stems);
        for (const char *c = o->folded; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                o->letters |= 1u << (*c - 'a');
        n++;
    }
    return n;
}

/* Whether phrase word 'p' is query word 'q' mistyped: a word that is no
 * phrase's word as it stands ("argent" is one, so it is never read as
 * "urgent" mistyped) with a slip (one letter from five letters, two from
 * eight), or with its end left off (five letters typed, at most two
 * missing: "enceint"; "bout" is not "boutons"). The exact matches, the
 * same word or a stem of four letters or more in common ("aids" and
 * "aide" share only "aid"), are found through the vocabulary's maps. */
static bool near_word(const struct sit_word *p, const struct sit_word *q,
                      size_t lq)
{
    size_t lp = strlen(p->folded);
    if (lq >= 5 && lq < lp && lp - lq <= 2 &&
        strncmp(p->folded, q->folded, lq) == 0)
        return true;
    size_t shorter = lp < lq ? lp : lq;
    int cap = shorter >= 8 ? 2 : shorter >= 5 ? 1 : 0;
    if (!cap || (lp > lq ? lp - lq : lq - lp) > (size_t)cap)
        return false;
    /* an edit adds or takes away at most two letters of the set */
    if (__builtin_popcount(p->letters ^ q->letters) > 2 * cap)
        return false;
    return text_edit_distance(p->folded, q->folded, cap) <= cap;
}

/* Which query words each vocabulary word meets: bit q of hit[v]. */
static void meet(const struct situations *s, struct sit_word *words, int nwords,
                 uint32_t *hit)
{
    for (int q = 0; q < nwords; q++) {
        struct sit_word *w = &words[q];
        uint32_t bit = 1u << q;
        w->known = false;
        uint64_t h = fnv1a(w->folded);
        for (size_t i = hmap_first(&s->by_word, h); i != HMAP_END;
             i = hmap_next(&s->by_word, h, i)) {
            size_t v = s->by_word.slots[i].value - 1;
            if (strcmp(s->vocab[v].folded, w->folded) == 0) {
                hit[v] |= bit;
                w->known = true;
            }
        }
        for (int k = 0; k < w->nstems; k++) {
            h = fnv1a(w->stems[k]);
            for (size_t i = hmap_first(&s->by_stem, h); i != HMAP_END;
                 i = hmap_next(&s->by_stem, h, i)) {
                size_t v = s->by_stem.slots[i].value - 1;
                for (int m = 0; m < s->vocab[v].nstems; m++)
                    if (strcmp(s->vocab[v].stems[m], w->stems[k]) == 0 &&
                        strlen(s->vocab[v].stems[m]) >= 4) {
                        hit[v] |= bit;
                        w->known = true;
                    }
            }
        }
        if (w->known)
            continue;
        size_t lq = strlen(w->folded);
        for (size_t v = 0; v < s->nvocab; v++)
            if (!(hit[v] & bit) && near_word(&s->vocab[v], w, lq))
                hit[v] |= bit;
    }
}

int situations_match(const struct situations *s, struct sit_word *words,
                     int nwords, const struct situation **out, int max)
{
    if (!s || nwords == 0 || max <= 0)
        return 0;
    if (nwords > 32)
        nwords = 32; /* one bit each */
    int *best = calloc(s->nsits, sizeof *best);
    const struct phrase **which = calloc(s->nsits, sizeof *which);
    uint32_t *hit = calloc(s->nvocab ? s->nvocab : 1, sizeof *hit);
    int n = 0;
    if (!best || !which || !hit)
        goto done;
    meet(s, words, nwords, hit);
    for (size_t i = 0; i < s->nphrases; i++) {
        const struct phrase *p = &s->phrases[i];
        bool all = true;
        for (int k = 0; all && k < p->nwords; k++)
            all = hit[p->w[k]] != 0;
        if (all && p->nwords > best[p->situation]) {
            best[p->situation] = p->nwords;
            which[p->situation] = p;
        }
    }
    /* Best first: the phrase with the most words, then the file's order. */
    for (int want = MAX_PHRASE_WORDS; want > 0 && n < max; want--)
        for (size_t i = 0; i < s->nsits && n < max; i++)
            if (best[i] == want) {
                out[n++] = &s->sits[i];
                for (int k = 0; k < which[i]->nwords; k++)
                    for (int q = 0; q < nwords; q++)
                        if (hit[which[i]->w[k]] & (1u << q))
                            words[q].used = true;
            }
done:
    free(best);
    free(which);
    free(hit);
    return n;
}
