/* api_situations.c - GET /api/situations: the situations young people
 * come with, the kinds of service that help and why, and the helplines,
 * in French, Dutch and English, for partners; and the JSON of one
 * situation, which /api/search's answer also carries. */
#include <string.h>

#include "json_write.h"
#include "routes.h"
#include "situations.h"

static void write_texts(struct jw *w, const char *key, const struct sit_text *t)
{
    static const char *const langs[SIT_LANGS] = {"fr", "nl", "en"};
    jw_raw(w, ",");
    jw_key(w, key);
    jw_raw(w, "{");
    for (int l = 0; l < SIT_LANGS; l++) {
        if (l)
            jw_raw(w, ",");
        jw_key(w, langs[l]);
        jw_string(w, t->t[l], t->t[l] ? strlen(t->t[l]) : 0);
    }
    jw_raw(w, "}");
}

static void write_text(struct jw *w, const char *key, const char *v)
{
    jw_raw(w, ",");
    jw_key(w, key);
    jw_string(w, v, v ? strlen(v) : 0);
}

static void write_source(struct jw *w, const struct sit_source *src)
{
    jw_raw(w, ",\"source\":{\"url\":");
    jw_string(w, src ? src->url : NULL, src && src->url ? strlen(src->url) : 0);
    write_text(w, "date", src ? src->date : NULL);
    jw_raw(w, "}");
}

void situation_write(struct jw *w, const struct situation *sit)
{
    jw_raw(w, "{\"id\":");
    jw_string(w, sit->id, strlen(sit->id));
    write_text(w, "group", sit->group->id);
    jw_raw(w, sit->urgent ? ",\"urgent\":true" : ",\"urgent\":false");
    jw_raw(w, sit->sensitive ? ",\"sensitive\":true" : ",\"sensitive\":false");
    write_texts(w, "label", &sit->label);
    write_texts(w, "description", &sit->description);
    jw_raw(w, ",\"services\":[");
    for (size_t i = 0; i < sit->nservices; i++) {
        jw_raw(w, i ? ",{\"category\":" : "{\"category\":");
        jw_string(w, sit->services[i].kind, strlen(sit->services[i].kind));
        write_texts(w, "why", &sit->services[i].why);
        write_source(w, sit->services[i].source);
        jw_raw(w, "}");
    }
    jw_raw(w, "],\"helplines\":[");
    for (size_t i = 0; i < sit->nhelplines; i++) {
        const struct sit_helpline *h = &sit->helplines[i];
        jw_raw(w, i ? ",{\"name\":" : "{\"name\":");
        jw_string(w, h->name, strlen(h->name));
        write_text(w, "number", h->number);
        write_texts(w, "hours", &h->hours);
        write_source(w, h->source);
        jw_raw(w, "}");
    }
    jw_raw(w, "]}");
}

void api_situations(struct request *rq, struct reply *rp)
{
    if (reject_unknown_params(rq, rp))
        return;
    const struct situations *s = rq->ctx->situations;
    struct jw w = {.b = &rp->body};
    jw_raw(&w, "{\"groups\":[");
    for (size_t i = 0; i < situations_group_count(s); i++) {
        const struct sit_group *g = situations_group_at(s, i);
        jw_raw(&w, i ? ",{\"id\":" : "{\"id\":");
        jw_string(&w, g->id, strlen(g->id));
        write_texts(&w, "label", &g->label);
        jw_raw(&w, "}");
    }
    jw_raw(&w, "],\"situations\":[");
    for (size_t i = 0; i < situations_count(s); i++) {
        if (i)
            jw_raw(&w, ",");
        situation_write(&w, situations_at(s, i));
    }
    jw_raw(&w, "]}");
    if (reply_written(rq, rp, 0, w.err, "situations", "application/json", 300))
        /* the table is loaded at start: its ETag is the server's, not
         * the data version's */
        rp->etag[0] = '\0';
}
