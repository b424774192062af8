"""Calendar answers and commands: agenda, free time and next occurrence, exact; the JSON shapes.

The planner (assistant/plan.py) decides that a question is about the calendar; every
time and title in an answer comes from the calendar engine, never a language model,
so the answer is as correct as the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from assistant import replies
from assistant.calendar import Occurrence, Slot, free_slots, next_occurrence, occurrences
from assistant.errors import AssistantError
from assistant.plan import Plan
from assistant.replies import Replies
from assistant.store import Store
from assistant.timeparse import Window, days_window, parse_window

ACTIONS = ("agenda", "free", "next")


@dataclass(frozen=True)
class CalendarQuestion:
    kind: str  # "agenda" | "free" | "next"
    now: datetime
    window: Window | None = None
    text: str | None = None
    min_length: timedelta = timedelta(minutes=30)
    busy_wording: bool = False  # "am I busy" rather than "am I free"
    language: str = "en"  # the question's: the answer's fixed words are in it (replies.py)


@dataclass
class CalendarAnswer:
    text: str
    events: list[Occurrence] = field(default_factory=list)
    found: bool = True  # False: what was asked about is not on the calendar (then, what is)
    sources: list[tuple[str, str]] = field(default_factory=list)  # (path, uid) cited besides


# an agenda of up to a week also says what was cancelled or moved away in it
MAX_CHANGES_SAID = timedelta(days=7)


# --- answers -----------------------------------------------------------------------------------


def searched(store: Store) -> list[tuple[str, str]]:
    """The calendars an answer with no events was read from ("you are free", "nothing
    on"): that answer rests on them, so it cites them."""
    rows = store.db.execute(
        "SELECT DISTINCT d.path FROM documents d JOIN events e ON e.doc_id = d.id ORDER BY d.path"
    ).fetchall()
    return [(path, "") for (path,) in rows]


def _day_name(d: date, r: Replies | None = None) -> str:
    return (r or replies.load()).day(d)


def _hm(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def describe_occurrence(occ: Occurrence, tz: ZoneInfo, *, with_day: bool = False,
                        r: Replies | None = None) -> str:
    """ "08:30–09:15 Dentist check-up, at Zahnarztpraxis ..." (all-day: "all day: ...")."""
    r = r or replies.load()
    where = f", {r.say('at')} {occ.location}" if occ.location else ""
    if occ.all_day:
        first, last = occ.start, occ.end - timedelta(days=1)  # type: ignore[operator]
        days = _day_name(first, r) if last == first else r.say(
            "range", first=_day_name(first, r), last=_day_name(last, r))
        all_day = r.say("all_day")
        when = f"{all_day} ({days})" if with_day or last != first else all_day
        return f"{when}: {occ.title}{where}"
    start, end = occ.start_in(tz), occ.end_in(tz)
    span = f"{_hm(start)}–{_hm(end)}" if end > start else _hm(start)
    if end.date() != start.date() and end != datetime.combine(start.date() + timedelta(days=1),
                                                              time(0), tzinfo=tz):
        span += f" ({r.say('ends')} {_day_name(end.date(), r)})"
    prefix = f"{_day_name(start.date(), r)}, " if with_day else ""
    return f"{prefix}{span} {occ.title}{where}"


def agenda_text(store: Store, w: Window, events: list[Occurrence], tz: ZoneInfo,
                language: str = "en") -> str:
    r = replies.load(language)
    label = r.window(w, tz)
    if not events:
        (count,) = store.db.execute("SELECT count(*) FROM events").fetchone()
        if not count:
            return r.say("no_calendar", label=label)
        return r.say("nothing_for", label=label)
    if w.day is not None or w.end - w.start <= timedelta(days=1):
        return f"{label}:\n" + "\n".join(f"- {describe_occurrence(o, tz, r=r)}" for o in events)
    lines = [f"{label}:"]
    current: date | None = None
    for occ in events:
        day = max(occ.start_in(tz), w.start.astimezone(tz)).date()
        if day != current:
            lines.append(f"{_day_name(day, r)}:")
            current = day
        lines.append(f"- {describe_occurrence(occ, tz, r=r)}")
    return "\n".join(lines)


def _free_text(cq: CalendarQuestion, busy: list[Occurrence], free: list[Slot],
               tz: ZoneInfo) -> str:
    assert cq.window is not None
    r = replies.load(cq.language)
    label = r.window(cq.window, tz)
    one_day = cq.window.end - cq.window.start <= timedelta(days=1)

    def slot(s: Slot) -> str:
        a, b = s.start.astimezone(tz), s.end.astimezone(tz)
        until = "24:00" if b.time() == time(0) and b.date() != a.date() else _hm(b)
        return f"{_hm(a)}–{until}" if one_day else f"{_day_name(a.date(), r)} {_hm(a)}–{until}"

    def listed(occs: list[Occurrence]) -> str:
        return "; ".join(describe_occurrence(o, tz, with_day=not one_day, r=r) for o in occs)

    slots = ", ".join(slot(s) for s in free)
    if cq.busy_wording:  # "am I busy ...?": lead with what keeps you busy
        if not busy:
            return r.say("nothing_is_on", label=label)
        tail = r.say("free_after_busy", slots=slots) if free else ""
        return r.say("busy_on", label=label, listed=listed(busy)) + tail
    busy_part = r.say("busy_after_free", listed=listed(busy)) if busy else ""
    if not free:
        return r.say("no_free", length=r.length(cq.min_length), label=label) + busy_part
    if not busy:
        return r.say("all_free", label=label, slots=slots)
    return r.say("free_on", label=label, slots=slots) + busy_part


def answer_question(store: Store, cq: CalendarQuestion, tz: ZoneInfo) -> CalendarAnswer | None:
    r = replies.load(cq.language)
    if cq.kind == "next":
        occ = next_occurrence(store, cq.text or "", cq.now, tz)
        if occ is None:
            return None  # nothing in the calendar: the notes may know (search route)
        return CalendarAnswer(
            r.say("next", what=describe_occurrence(occ, tz, with_day=True, r=r)), [occ])
    assert cq.window is not None
    if cq.kind == "free":
        now = cq.now if cq.window.start <= cq.now < cq.window.end else None
        busy, free = free_slots(store, cq.window.start, cq.window.end, tz,
                                min_length=cq.min_length, now=now)
        return CalendarAnswer(_free_text(cq, busy, free, tz), busy,
                              sources=[] if busy else searched(store))
    events = occurrences(store, cq.window.start, cq.window.end, tz)
    return CalendarAnswer(agenda_text(store, cq.window, events, tz, cq.language), events,
                          sources=[] if events else searched(store))


def answer_plan(store: Store, plan: Plan, now: datetime, tz: ZoneInfo) -> CalendarAnswer | None:
    """Carry out a calendar plan (agenda, free time, an event lookup); None when the
    calendar cannot answer it and the notes should be searched instead."""
    from assistant.event_lookup import answer_event, during_window

    if plan.route == "event":
        return answer_event(store, plan, now, tz)
    window = plan.window
    reference = None
    if plan.during:
        found = during_window(store, plan, now, tz)
        if found is None:
            return None
        window, reference = found
    if plan.route == "free":
        if window is None:
            days = 7 if plan.question.lower().lstrip().startswith("when") else 1
            window = days_window(now.astimezone(tz).date(),
                                 now.astimezone(tz).date() + timedelta(days=days), tz)
        cq = CalendarQuestion("free", now, window, min_length=plan.min_length,
                              busy_wording=plan.busy_wording, language=plan.language)
        return answer_question(store, cq, tz)
    if window is None:
        window = days_window(now.astimezone(tz).date(), now.astimezone(tz).date()
                             + timedelta(days=1), tz)
    if plan.rest_only and window.start < now < window.end:
        window = Window(now, window.end)
    from assistant.event_lookup import cancelled_in, said_changes

    events = occurrences(store, window.start, window.end, tz)
    if reference is not None:  # "during the trip": what else is on while it lasts
        events = [e for e in events if (e.path, e.uid) != (reference.path, reference.uid)]
    text = agenda_text(store, window, events, tz, plan.language)
    gone = cancelled_in(store, window, tz) if window.end - window.start <= MAX_CHANGES_SAID else []
    if gone:  # "am I on at the market Friday?": the shift that was cancelled is the answer
        text += "\n" + said_changes(gone, tz)
    sources = [c.source for c in gone]
    return CalendarAnswer(text, events, sources=sources if events else sources + searched(store))


# --- the JSON behind `assistant calendar` (CLI and daemon) ------------------------------------


def parse_length(text: str) -> timedelta:
    """ "30m", "45 min", "1h", "1h30m", "90" (minutes) -> a duration."""
    t = text.strip().lower().replace(" ", "")
    m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h(?:ours?)?)?(?:(\d+)m(?:in(?:utes?)?)?)?", t)
    if t.isdigit():
        return timedelta(minutes=int(t))
    if not t or not m or not (m[1] or m[2]):
        raise AssistantError(f"--min: not a duration: {text!r} (e.g. 30m, 1h, 1h30m)")
    return timedelta(hours=float(m[1] or 0), minutes=int(m[2] or 0))


def parse_hours(text: str) -> tuple[time, time]:
    """ "09:00-18:00" or "9-18" -> (start, end) of the day's usable hours."""
    m = re.fullmatch(r"\s*(\d{1,2})(?::(\d\d))?\s*[-–]\s*(\d{1,2})(?::(\d\d))?\s*", text)
    try:
        if not m:
            raise ValueError
        start = time(int(m[1]), int(m[2] or 0))
        end = time(0) if int(m[3]) == 24 else time(int(m[3]), int(m[4] or 0))
    except ValueError:
        raise AssistantError(f"--hours: not a time range: {text!r} (e.g. 09:00-18:00)") from None
    if end != time(0) and end <= start:
        raise AssistantError(f"--hours: the end is not after the start: {text!r}")
    return start, end


def _window_json(w: Window, tz: ZoneInfo) -> dict[str, str]:
    return {"start": w.start.astimezone(tz).isoformat(), "end": w.end.astimezone(tz).isoformat()}


def calendar_json(
    store: Store,
    now: datetime,
    tz: ZoneInfo,
    action: str = "agenda",
    when: str | None = None,
    text: str | None = None,
    min: str | None = None,  # noqa: A002 - the CLI option is --min
    hours: str | None = None,
) -> dict[str, Any]:
    """What `assistant calendar [free|next]` prints with --json; the daemon serves the same."""
    if action not in ACTIONS:
        raise AssistantError(f"unknown calendar action {action!r}; use one of {', '.join(ACTIONS)}")
    if action == "next":
        if not text or not text.strip():
            raise AssistantError("say what to look for, e.g. assistant calendar next dentist")
        occ = next_occurrence(store, text, now, tz)
        return {"query": text, "after": now.astimezone(tz).isoformat(),
                "events": [occ.to_json(tz)] if occ else []}
    w = parse_window(when or "today", now, tz, prefer="future")
    if action == "agenda":
        events = occurrences(store, w.start, w.end, tz)
        return {"window": _window_json(w, tz), "events": [e.to_json(tz) for e in events]}
    busy, free = free_slots(
        store, w.start, w.end, tz,
        min_length=parse_length(min or "30m"),
        hours=parse_hours(hours) if hours else None,
        now=now if w.start <= now < w.end else None,
    )
    return {"window": _window_json(w, tz), "busy": [e.to_json(tz) for e in busy],
            "free": [s.to_json(tz) for s in free]}
