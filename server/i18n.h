/* i18n.h - every word the page, the widget and their script show, in
 * French, Dutch and English: one table (i18n.c), read by the renderer
 * (render.c), by the templates' {{t:key}} markers and, for the few words
 * only the script writes, handed to it in the page's data.
 * Ownership: the strings are static. */
#ifndef AMO_I18N_H
#define AMO_I18N_H

#include <stddef.h>

enum lang { LANG_FR, LANG_NL, LANG_EN, LANG_COUNT };

/* Every string: its name (for templates and the script) and the enum
 * the C code uses. The table itself is in i18n.c. */
#define STRING_KEYS(X)                                                         \
    X(S_DOC_TITLE, "doc_title")                                                \
    X(S_DOC_DESCRIPTION, "doc_description")                                    \
    X(S_SKIP, "skip")                                                          \
    X(S_TITLE, "title")                                                        \
    X(S_LANGS, "langs")                                                        \
    X(S_ABOUT_Q, "about_q")                                                    \
    X(S_ABOUT, "about")                                                        \
    X(S_SEARCH_FORM, "search_form")                                            \
    X(S_Q_LABEL, "q_label")                                                    \
    X(S_Q_HINT, "q_hint")                                                      \
    X(S_SUGGESTIONS, "suggestions")                                            \
    X(S_WHERE_LABEL, "where_label")                                            \
    X(S_CAT_LABEL, "cat_label")                                                \
    X(S_CAT_ALL, "cat_all")                                                    \
    X(S_AGE_LABEL, "age_label")                                                \
    X(S_OPEN_LABEL, "open_label")                                              \
    X(S_SUBMIT, "submit")                                                      \
    X(S_NEAR_ME, "near_me")                                                    \
    X(S_FOOT, "foot")                                                          \
    X(S_MAP, "map")                                                            \
    X(S_LEGEND_EXACT, "legend_exact")                                          \
    X(S_LEGEND_APPROX, "legend_approx")                                        \
    X(S_KM, "km")                                                              \
    X(S_KM_APPROX, "km_approx")                                                \
    X(S_TEL, "tel")                                                            \
    X(S_WEB, "web")                                                            \
    X(S_AGES, "ages")                                                          \
    X(S_HOURS, "hours")                                                        \
    X(S_OPEN, "open")                                                          \
    X(S_CLOSED, "closed")                                                      \
    X(S_APPROX_PC, "approx_pc")                                                \
    X(S_APPROX_C, "approx_c")                                                  \
    X(S_OLD_CALL, "old_call")                                                  \
    X(S_OLD_CHECK, "old_check")                                                \
    X(S_ABOUT_YEAR, "about_year")                                              \
    X(S_REPORT, "report")                                                      \
    X(S_REPORT_SUBJECT, "report_subject")                                      \
    X(S_MAYBE_WRONG, "maybe_wrong")                                            \
    X(S_DAY_MO, "day_mo")                                                      \
    X(S_DAY_TU, "day_tu")                                                      \
    X(S_DAY_WE, "day_we")                                                      \
    X(S_DAY_TH, "day_th")                                                      \
    X(S_DAY_FR, "day_fr")                                                      \
    X(S_DAY_SA, "day_sa")                                                      \
    X(S_DAY_SU, "day_su")                                                      \
    X(S_DAY_PH, "day_ph")                                                      \
    X(S_OFF, "off")                                                            \
    X(S_H247, "h247")                                                          \
    X(S_N_SERVICES, "n_services")                                              \
    X(S_ONE_SERVICE, "one_service")                                            \
    X(S_NONE, "none")                                                          \
    X(S_RESULTS, "results")                                                    \
    X(S_NEAREST_TO, "nearest_to")                                              \
    X(S_NEAR_YOU, "near_you")                                                  \
    X(S_ALL_OF, "all_of")                                                      \
    X(S_FIRST_OF, "first_of")                                                  \
    X(S_UNKNOWN_PLACE, "unknown_place")                                        \
    X(S_FOR_COMMUNE, "for_commune")                                            \
    X(S_COMPETENT_CPAS, "competent_cpas")                                      \
    X(S_COMPETENT_AMO, "competent_amo")                                        \
    X(S_COMPETENT_SDJ, "competent_sdj")                                        \
    X(S_COMPETENT_PLANNING, "competent_planning")                              \
    X(S_NOT_YET, "not_yet")                                                    \
    X(S_NEAREST_ONE, "nearest_one")                                            \
    X(S_NEAREST_MANY, "nearest_many")                                          \
    X(S_UNAVAILABLE, "unavailable")                                            \
    X(S_SERVICES_FOR, "services_for")                                          \
    X(S_EMBED_FOOT, "embed_foot")                                              \
    X(S_EMBED_ALL, "embed_all")                                                \
    X(S_LOADING, "loading")                                                    \
    X(S_GEO_NO, "geo_no")                                                      \
    X(S_ERROR, "error")                                                        \
    X(S_NEEDS_TITLE, "needs_title")                                            \
    X(S_WHO_HELPS, "who_helps")                                                \
    X(S_HELPLINES, "helplines")                                                \
    X(S_TELL_PLACE, "tell_place")                                              \
    X(S_NOT_UNDERSTOOD, "not_understood")                                      \
    X(S_YOUR_CPAS, "your_cpas")                                                \
    X(S_NEAR_PLACE, "near_place")                                              \
    X(S_CHOOSE, "choose")                                                      \
    X(S_KIND_24H, "kind_24h")                                                  \
    X(S_SOURCE, "source")                                                      \
    X(S_EXIT, "exit")                                                          \
    X(S_EXIT_TITLE, "exit_title")                                              \
    X(S_EXIT_NOTE, "exit_note")                                                \
    X(S_COPY_LINK, "copy_link")                                                \
    X(S_COPIED, "copied")                                                      \
    X(S_OFFLINE, "offline")                                                    \
    X(S_OFFLINE_NONE, "offline_none")                                          \
    X(S_OFFLINE_RESULTS, "offline_results")

enum str_key {
#define X(id, name) id,
    STRING_KEYS(X)
#undef X
        S_COUNT
};

/* The text of 'key' in 'lang'. Some hold {name} slots (str_fill) or
 * HTML (S_ABOUT, S_FOOT: ours, written as HTML). Never NULL. */
const char *str_get(enum lang lang, enum str_key key);
/* The key named 'name' ("title"), or S_COUNT when there is none. */
enum str_key str_find(const char *name, size_t len);
/* The name of 'key' ("title"). */
const char *str_name(enum str_key key);

/* The language's code ("fr", "nl", "en"). */
const char *lang_code(enum lang lang);
/* The language of a code ("nl"), or -1. */
int lang_parse(const char *code);
/* The visitor's language: ?lang= when it names one of ours, else the
 * first of ours in an Accept-Language header (RFC 9110 12.5.4, weights
 * honoured), else French. */
enum lang lang_choose(const char *param, const char *accept_language);

#endif
