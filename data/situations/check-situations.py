#!/usr/bin/env python3
"""Check data/situations/situations.json after a hand edit.

Usage: python3 data/situations/check-situations.py [path/to/situations.json]

Prints one line per problem and exits 1 if there is any; prints a short
summary and exits 0 otherwise. Checks that:
- the file is valid JSON with version 1, groups, situations and sources;
- ids (groups, situations) are unique and URL-friendly;
- every situation's group exists;
- label, description, every service's "why" and every helpline's "hours"
  have fr, nl and en, none empty; phrases have fr, nl and en lists, fr not empty;
- every category is one of amo, amo-24h, cpas, planning, sdj, and no category
  is listed twice in one situation;
- every "source" key exists in "sources"; every source has url, date
  (YYYY, YYYY-MM, YYYY-MM-DD or ""), title and a non-empty excerpt;
- urgent situations have at least one helpline, and amo-24h, when listed,
  comes first;
- no source is left unused (warning only).
"""
import json
import re
import sys

CATEGORIES = {"amo", "amo-24h", "cpas", "planning", "sdj"}
LANGS = ("fr", "nl", "en")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")


def main(path):
    errors, warnings = [], []
    with open(path, encoding="utf-8") as f:
        data = json.load(f)

    def err(msg):
        errors.append(msg)

    def tri(obj, where, allow_empty=False):
        if not isinstance(obj, dict):
            err(f"{where}: not an object with fr/nl/en")
            return
        for lang in LANGS:
            v = obj.get(lang)
            if not isinstance(v, str) or (not allow_empty and not v.strip()):
                err(f"{where}: missing or empty '{lang}'")
        extra = set(obj) - set(LANGS)
        if extra:
            err(f"{where}: unexpected keys {sorted(extra)}")

    if data.get("version") != 1:
        err("version is not 1")
    for key in ("groups", "situations", "sources"):
        if key not in data:
            err(f"missing top-level key '{key}'")
    if errors:
        return report(errors, warnings)

    sources = data["sources"]
    for sid, src in sources.items():
        for k in ("url", "date", "title", "excerpt"):
            if k not in src:
                err(f"source {sid}: missing '{k}'")
        if not str(src.get("url", "")).startswith(("http://", "https://")):
            err(f"source {sid}: url is not http(s)")
        if not DATE_RE.match(str(src.get("date", "x"))):
            err(f"source {sid}: date '{src.get('date')}' is not YYYY, YYYY-MM, YYYY-MM-DD or empty")
        if not str(src.get("excerpt", "")).strip():
            err(f"source {sid}: empty excerpt")
        if not str(src.get("title", "")).strip():
            err(f"source {sid}: empty title")

    group_ids = []
    for g in data["groups"]:
        gid = g.get("id", "")
        if not ID_RE.match(gid):
            err(f"group id '{gid}' is not URL-friendly")
        group_ids.append(gid)
        tri(g.get("label"), f"group {gid} label")
    dup = {g for g in group_ids if group_ids.count(g) > 1}
    if dup:
        err(f"duplicate group ids: {sorted(dup)}")

    used = set()
    sit_ids = []
    for s in data["situations"]:
        sid = s.get("id", "")
        sit_ids.append(sid)
        where = f"situation {sid}"
        if not ID_RE.match(sid):
            err(f"{where}: id is not URL-friendly")
        if s.get("group") not in group_ids:
            err(f"{where}: group '{s.get('group')}' does not exist")
        for flag in ("urgent", "sensitive"):
            if not isinstance(s.get(flag), bool):
                err(f"{where}: '{flag}' is not true/false")
        tri(s.get("label"), f"{where} label")
        tri(s.get("description"), f"{where} description")
        ph = s.get("phrases", {})
        for lang in LANGS:
            lst = ph.get(lang)
            if not isinstance(lst, list) or not all(isinstance(x, str) and x.strip() for x in lst):
                err(f"{where} phrases: '{lang}' is not a list of non-empty strings")
            elif lang == "fr" and not lst:
                err(f"{where} phrases: 'fr' is empty")
            elif len(set(x.lower() for x in lst)) != len(lst):
                warnings.append(f"{where} phrases: '{lang}' has duplicates")
        services = s.get("services", [])
        if not services:
            err(f"{where}: no service (a situation with no sourced service is not shipped)")
        cats = []
        for i, sv in enumerate(services):
            cat = sv.get("category")
            cats.append(cat)
            if cat not in CATEGORIES:
                err(f"{where} service {i}: category '{cat}' is not one of {sorted(CATEGORIES)}")
            tri(sv.get("why"), f"{where} service {i} ({cat}) why")
            src = sv.get("source")
            if src not in sources:
                err(f"{where} service {i} ({cat}): source '{src}' does not exist")
            used.add(src)
        dupc = {c for c in cats if cats.count(c) > 1}
        if dupc:
            err(f"{where}: category listed twice: {sorted(dupc)}")
        if "amo-24h" in cats and cats[0] != "amo-24h" and s.get("urgent"):
            err(f"{where}: urgent and amo-24h is not first")
        helplines = s.get("helplines", [])
        if s.get("urgent") and not helplines:
            err(f"{where}: urgent but no helpline")
        for i, h in enumerate(helplines):
            for k in ("name", "number"):
                if not str(h.get(k, "")).strip():
                    err(f"{where} helpline {i}: missing '{k}'")
            tri(h.get("hours"), f"{where} helpline {i} hours")
            src = h.get("source")
            if src not in sources:
                err(f"{where} helpline {i}: source '{src}' does not exist")
            used.add(src)
    dup = {x for x in sit_ids if sit_ids.count(x) > 1}
    if dup:
        err(f"duplicate situation ids: {sorted(dup)}")
    for sid in sources:
        if sid not in used:
            warnings.append(f"source {sid} is not used by any situation")

    if not errors:
        per_group = {g: 0 for g in group_ids}
        for s in data["situations"]:
            per_group[s["group"]] = per_group.get(s["group"], 0) + 1
        print(f"{len(data['situations'])} situations, {len(sources)} sources")
        for g, n in per_group.items():
            print(f"  {g}: {n}")
    return report(errors, warnings)


def report(errors, warnings):
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "data/situations/situations.json"
    sys.exit(main(path))
