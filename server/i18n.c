/* i18n.c - the interface's words in French, Dutch and English (see
 * i18n.h). French is the page's first language; the Dutch and English
 * say the same, for the same reader: often a teenager, sometimes in a
 * hard moment, so plain words and "tu"/"je"/"you". */
#include "i18n.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[S_COUNT] = {
#define X(id, name) name,
    STRING_KEYS(X)
#undef X
};

/* One row per key, in the order of STRING_KEYS: fr, nl, en. */
static const char *const text[S_COUNT][LANG_COUNT] = {
    [S_DOC_TITLE] = {"Annuaire des services d'aide aux jeunes : AMO, CPAS, "
                     "planning familial, SDJ",
                     "Gids van hulpdiensten voor jongeren: AMO, OCMW, "
                     "gezinsplanning, SDJ",
                     "Directory of help for young people: AMO, CPAS, family "
                     "planning, SDJ"},
    [S_DOC_DESCRIPTION] =
        {"Trouver près de chez soi une AMO, un CPAS, un centre de planning "
         "familial ou le Service Droit des Jeunes, en Wallonie et à Bruxelles.",
         "Een AMO, een OCMW, een centrum voor gezinsplanning of de Service "
         "Droit des Jeunes vinden in je buurt, in Wallonië en Brussel.",
         "Find an AMO, a CPAS, a family planning centre or the Service Droit "
         "des Jeunes near you, in Wallonia and Brussels."},
    [S_SKIP] = {"Aller aux résultats", "Naar de resultaten",
                "Skip to the results"},
    [S_TITLE] = {"Trouver de l'aide près de chez toi",
                 "Hulp vinden dicht bij jou", "Find help near you"},
    [S_LANGS] = {"Langue", "Taal", "Language"},
    [S_ABOUT_Q] = {"C'est quoi, une AMO ?", "Wat is een AMO?",
                   "What is an AMO?"},
    [S_ABOUT] =
        {"<p>Une <strong>AMO</strong> (service d'action en milieu ouvert) aide "
         "les jeunes et leurs familles là où ils vivent : la famille, l'école, "
         "le quartier. Tu peux y aller <strong>librement</strong>, sans que "
         "personne ne t'y oblige, et c'est <strong>gratuit</strong> et "
         "<strong>confidentiel</strong>. Selon l'AMO, elle aide les jeunes "
         "jusqu'à 18 ans, ou jusqu'à 22 ans.</p><p>Le <strong>CPAS</strong> "
         "de ta commune s'occupe de l'aide sociale, le <strong>centre de "
         "planning familial</strong> de la vie affective et sexuelle et de la "
         "santé, le <strong>Service Droit des Jeunes</strong> de tes "
         "droits.</p><p class=\"small\">Sources : les pages des services "
         "eux-mêmes (par exemple « à la demande, gratuitement, sans mandat et "
         "en toute confidentialité », « s'adresser librement à ce service, "
         "sans aucune contrainte ni obligation »), citées dans l'annuaire pour "
         "chaque fiche.</p>",
         "<p>Een <strong>AMO</strong> (service d'action en milieu ouvert) "
         "helpt "
         "jongeren en hun gezin waar ze leven: thuis, op school, in de buurt. "
         "Je gaat er <strong>vrijwillig</strong> naartoe, het is "
         "<strong>gratis</strong> en <strong>vertrouwelijk</strong>. "
         "Naargelang de AMO tot 18 of tot 22 jaar.</p><p>Het "
         "<strong>OCMW/CPAS</strong> van je gemeente zorgt voor sociale hulp, "
         "het <strong>centrum voor gezinsplanning</strong> voor relaties, "
         "seksualiteit en gezondheid, de <strong>Service Droit des "
         "Jeunes</strong> voor je rechten.</p><p class=\"small\">Bronnen: de "
         "pagina's van de diensten zelf, per fiche vermeld.</p>",
         "<p>An <strong>AMO</strong> (service d'action en milieu ouvert) helps "
         "young people and their families where they live: at home, at "
         "school, in the neighbourhood. You go there <strong>of your own free "
         "will</strong>; it is <strong>free</strong> and "
         "<strong>confidential</strong>. Depending on the AMO, up to 18 or up "
         "to 22.</p><p>Your commune's <strong>CPAS</strong> gives social aid, "
         "a <strong>family planning centre</strong> helps with relationships, "
         "sexuality and health, the <strong>Service Droit des Jeunes</strong> "
         "with your rights.</p><p class=\"small\">Sources: the services' own "
         "pages, cited for each listing.</p>"},
    [S_SEARCH_FORM] = {"Rechercher un service", "Een dienst zoeken",
                       "Search for a service"},
    [S_Q_LABEL] = {"Un service, une commune, un mot",
                   "Een dienst, een gemeente, een woord",
                   "A service, a town, a word"},
    [S_Q_HINT] = {"Par exemple : Schaerbeek, planning Ixelles, logement",
                  "Bijvoorbeeld: Schaerbeek, planning Ixelles",
                  "For example: Schaerbeek, planning Ixelles"},
    [S_SUGGESTIONS] = {"Suggestions", "Suggesties", "Suggestions"},
    [S_WHERE_LABEL] = {"Ton code postal ou ta commune",
                       "Je postcode of gemeente", "Your postcode or town"},
    [S_CAT_LABEL] = {"Type de service", "Soort dienst", "Kind of service"},
    [S_CAT_ALL] = {"Tous", "Alle", "All"},
    [S_AGE_LABEL] = {"J'ai … ans", "Ik ben … jaar", "I am … years old"},
    [S_OPEN_LABEL] = {"Ouvert maintenant", "Nu open", "Open now"},
    [S_SUBMIT] = {"Rechercher", "Zoeken", "Search"},
    [S_NEAR_ME] = {"Près de moi", "Dicht bij mij", "Near me"},
    [S_FOOT] =
        {"Cet annuaire ne garde ni ta position ni tes recherches, et ne "
         "charge rien d'un autre site. Données ouvertes : <a "
         "href=\"/api/listings.geojson\">GeoJSON</a>, <a href=\"/ogc\">OGC "
         "API</a>, <a href=\"/tiles.json\">tuiles vectorielles</a>.",
         "Deze gids bewaart je positie en je zoekopdrachten niet en laadt "
         "niets van een andere site. Open data: <a "
         "href=\"/api/listings.geojson\">GeoJSON</a>, <a href=\"/ogc\">OGC "
         "API</a>, <a href=\"/tiles.json\">vectortegels</a>.",
         "This directory keeps neither your position nor your searches, and "
         "loads nothing from another site. Open data: <a "
         "href=\"/api/listings.geojson\">GeoJSON</a>, <a href=\"/ogc\">OGC "
         "API</a>, <a href=\"/tiles.json\">vector tiles</a>."},
    [S_MAP] = {"Carte des services (la liste donne les mêmes résultats)",
               "Kaart van de diensten (de lijst toont dezelfde resultaten)",
               "Map of the services (the list gives the same results)"},
    [S_LEGEND_EXACT] = {"adresse connue", "adres bekend", "address known"},
    [S_LEGEND_APPROX] =
        {"position approximative : centre du code postal ou de la commune, "
         "pas l'adresse exacte",
         "geschatte ligging: centrum van de postcode of gemeente, niet het "
         "juiste adres",
         "approximate position: centre of the postcode or commune, not the "
         "exact address"},
    [S_KM] = {"à {d} km", "op {d} km", "{d} km away"},
    [S_KM_APPROX] = {"≈ {d} km", "≈ {d} km", "≈ {d} km"},
    [S_TEL] = {"Tél. ", "Tel. ", "Tel. "},
    [S_WEB] = {"Site web", "Website", "Website"},
    [S_AGES] = {"De {a} à {b} ans", "Van {a} tot {b} jaar", "Ages {a} to {b}"},
    [S_HOURS] = {"Horaires : ", "Openingsuren: ", "Opening hours: "},
    [S_OPEN] = {"ouvert maintenant", "nu open", "open now"},
    [S_CLOSED] = {"fermé", "gesloten", "closed"},
    [S_APPROX_PC] = {"Position approximative (centre de {p})",
                     "Geschatte ligging (centrum van {p})",
                     "Approximate position (centre of {p})"},
    [S_APPROX_C] = {"Position approximative (dans la commune de {c})",
                    "Geschatte ligging (in de gemeente {c})",
                    "Approximate position (in the commune of {c})"},
    [S_OLD_CALL] = {"Coordonnées de {y} : appelle avant d'y aller.",
                    "Gegevens van {y}: bel voor je gaat.",
                    "Contact details from {y}: call before you go."},
    [S_OLD_CHECK] = {"Coordonnées de {y} : vérifie avant d'y aller.",
                     "Gegevens van {y}: kijk het na voor je gaat.",
                     "Contact details from {y}: check before you go."},
    [S_ABOUT_YEAR] = {"{y} environ", "rond {y}", "about {y}"},
    [S_REPORT] = {"Signaler une erreur", "Een fout melden", "Report an error"},
    [S_REPORT_SUBJECT] = {"Erreur dans l'annuaire : {n} ({id})",
                          "Fout in de gids: {n} ({id})",
                          "Error in the directory: {n} ({id})"},
    [S_MAYBE_WRONG] =
        {"Ces informations peuvent avoir changé : vérifie-les auprès du "
         "service.",
         "Deze gegevens kunnen veranderd zijn: vraag het na bij de dienst.",
         "These details may have changed: check them with the service."},
    [S_DAY_MO] = {"lun", "ma", "Mon"},
    [S_DAY_TU] = {"mar", "di", "Tue"},
    [S_DAY_WE] = {"mer", "wo", "Wed"},
    [S_DAY_TH] = {"jeu", "do", "Thu"},
    [S_DAY_FR] = {"ven", "vr", "Fri"},
    [S_DAY_SA] = {"sam", "za", "Sat"},
    [S_DAY_SU] = {"dim", "zo", "Sun"},
    [S_DAY_PH] = {"jours fériés", "feestdagen", "public holidays"},
    [S_OFF] = {"fermé", "gesloten", "closed"},
    [S_H247] = {"24 h sur 24, 7 jours sur 7", "dag en nacht, 7 dagen op 7",
                "24 hours a day, 7 days a week"},
    [S_N_SERVICES] = {"{n} services.", "{n} diensten.", "{n} services."},
    [S_ONE_SERVICE] = {"1 service.", "1 dienst.", "1 service."},
    [S_NONE] = {"Aucun service trouvé. Essayez un autre mot, ou votre code "
                "postal.",
                "Geen dienst gevonden. Probeer een ander woord of je "
                "postcode.",
                "No service found. Try another word, or your postcode."},
    [S_RESULTS] = {"Résultats pour « {q} »", "Resultaten voor “{q}”",
                   "Results for “{q}”"},
    [S_NEAREST_TO] = {"Les plus proches de {w}", "Het dichtst bij {w}",
                      "Nearest to {w}"},
    [S_NEAR_YOU] = {"ta position", "jouw positie", "your position"},
    [S_ALL_OF] = {"Tous les services : {c}", "Alle diensten: {c}",
                  "All services: {c}"},
    [S_FIRST_OF] = {"Les premiers services par nom : {c}. Cherche un mot ou "
                    "donne ta commune pour voir les plus proches.",
                    "De eerste diensten op naam: {c}. Zoek een woord of geef "
                    "je gemeente om de dichtstbijzijnde te zien.",
                    "The first services by name: {c}. Search a word or give "
                    "your town to see the nearest."},
    [S_UNKNOWN_PLACE] = {"Code postal ou commune inconnu : « {w} ».",
                         "Onbekende postcode of gemeente: “{w}”.",
                         "Unknown postcode or town: “{w}”."},
    [S_FOR_COMMUNE] = {"Pour la commune de {c}", "Voor de gemeente {c}",
                       "For the commune of {c}"},
    [S_COMPETENT_CPAS] = {"CPAS compétent", "Bevoegd OCMW/CPAS",
                          "Competent CPAS"},
    [S_COMPETENT_AMO] = {"AMO", "AMO", "AMO"},
    [S_COMPETENT_SDJ] = {"Service Droit des Jeunes", "Service Droit des Jeunes",
                         "Service Droit des Jeunes"},
    [S_COMPETENT_PLANNING] = {"Planning familial", "Gezinsplanning",
                              "Family planning"},
    [S_NOT_YET] = {"pas encore dans l'annuaire", "nog niet in de gids",
                   "not in the directory yet"},
    [S_NEAREST_ONE] = {"le plus proche :", "dichtstbijzijnde:", "nearest:"},
    [S_NEAREST_MANY] = {"les plus proches :", "dichtstbijzijnde:", "nearest:"},
    [S_UNAVAILABLE] = {"L'annuaire est momentanément indisponible. Réessayez "
                       "dans un instant.",
                       "De gids is even niet beschikbaar. Probeer het zo "
                       "opnieuw.",
                       "The directory is not available right now. Try again "
                       "in a moment."},
    [S_SERVICES_FOR] = {"Services pour {c}", "Diensten voor {c}",
                        "Services for {c}"},
    [S_EMBED_FOOT] = {"Les AMO aident les jeunes gratuitement, librement et en "
                      "toute confidentialité.",
                      "De AMO helpen jongeren gratis, vrijwillig en "
                      "vertrouwelijk.",
                      "AMO services help young people for free, of their own "
                      "free will and in confidence."},
    [S_EMBED_ALL] = {"Chercher dans tout l'annuaire", "In de hele gids zoeken",
                     "Search the whole directory"},
    [S_LOADING] = {"Recherche…", "Zoeken…", "Searching…"},
    [S_GEO_NO] = {"Position refusée ou indisponible : tape plutôt ton code "
                  "postal.",
                  "Positie geweigerd of niet beschikbaar: typ je postcode.",
                  "Position refused or unavailable: type your postcode "
                  "instead."},
    [S_ERROR] = {"Le service ne répond pas. Réessayez dans un instant.",
                 "De dienst antwoordt niet. Probeer het zo opnieuw.",
                 "The service does not answer. Try again in a moment."},
    [S_NEEDS_TITLE] = {"De quoi as-tu besoin ?", "Waarmee kunnen we je helpen?",
                       "What do you need help with?"},
    [S_WHO_HELPS] = {"Qui peut t'aider", "Wie kan je helpen",
                     "Who can help you"},
    [S_NOT_UNDERSTOOD] = {"Aucun service ne correspond à ces mots. Choisis ton "
                          "besoin plus haut, ou parle à quelqu'un :",
                          "Geen dienst past bij die woorden. Kies hierboven "
                          "waarmee we je kunnen helpen, of praat met iemand:",
                          "No service matches these words. Choose what you "
                          "need above, or talk to someone:"},
    [S_HELPLINES] = {"À appeler", "Om te bellen", "To call"},
    [S_TELL_PLACE] = {"Indique ton code postal ou ta commune pour voir les "
                      "services près de chez toi.",
                      "Geef je postcode of gemeente om de diensten bij jou in "
                      "de buurt te zien.",
                      "Give your postcode or town to see the services near "
                      "you."},
    [S_YOUR_CPAS] = {"Ton CPAS : {n}", "Jouw OCMW/CPAS: {n}", "Your CPAS: {n}"},
    [S_NEAR_PLACE] = {"Près de {w}", "Bij {w}", "Near {w}"},
    [S_CHOOSE] = {"Choisis ce qui te ressemble le plus :",
                  "Kies wat het best bij jou past:",
                  "Choose what is closest to what you live:"},
    [S_KIND_24H] = {"AMO ouverte jour et nuit", "AMO die dag en nacht open is",
                    "AMO open day and night"},
    /* The quick exit and the no-trace note (docs/web.md): interface
     * words, no advice about any service. */
    [S_EXIT] = {"Quitter", "Verlaten", "Exit"},
    [S_EXIT_TITLE] = {"Quitter ce site tout de suite (ou Échap deux fois)",
                      "Deze site meteen verlaten (of twee keer Esc)",
                      "Leave this site at once (or press Esc twice)"},
    [S_EXIT_NOTE] =
        {"Pour ne laisser aucune trace sur ce téléphone ou cet ordinateur, "
         "ouvre ce site en navigation privée. « Quitter » (ou Échap deux "
         "fois) ferme la page tout de suite.",
         "Om geen sporen na te laten op deze telefoon of computer, open je "
         "deze site in een privévenster. „Verlaten” (of twee keer Esc) sluit "
         "de pagina meteen.",
         "To leave no trace on this phone or computer, open this site in a "
         "private window. “Exit” (or Esc twice) leaves the page at once."},
    [S_COPY_LINK] = {"Copier le lien", "Link kopiëren", "Copy the link"},
    [S_COPIED] = {"Lien copié. Attention : il contient ta recherche.",
                  "Link gekopieerd. Let op: je zoekopdracht staat erin.",
                  "Link copied. Careful: it holds your search."},
    [S_OFFLINE] = {"Hors ligne : tu vois la copie de l'annuaire du {date}.",
                   "Offline: je ziet de kopie van de gids van {date}.",
                   "Offline: you are seeing the directory's copy of {date}."},
    [S_OFFLINE_NONE] = {"Hors ligne, cette recherche a besoin du réseau. Tape "
                        "un code postal ou une commune, ou choisis ton "
                        "besoin.",
                        "Offline heeft deze zoekopdracht het netwerk nodig. "
                        "Typ een postcode of gemeente, of kies wat je nodig "
                        "hebt.",
                        "Offline, this search needs the network. Type a "
                        "postcode or a town, or choose what you need."},
    [S_OFFLINE_RESULTS] = {"Les plus proches de {w} (copie hors ligne)",
                           "Het dichtst bij {w} (offline kopie)",
                           "Nearest to {w} (offline copy)"},
    [S_SOURCE] = {"source", "bron", "source"},
};

