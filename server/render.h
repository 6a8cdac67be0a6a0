/* render.h - the one renderer of what a visitor sees: a listing's card, a
 * list of them, the competence box of a commune, opening hours, in
 * French, Dutch or English, from the categories table and the strings
 * table (i18n.h). The page, the widget and the script's fragments
 * (page.c) all come from here: there is no second copy in JavaScript.
 * Everything taken from the database or a request is HTML-escaped here;
 * URLs are only written when they are http(s), mailto: or tel: with
 * digits.
 * Ownership: output is appended to the caller's buffer; inputs are
 * borrowed. */
#ifndef AMO_RENDER_H
#define AMO_RENDER_H

#include <stdbool.h>

#include "buf.h"
#include "hours.h"
#include "i18n.h"
#include "query.h"

struct render_ctx {
    enum lang lang;
    const struct categories_answer *cats;
    const char *report_email; /* or NULL */
    struct hours_time now;    /* for "ouvert maintenant" */
    const char *link_state;   /* a card's link: "?q=...&amp;" (HTML) */
    bool embed;               /* the widget: cards open the page */
};

/* 's' HTML-escaped (text and attribute values alike). */
void html_text(struct buf *b, const char *s);
/* 's' percent-encoded for a query string value (RFC 3986). */
void url_value(struct buf *b, const char *s);
/* The text of 'key' with its {name} slots filled from the NULL-ended
 * name/value pairs (values HTML-escaped), appended to 'b'. */
void render_str(struct buf *b, enum lang lang, enum str_key key, ...);

/* The label of category 'slug' in the context's language ('slug' when
 * unknown). */
const char *render_category(const struct render_ctx *rc, const char *slug);
/* "à 1,2 km" or, for an approximate position, "≈ 2 km". */
void render_distance(struct buf *b, const struct render_ctx *rc,
                     const struct row *r);
/* Opening hours in words ("lun-ven 09:00-12:00"). */
void render_hours(struct buf *b, enum lang lang, const char *oh);
/* Whether 'r' is open at the context's time: 1, 0, or -1 unknown. */
int render_open(const struct render_ctx *rc, const struct row *r);

/* One listing as a card (<li>). */
void render_card(struct buf *b, const struct render_ctx *rc,
                 const struct row *r, bool selected);
/* The competence box: who serves the commune, or the nearest. */
void render_competence(struct buf *b, const struct render_ctx *rc,
                       const struct commune_answer *a);

struct situations;
struct situation;
struct sit_group;
/* "De quoi as-tu besoin ?": a link per group of situations, each a plain
 * link ('link' is the state to keep, as link_state, without besoin). */
void render_needs(struct buf *b, const struct render_ctx *rc,
                  const struct situations *sits, const char *link,
                  const char *current);
/* A group's situations to choose from. */
void render_group(struct buf *b, const struct render_ctx *rc,
                  const struct situations *sits, const struct sit_group *g,
                  const char *link);
/* A situation's answer: what it is, the helplines first when it is
 * urgent, then who can help and why (naming the commune's CPAS when it
 * is known: 'cpas' may be NULL), or a request for the visitor's place. */
void render_situation(struct buf *b, const struct render_ctx *rc,
                      const struct situation *sit, const struct row *cpas,
                      bool located);

#endif
