#!/usr/bin/env python3
"""Self-check for a question set (default: bench/answers/dev/questions.yaml).

Checks
  * structure: unique kebab-case ids, allowed categories, answer/expect/events shapes
  * every source path exists
  * for non-calendar questions with a gold answer: at least one gold string occurs
    (case-insensitive) in at least one listed source; gold strings found in no listed
    source are reported as notes (format alternatives), and distinctive gold strings that
    also occur in files NOT listed as sources are reported as warnings
  * calendar questions: every expected occurrence exists at that local time (via
    icalendar + recurring-ical-events), and the occurrences in the window the question
    implies (its `window: [start, end, title filter or null, mode, excluded titles?]` key,
    else WINDOWS below; "now" and "end" are allowed as start/end) are exactly the expected ones
  * counts per category

Usage: python check_set.py [path/to/questions.yaml]
Needs PyYAML; the calendar part needs icalendar and recurring-ical-events.
Exit status 1 when an error was found.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import json
import re
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

CATEGORIES = {"lookup", "amount", "person", "date", "calendar", "message", "unanswerable", "multilingual"}
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Window each calendar question implies: (start, end, title filter or None, mode[, excluded titles])
# mode "agenda": every non-cancelled occurrence overlapping the window
# mode "busy":   as agenda, minus all-day and TRANSP:TRANSPARENT events (free/busy questions)
# times are Europe/London local; "now" is replaced by the set's now.
END = "2028-01-01T00:00"
WINDOWS = {
    "cal-today-left": ("now", "2027-03-11T00:00", None, "agenda"),
    "cal-today": ("2027-03-10T00:00", "2027-03-11T00:00", None, "agenda"),
    "cal-thursday": ("2027-03-11T00:00", "2027-03-12T00:00", None, "agenda"),
    "cal-fri-afternoon-free": ("2027-03-12T12:00", "2027-03-12T18:00", None, "busy"),
    "cal-fit-2h-tomorrow": ("2027-03-11T09:00", "2027-03-11T18:00", None, "busy"),
    "cal-design-review-17": ("2027-03-17T00:00", "2027-03-18T00:00", "design review", "agenda"),
    "cal-design-review-31": ("2027-03-31T00:00", "2027-04-01T00:00", "design review", "agenda"),
    "cal-book-club-friday": ("2027-03-12T00:00", "2027-03-13T00:00", "book club", "agenda"),
    "cal-next-book-club": ("now", "2027-04-09T19:31", "book club", "agenda"),
    "cal-physio-next": ("now", "2027-03-15T07:46", "physio", "agenda"),
    "cal-next-dentist": ("now", "2027-03-23T08:16", "dentist", "agenda"),
    "cal-northline-tomorrow": ("2027-03-11T00:00", "2027-03-12T00:00", "northline", "agenda"),
    "cal-mark-call-18th": ("2027-03-18T00:00", "2027-03-19T00:00", "northline", "agenda"),
    "cal-northline-ny-time": ("now", "2027-03-11T15:01", "northline", "agenda"),
    "cal-spanish-remaining": ("now", END, "spanish", "agenda"),
    "cal-mum-birthday": ("2027-01-01T00:00", END, "mum's birthday", "agenda"),
    "cal-oma-birthday-weekday": ("2027-01-01T00:00", END, "oma ilse's birthday", "agenda"),
    "cal-dan-birthday-weekday": ("2027-01-01T00:00", END, "dan's birthday", "agenda"),
    "cal-hamburg-flight-length": ("now", END, "→ hamburg", "agenda"),
    "cal-hamburg-landing": ("2027-03-25T00:00", "2027-03-26T00:00", "→ hamburg", "agenda"),
    "cal-barcelona-landing": ("now", END, "→ barcelona", "agenda"),
    "cal-barcelona-agenda": ("2027-04-13T00:00", "2027-04-16T00:00", None, "agenda",
                             {"Supply Chain Product Summit – Barcelona"}),  # the window's own event
    "cal-talk-uk-time": ("now", END, "my talk", "agenda"),
    "cal-barcelona-return": ("now", END, "barcelona →", "agenda"),
    "cal-next-all-hands": ("now", "2027-04-01T16:01", "all-hands", "agenda"),
    "cal-all-hands-left": ("now", END, "all-hands", "agenda"),
    "cal-next-1on1": ("now", "2027-03-22T10:01", "1:1 rachel", "agenda"),
    "cal-standup-today": ("2027-03-10T00:00", "2027-03-11T00:00", "stand-up", "agenda"),
    "cal-good-friday": ("2027-03-26T00:00", "2027-03-27T00:00", None, "agenda"),
    "cal-easter-monday": ("2027-03-29T00:00", "2027-03-30T00:00", None, "agenda"),
    "cal-easter-lunch-uk": ("now", END, "easter lunch", "agenda"),
    "cal-osterfeuer": ("now", END, "osterfeuer", "agenda"),
    "cal-next-week": ("2027-03-15T00:00", "2027-03-22T00:00", None, "agenda"),
    "cal-this-weekend": ("2027-03-13T00:00", "2027-03-15T00:00", None, "agenda"),
    "cal-sat-evening": ("2027-03-13T18:00", "2027-03-14T00:00", None, "busy"),
    "cal-felix-call": ("2027-03-14T00:00", "2027-03-15T00:00", "felix", "agenda"),
    "cal-blood-test": ("now", END, "blood test", "agenda"),
    "cal-monday-22-morning": ("2027-03-22T06:00", "2027-03-22T12:00", None, "busy"),
    "cal-23rd": ("2027-03-23T00:00", "2027-03-24T00:00", None, "agenda"),
    "cal-hygienist": ("now", END, "hygienist", "agenda"),
    "cal-porto-flight": ("now", END, "flight to porto", "agenda"),
    "cal-porto-return-landing": ("now", END, "home from porto", "agenda"),
    "cal-porto-weekend": ("2027-05-28T00:00", "2027-06-01T00:00", None, "agenda", {"Porto 🇵🇹"}),
    "cal-mot": ("now", END, "mot –", "agenda"),
    "cal-dele-start": ("now", END, "dele", "agenda"),
    "cal-routefox": ("2027-03-12T00:00", "2027-03-13T00:00", "routefox", "agenda"),
    "cal-chloe-drinks": ("now", END, "chloe's birthday drinks", "agenda"),
    "cal-next-pilates": ("now", "2027-03-15T19:01", "pilates", "agenda"),
    "cal-this-afternoon": ("2027-03-10T12:00", "2027-03-10T18:00", None, "busy"),
    "cal-first-ride": ("now", "2027-04-04T08:01", "sunday ride", "agenda"),
    "cal-april-1": ("2027-04-01T00:00", "2027-04-02T00:00", None, "agenda"),
}

# Gold strings that also occur in files not listed as sources, checked by hand: there
# they state a different fact (a distractor) or only part of it.
REVIEWED = {
    ("dal-lentils", "250 g"): "250 Greenwich St in Mark's signature",
    ("bin-day", "Tuesday"): "Spanish class / enrolment mail",
    ("rent-renewal", "1,575"): "the note has the current rent, not the renewal terms",
    ("barcelona-budget", "1,200"): "workshop income in the tax note (distractor)",
    ("book-club-april-host", "Chloe"): "Chloe is mentioned everywhere",
    ("spare-key", "Doreen"): "inbox: her birthday",
    ("mark-company", "Northline"): "mentions Northline without Mark",
    ("who-is-niamh", "Sr Data Analyst"): "the role without Niamh",
    ("physio-name", "Aisha"): "'Aisha's rule' without saying she is the physio",
    ("empty-states-due", "19 March"): "Northline forecast date",
    ("mia-birthday", "2 May"): "'22 May' / '12 May'",
    ("northline-forecast", "19 March"): "empty-states date",
    ("dan-parcel", "Hoe Street"): "other places on Hoe Street",
    ("papa-mustard", "Colman's"): "a past Christmas present (distractor)",
    ("mama-mitbringen", "Yorkshire Tea"): "birthday gift idea (distractor)",
    ("porto-door-code", "day before"): "'Saturday before dinner'",
    ("dele-oral-time", "by email"): "asked the landlord by email",
    ("arjun-panel", "to confirm"): "'Reply Y to confirm'",
    # blind2
    ("sound-designer", "Felix"): "Felix mentioned without his role",
    ("bas-due", "28 Apr"): "ceramics term 2 guess (distractor)",
    ("bas-due", "28 April"): "ceramics term 2 guess (distractor)",
    ("cat-rego-renew", "10 April"): "order Sam's saw by 10 April (distractor)",
    ("cat-rego-renew", "10 Apr"): "Auckland show dates / saw order (distractors)",
    ("msg-pack-died", "Tomasz"): "journal: Tomasz missed a line",
    ("msg-sam-payback", "Fitzroy"): "Hearing Hub Fitzroy",
    ("msg-piha-driver", "Tomasz"): "journal and RF table mention Tomasz",
    ("caldo-couve", "200 g"): "sugar in the nata recipe",
}

errors: list[str] = []
warnings: list[str] = []
notes: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


# ---------------------------------------------------------------- text of a file
def mbox_text(raw: bytes) -> str:
    parts = re.split(rb"(?m)^From \S+@xxx .*\n", raw)
    out = []
    for chunk in parts:
        if not chunk.strip():
            continue
        msg = email.message_from_bytes(chunk, policy=email.policy.default)
        out.append("\n".join(f"{h}: {msg[h]}" for h in ("From", "To", "Cc", "Subject", "Date") if msg[h]))
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                try:
                    out.append(part.get_content())
                except Exception:  # pragma: no cover - broken part
                    out.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(out)


def json_text(obj) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, list):
        return "".join(json_text(x) for x in obj) if all(isinstance(x, (str, dict)) for x in obj) else " ".join(json_text(x) for x in obj)
    if isinstance(obj, dict):
        if "text" in obj and isinstance(obj["text"], str) and set(obj) <= {"type", "text", "href", "user_id"}:
            return obj["text"]
        return "\n".join(json_text(v) for v in obj.values())
    return str(obj)


def file_text(path: Path) -> str:
    raw = path.read_bytes()
    name = path.name.lower()
    if name.endswith(".ics"):
        t = raw.decode("utf-8").replace("\r\n", "\n")
        t = re.sub(r"\n[ \t]", "", t)  # unfold
        return t.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
    if name.endswith(".mbox") or raw.startswith(b"From "):
        return mbox_text(raw)
    if name.endswith(".xml"):
        return html.unescape(raw.decode("utf-8"))
    if name.endswith(".json"):
        return json_text(json.loads(raw.decode("utf-8")))
    return raw.decode("utf-8")


# ---------------------------------------------------------------- calendar
def load_occurrences(base: Path, tz: ZoneInfo):
    import icalendar
    import recurring_ical_events

    occ = []
    for f in sorted((base / "calendar").glob("*.ics")):
        cal = icalendar.Calendar.from_ical(f.read_bytes())
        for e in recurring_ical_events.of(cal).between(dt.datetime(2026, 1, 1), dt.datetime(2028, 12, 31)):
            if str(e.get("STATUS", "")).upper() == "CANCELLED":
                continue
            s = e["DTSTART"].dt
            if "DTEND" in e:
                en = e["DTEND"].dt
            elif "DURATION" in e:
                en = s + e["DURATION"].dt
            else:
                en = s + dt.timedelta(days=1) if not isinstance(s, dt.datetime) else s
            all_day = not isinstance(s, dt.datetime)
            if all_day:
                s_local = dt.datetime.combine(s, dt.time(), tz)
                e_local = dt.datetime.combine(en, dt.time(), tz)
                key = s.isoformat()
            else:
                s_local = s.astimezone(tz)
                e_local = en.astimezone(tz)
                key = s_local.strftime("%Y-%m-%dT%H:%M")
            occ.append({
                "title": str(e["SUMMARY"]), "start": key, "s": s_local, "e": e_local, "all_day": all_day,
                "transparent": str(e.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT",
                "file": f"calendar/{f.name}",
            })
    return occ


def check_calendar(q, occ, tz, now):
    qid = q["id"]
    expected = {(ev["title"], ev["start"]) for ev in q["events"]}
    index = {(o["title"], o["start"]): o for o in occ}
    for t, s in sorted(expected):
        if (t, s) not in index:
            err(f"{qid}: expected occurrence not in the calendars: {t!r} at {s}")
        elif index[(t, s)]["file"] not in q.get("sources", []):
            err(f"{qid}: {t!r} comes from {index[(t, s)]['file']}, which is not in sources")
    if "window" in q:  # the question carries its own window: [start, end, title filter or null, mode, excluded?]
        spec = q["window"]
        if not isinstance(spec, list) or len(spec) not in (4, 5) or spec[3] not in ("agenda", "busy"):
            err(f"{qid}: window must be [start, end, title filter or null, agenda|busy, excluded titles?]")
            return
    elif qid in WINDOWS:
        spec = WINDOWS[qid]
    else:
        err(f"{qid}: no window (a `window:` key or an entry in check_set.WINDOWS)")
        return
    ws, we, flt, mode, *rest = spec
    excluded = set(rest[0]) if rest else set()
    we = END if we == "end" else we
    ws = now if ws == "now" else dt.datetime.fromisoformat(ws).replace(tzinfo=tz)
    we = dt.datetime.fromisoformat(we).replace(tzinfo=tz)
    found = set()
    for o in occ:
        if flt and flt.lower() not in o["title"].lower():
            continue
        if mode == "busy" and (o["all_day"] or o["transparent"]):
            continue
        if o["title"] in excluded:
            continue
        overlaps = (o["s"] < we and o["e"] > ws) if o["e"] > o["s"] else (ws <= o["s"] < we)
        if overlaps:
            found.add((o["title"], o["start"]))
    for t, s in sorted(found - expected):
        err(f"{qid}: occurrence in the question's window but not expected: {t!r} at {s}")
    for t, s in sorted(expected - found):
        if (t, s) in index:
            err(f"{qid}: expected occurrence lies outside the question's window: {t!r} at {s}")


# ---------------------------------------------------------------- main
def main() -> int:
    qpath = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "dev" / "questions.yaml"
    base = qpath.parent
    data = yaml.safe_load(qpath.read_text(encoding="utf-8"))
    tz = ZoneInfo(data.get("timezone", "Europe/London"))
    now = dt.datetime.fromisoformat(str(data["now"])).replace(tzinfo=tz)
    questions = data["questions"]

    all_files = [p for p in base.rglob("*") if p.is_file() and p.name not in {"questions.yaml", "README.md", "config.toml"}]
    texts = {p.relative_to(base).as_posix(): file_text(p).lower() for p in all_files}

    ids = Counter(q.get("id") for q in questions)
    for i, n in ids.items():
        if n > 1:
            err(f"duplicate id {i!r} ({n}x)")
    for q in questions:
        qid = q.get("id", "?")
        if not isinstance(qid, str) or not ID_RE.match(qid):
            err(f"{qid}: id is not kebab-case")
        if q.get("category") not in CATEGORIES:
            err(f"{qid}: unknown category {q.get('category')!r}")
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            err(f"{qid}: empty question")
        ans = q.get("answer", "MISSING")
        if ans == "MISSING":
            err(f"{qid}: no answer key")
        elif ans is not None and (not isinstance(ans, list) or not ans or not all(isinstance(a, str) and a for a in ans)):
            err(f"{qid}: answer must be null or a non-empty list of strings")
        if "expect" in q and q["expect"] != "not_known":
            err(f"{qid}: unknown expect {q['expect']!r}")
        if q.get("expect") == "not_known" and (ans is None or q.get("category") != "unanswerable"):
            err(f"{qid}: expect not_known needs category unanswerable and gold strings")
        srcs = q.get("sources")
        if not isinstance(srcs, list):
            err(f"{qid}: sources must be a list")
            srcs = []
        for s in srcs:
            if not (base / s).is_file():
                err(f"{qid}: source does not exist: {s}")
        if ans is None and srcs:
            err(f"{qid}: a null answer should have no sources")
        if ans is not None and not srcs:
            err(f"{qid}: a gold answer needs at least one source")
        if q.get("category") == "calendar":
            if not isinstance(q.get("events"), list):
                err(f"{qid}: calendar question without an events list")
        elif "events" in q:
            err(f"{qid}: events on a non-calendar question")

        # gold strings in sources
        if ans and q.get("category") != "calendar":
            listed = [texts.get(s, "") for s in srcs]
            hits = [a for a in ans if any(a.lower() in t for t in listed)]
            if not hits:
                err(f"{qid}: none of {ans} occurs in its sources {srcs}")
            for a in ans:
                if a not in hits:
                    notes.append(f"{qid}: alternative {a!r} is not literally in the sources")
            for a in hits:
                if len(a) < 5 or a.isdigit():
                    continue  # too generic to hunt for elsewhere
                others = sorted(p for p, t in texts.items() if p not in srcs and a.lower() in t)
                if others and (qid, a) in REVIEWED:
                    notes.append(f"{qid}: {a!r} also in {others} (reviewed: {REVIEWED[(qid, a)]})")
                elif others:
                    warnings.append(f"{qid}: gold {a!r} also occurs in unlisted {others}")

    # calendar
    cal_qs = [q for q in questions if q.get("category") == "calendar" and isinstance(q.get("events"), list)]
    try:
        occ = load_occurrences(base, tz)
    except ImportError as e:
        warnings.append(f"calendar checks skipped ({e}); pip install icalendar recurring-ical-events")
        occ = None
    if occ is not None:
        for q in cal_qs:
            check_calendar(q, occ, tz, now)
        uses_windows = not any("window" in q for q in cal_qs)  # WINDOWS is the dev set's table
        extra = set(WINDOWS) - {q["id"] for q in cal_qs} if uses_windows else set()
        for x in sorted(extra):
            warnings.append(f"WINDOWS has {x!r} but no calendar question has that id")

    counts = Counter(q.get("category") for q in questions)
    print(f"{qpath}: {len(questions)} questions")
    for c in sorted(CATEGORIES):
        print(f"  {c:13s} {counts.get(c, 0)}")
    second = len(re.findall(r"(?m)^  - id: \S+ +# 2nd-place", qpath.read_text(encoding="utf-8")))
    print(f"  second-place marked: {second} ({100 * second / max(1, len(questions)):.0f}%)")
    for n in notes:
        print("note:", n)
    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