const char *str_get(enum lang lang, enum str_key key)
{
    if ((unsigned)key >= S_COUNT || (unsigned)lang >= LANG_COUNT)
        return "";
    const char *s = text[key][lang];
    return s ? s : text[key][LANG_FR] ? text[key][LANG_FR] : "";
}

enum str_key str_find(const char *name, size_t len)
{
    for (int i = 0; i < S_COUNT; i++)
        if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
            return (enum str_key)i;
    return S_COUNT;
}

const char *str_name(enum str_key key)
{
    return (unsigned)key < S_COUNT ? names[key] : "";
}

static const char *const codes[LANG_COUNT] = {"fr", "nl", "en"};

const char *lang_code(enum lang lang)
{
    return codes[(unsigned)lang < LANG_COUNT ? lang : LANG_FR];
}

int lang_parse(const char *code)
{
    for (int i = 0; code && i < LANG_COUNT; i++)
        if (strcmp(code, codes[i]) == 0)
            return i;
    return -1;
}

enum lang lang_choose(const char *param, const char *al)
{
    int l = lang_parse(param);
    if (l >= 0)
        return (enum lang)l;
    /* "nl-BE,nl;q=0.9,fr;q=0.8": the ours with the highest weight; equal
     * weights keep the header's order. */
    int best = LANG_FR;
    double best_q = 0;
    for (const char *p = al; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        char tag[3] = {(char)tolower((unsigned char)p[0]),
                       n > 1 ? (char)tolower((unsigned char)p[1]) : 0, 0};
        double q = 1;
        const char *semi = memchr(p, ';', n);
        if (semi) {
            const char *qp = strstr(semi, "q=");
            if (qp && qp < p + n)
                q = atof(qp + 2);
        }
        bool whole =
            n == 2 || (n > 2 && (p[2] == '-' || p[2] == ';' || p[2] == ' '));
        int code = whole ? lang_parse(tag) : -1;
        if (code >= 0 && q > best_q) {
            best = code;
            best_q = q;
        }
        p += n;
    }
    return (enum lang)best;
}
