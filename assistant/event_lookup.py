"""Questions about one event or series, answered from its occurrences.

"When is the design review on the 17th?", "Is Friday's book club still on?", "When are
the remaining Spanish classes?", "What time is the NY call in New York time?": the
planner names the events and the window; this module reads the calendar engine's
occurrences (overrides, cancellations and zones applied) and says what they are,
including that an occurrence was cancelled or moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from assistant import recurrence, replies
from assistant.calendar import Occurrence, occurrences
from assistant.calendar_ask import CalendarAnswer, describe_occurrence
from assistant.plan import Plan
from assistant.store import Store
from assistant.timeparse import Window, describe
from assistant.vocab import EventMatch

AHEAD = (timedelta(days=31), timedelta(days=366), timedelta(days=3 * 365))
MAX_LISTED = 20  # occurrences listed for "the remaining ..."


@dataclass(frozen=True)
class Change:
    """An occurrence the series' rule had in a window that is not there as ruled."""

    title: str
    was: datetime | date  # the slot the rule gave it (RECURRENCE-ID / EXDATE)
    cancelled: bool
    moved_to: Occurrence | None = None
    source: tuple[str, str] = ("", "")  # (path, uid) of the event


# Outlook and others put "Canceled: " before the title of a cancelled meeting
_CANCELLED_PREFIX = re.compile(r"^\s*(?:cancel+ed|abgesagt|annulé|cancelado)\s*:\s*", re.I)


def _keys(matches: tuple[EventMatch, ...]) -> set[tuple[str, str]]:
    return {(m.entry.path, m.entry.uid) for m in matches}


def _in(found: list[Occurrence], keys: set[tuple[str, str]] | None) -> list[Occurrence]:
    return [o for o in found if keys is None or (o.path, o.uid) in keys]


def _start(occ: Occurrence, tz: ZoneInfo) -> datetime:
    return occ.start_in(tz)


def upcoming(store: Store, keys: set[tuple[str, str]] | None, now: datetime,
             tz: ZoneInfo) -> list[Occurrence]:
    """Occurrences of the events starting from ``now`` (all-day: from today), nearest first,
    looking a month, then a year, then three years ahead."""
    today = now.astimezone(tz).date()
    for ahead in AHEAD:
        found = [o for o in _in(occurrences(store, now - timedelta(days=1), now + ahead, tz), keys)
                 if (o.start >= today if o.all_day else o.start_in(tz) >= now)]  # type: ignore[operator]
        if found:
            return found
    return []


def previous(store: Store, keys: set[tuple[str, str]] | None, now: datetime,
             tz: ZoneInfo) -> list[Occurrence]:
    """Occurrences that started before ``now``, latest first."""
    for back in AHEAD:
        found = [o for o in _in(occurrences(store, now - back, now, tz), keys)
                 if o.start_in(tz) < now]
        if found:
            return sorted(found, key=lambda o: _start(o, tz), reverse=True)
    return []


def _first(store: Store, plan: Plan, keys: set[tuple[str, str]] | None,
           tz: ZoneInfo) -> Occurrence | None:
    """The earliest occurrence of the events (the series' first, even when it is past)."""
    ids = [m.entry.event_id for m in plan.events]
    if not ids:
        return None
    (start,) = store.db.execute(
        f"SELECT min(first_start) FROM events WHERE id IN ({','.join('?' * len(ids))})", ids
    ).fetchone()
    if start is None:
        return None
    begin = datetime.fromtimestamp(start, tz) - timedelta(days=1)
    found = _in(occurrences(store, begin, begin + timedelta(days=40), tz), keys)
    return found[0] if found else None


def during_window(store: Store, plan: Plan, now: datetime, tz: ZoneInfo) -> tuple[Window, Occurrence] | None:
    """The span of the event a "during <event>" question names."""
    return period(store, plan.during, now, tz)


def period(store: Store, matches: tuple[EventMatch, ...], now: datetime, tz: ZoneInfo
           ) -> tuple[Window, Occurrence] | None:
    """The span of the event a question names as a period ("during the trip", "once I'm
    back from Auckland"): the occurrence going on now, else the next one, else the last."""
    keys = _keys(matches)
    current = [o for o in _in(occurrences(store, now - timedelta(days=60), now + timedelta(
        seconds=1), tz), keys) if o.end_in(tz) > now]
    chosen = (current or upcoming(store, keys, now, tz) or previous(store, keys, now, tz) or [None])[0]
    if chosen is None:
        return None
    return Window(chosen.start_in(tz), chosen.end_in(tz)), chosen


def changes(store: Store, matches: tuple[EventMatch, ...], window: Window,
            tz: ZoneInfo) -> list[Change]:
    """Occurrences of the events' rules in ``window`` that were cancelled or moved away."""
    out: list[Change] = []
    for m in matches:
        row = store.db.execute("SELECT ics FROM events WHERE id = ?", (m.entry.event_id,)).fetchone()
        if row is not None:
            out += _changes(row[0], m.entry.title, m.entry.location, (m.entry.path, m.entry.uid),
                            window, tz)
    return out


def cancelled_in(store: Store, window: Window, tz: ZoneInfo) -> list[Change]:
    """Every occurrence in ``window`` that was cancelled or moved away, whatever the event:
    what a day's agenda leaves out and a person may still expect ("the market shift on
    Friday is off"), earliest first."""
    rows = store.db.execute(
        "SELECT e.ics, e.title, e.location, d.path, e.uid FROM events e "
        "JOIN documents d ON d.id = e.doc_id WHERE e.first_start < ? "
        "AND (e.last_end IS NULL OR e.last_end > ?) "
        "AND (e.ics LIKE '%EXDATE%' OR e.ics LIKE '%CANCELLED%' OR e.ics LIKE '%RECURRENCE-ID%')",
        (window.end.timestamp(), window.start.timestamp() - 86400)).fetchall()
    out = [c for ics, title, location, path, uid in rows
           for c in _changes(ics, title, location, (path, uid), window, tz)]
    return sorted(out, key=lambda c: _moment(c.was, tz))


def _changes(ics: str, name: str, location: str | None, source: tuple[str, str],
             window: Window, tz: ZoneInfo) -> list[Change]:
    """The cancelled and moved-away occurrences of one event's calendar text in ``window``."""
    try:
        cal = icalendar.Calendar.from_ical(ics)
    except ValueError:
        return []
    out: list[Change] = []
    for component in cal.walk("VEVENT"):
        title = _CANCELLED_PREFIX.sub("", recurrence.text_of(component, "SUMMARY") or name)
        if "RECURRENCE-ID" in component:
            was = component["RECURRENCE-ID"].dt
            if not _inside(was, window, tz):
                continue
            if str(component.get("STATUS", "")).upper() == "CANCELLED":
                out.append(Change(title, was, True, source=source))
                continue
            span = recurrence.span_of(component, tz)
            if span is None:
                continue
            moved = Occurrence(span.title or title, span.start, span.end, span.all_day,
                               span.location or location, *source)
            if not _inside(span.start, window, tz):
                out.append(Change(title, was, False, moved, source))
        elif str(component.get("STATUS", "")).upper() == "CANCELLED":
            if _inside(component["DTSTART"].dt, window, tz):  # a cancelled one-off
                out.append(Change(title, component["DTSTART"].dt, True, source=source))
        else:
            for value in _exdates(component):
                if _inside(value, window, tz):
                    out.append(Change(title, value, True, source=source))
    return out


def _exdates(component: Any) -> list[datetime | date]:
    raw = component.get("EXDATE")
    if raw is None:
        return []
    found = []
    for item in raw if isinstance(raw, list) else [raw]:
        found.extend(d.dt for d in getattr(item, "dts", []))
    return found


def _moment(value: datetime | date, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return recurrence.to_aware(value, tz)
    return datetime.combine(value, datetime.min.time(), tzinfo=tz)


def _inside(value: datetime | date, window: Window, tz: ZoneInfo) -> bool:
    return window.start <= _moment(value, tz) < window.end


# --- wording ---------------------------------------------------------------------------


def _when(occ: Occurrence, plan: Plan, tz: ZoneInfo) -> str:
    """One occurrence in words, in the zone asked for (and the user's own in brackets)."""
    if plan.zone is None or occ.all_day or same_clock(occ, plan.zone, tz):
        # asked in the user's own zone ("in Toronto time" from Toronto): nothing to convert
        text = describe_occurrence(occ, tz, with_day=True, r=replies.load(plan.language))
    else:
        asked = describe_occurrence(occ, plan.zone, with_day=True)
        own = describe_occurrence(occ, tz, with_day=True)
        label = (plan.zone_name or str(plan.zone)).title() if len(plan.zone_name or "") > 4 else (
            (plan.zone_name or str(plan.zone)).upper())
        text = f"{asked} ({label} time; {own.split(', ', 1)[-1].split(' ', 1)[0]} your time)"
    if plan.answer_type == "duration" and not occ.all_day:
        text += f" — {_length(occ.end_in(tz) - occ.start_in(tz))}"
    if plan.answer_type == "person":  # "who's hosting book club?": who is on it
        people = next((m.entry.attendees for m in plan.events
                       if (m.entry.path, m.entry.uid) == (occ.path, occ.uid)), ())
        if people:
            text += f"; with {', '.join(people)}"
    return text


def same_clock(occ: Occurrence, zone: ZoneInfo, tz: ZoneInfo) -> bool:
    """The asked zone shows the occurrence at the same wall-clock time as the user's own."""
    start = occ.start_in(tz)
    return start.utcoffset() == start.astimezone(zone).utcoffset()


def day_of_month(window_text: str | None) -> int | None:
    """The day a bare day of the month names ("on the 4th", "the 17th"): no month, so
    any month's."""
    m = re.fullmatch(r"\s*(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\s*", window_text or "",
                     re.IGNORECASE)
    return int(m[1]) if m and 1 <= int(m[1]) <= 31 else None


def on_day_of_month(store: Store, keys: set[tuple[str, str]] | None, day: int, now: datetime,
                    tz: ZoneInfo) -> list[Occurrence]:
    """The next occurrences of the events that fall on that day of a month (from now)."""
    found = [o for o in upcoming(store, keys, now, tz) if o.start_in(tz).day == day]
    if not found:  # the month ahead had none: look a year, then three, ahead
        found = [o for o in _in(occurrences(store, now, now + AHEAD[-1], tz), keys)
                 if o.start_in(tz) >= now and o.start_in(tz).day == day]
    return [o for o in found if _start(o, tz) == _start(found[0], tz)] if found else []


def _length(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    return f"{hours} h {rest:02d} min" if rest else (f"{hours} hour" + ("s" if hours > 1 else ""))


def _was(change: Change, tz: ZoneInfo) -> str:
    if isinstance(change.was, datetime):
        moment = recurrence.to_aware(change.was, tz).astimezone(tz)
        return f"{moment:%A} {moment.day} {moment:%B %Y} {moment:%H:%M}"
    return f"{change.was:%A} {change.was.day} {change.was:%B %Y}"


def said_changes(gone: list[Change], tz: ZoneInfo) -> str:
    """ "Cancelled: Market shift (Friday 2 April 2027 14:00). Moved: Team sync (Monday 30
    November 2026 10:00) to Tuesday 1 December 2026 15:00." """
    parts = []
    cancelled = [c for c in gone if c.cancelled]
    if cancelled:
        parts.append("Cancelled: " + "; ".join(f"{c.title} ({_was(c, tz)})" for c in cancelled)
                     + ".")
    moved = [c for c in gone if c.moved_to is not None]
    if moved:
        parts.append("Moved: " + "; ".join(
            f"{c.title} ({_was(c, tz)}) to {describe_occurrence(c.moved_to, tz, with_day=True)}"
            for c in moved if c.moved_to is not None) + ".")
    return " ".join(parts)


def _cited(text: str, found: list[Occurrence]) -> CalendarAnswer:
    return CalendarAnswer(text, found)


def answer_event(store: Store, plan: Plan, now: datetime, tz: ZoneInfo) -> CalendarAnswer | None:
    """The exact answer to an event question, or None when the calendar has nothing to say
    (the notes may know: the caller searches)."""
    keys = _keys(plan.events) if plan.events else None
    names = sorted({m.entry.title for m in plan.events}) or ["your next event"]
    what = " / ".join(names[:3])
    window = plan.window
    if plan.during:
        span = during_window(store, plan, now, tz)
        if span is not None:
            window = span[0]
    if plan.after:  # "the first session once I'm back from Auckland": from its end on
        span = period(store, plan.after, now, tz)
        if span is not None:
            now = max(now, span[0].end)
            if plan.event_mode == "first":
                plan = replace(plan, event_mode="next")

    if plan.events and all(m.entry.cancelled for m in plan.events):
        # only cancelled events match: say when each was to be, and that it was cancelled
        span = window or Window(now - AHEAD[1], now + AHEAD[-1])
        gone = changes(store, plan.events, span, tz) or changes(
            store, plan.events, Window(now - AHEAD[-1], now + AHEAD[-1]), tz)
        if gone:
            lead = "No: " if plan.event_mode == "status" else ""
            return CalendarAnswer(lead + "; ".join(
                f"{c.title} on {_was(c, tz)} was cancelled" for c in gone) + ".", [],
                found=plan.event_mode == "status", sources=[c.source for c in gone])
    if plan.event_mode in ("remaining", "final"):
        found = [o for o in _in(occurrences(store, now, now + AHEAD[-1], tz), keys)
                 if o.start_in(tz) >= now or o.all_day]
        if not found:
            return CalendarAnswer(f"No more {what} on your calendar.", [], found=False)
        if window is not None:
            inside = [o for o in found if window.start <= o.start_in(tz) < window.end]
            if not inside:  # "any climbing sessions left this month?": none, the next is later
                later = [o for o in found if o.start_in(tz) >= window.end] or found
                return CalendarAnswer(f"No more {what} ({describe(window, tz)}). Next: "
                                      f"{_when(later[0], plan, tz)}.", [],
                                      sources=[(later[0].path, later[0].uid)])
            found = inside
        if plan.event_mode == "final":  # the last one ahead, the series' end
            return CalendarAnswer(f"Last one: {_when(found[-1], plan, tz)}.", found[-1:])
        lines = [f"- {_when(o, plan, tz)}" for o in found[:MAX_LISTED]]
        if len(found) > MAX_LISTED:
            lines.append(f"... and {len(found) - MAX_LISTED} more")
        return CalendarAnswer(f"Remaining ({len(found)}):\n" + "\n".join(lines), found)

    if window is not None and plan.event_mode in ("window", "status"):
        found = _in(occurrences(store, window.start, window.end, tz), keys)
        label = describe(window, tz)
        gone = changes(store, plan.events, window, tz) if plan.events else []
        if found:
            lead = "Yes, still on: " if plan.event_mode == "status" else ""
            body = "; ".join(_when(o, plan, tz) for o in found)
            extra = "".join(f" (moved from {_was(c, tz)})" for c in gone if c.moved_to in found)
            return CalendarAnswer(f"{lead}{body}{extra}.", found)
        if gone:
            parts = []
            moved: list[Occurrence] = []
            for c in gone:
                if c.cancelled:
                    parts.append(f"{c.title} on {_was(c, tz)} was cancelled")
                elif c.moved_to is not None:
                    parts.append(f"{c.title} on {_was(c, tz)} was moved to "
                                 f"{_when(c.moved_to, plan, tz)}")
                    moved.append(c.moved_to)
            text = ("No: " if plan.event_mode == "status" else "") + "; ".join(parts) + "."
            after = upcoming(store, keys, max(now, window.end), tz)
            if after and not moved:
                text += f" Next: {_when(after[0], plan, tz)}."
            # a cancellation is the answer ("is it still on?"); the next one is context
            return CalendarAnswer(text, moved, found=plan.event_mode == "status" or bool(moved),
                                  sources=[c.source for c in gone])
        day = day_of_month(plan.window_text) if keys is not None else None
        other = on_day_of_month(store, keys, day, now, tz) if day else []
        if other:  # "on the 4th" with no month: the event's next 4th, not the nearest 4th
            return CalendarAnswer("; ".join(_when(o, plan, tz) for o in other) + ".", other)
        nxt = upcoming(store, keys, now, tz)
        text = f"{what} is not on your calendar on {label}."
        if nxt:
            text += f" Next: {_when(nxt[0], plan, tz)}."
        return CalendarAnswer(text, [], found=False)

    if plan.event_mode == "first":
        first = _first(store, plan, keys, tz)
        if first is not None:
            return CalendarAnswer(f"First: {_when(first, plan, tz)}.", [first])
    if plan.event_mode == "last":
        past = previous(store, keys, now, tz)
        if past:
            return CalendarAnswer(f"Last: {_when(past[0], plan, tz)}.", past[:1])
    nxt = upcoming(store, keys, now, tz)
    if nxt:
        first = nxt[0]
        same = [o for o in nxt if _start(o, tz) == _start(first, tz)]
        listed = "; ".join(_when(o, plan, tz) for o in same)
        if plan.event_mode == "status":
            return CalendarAnswer(f"Yes, still on. Next: {listed}.", same)
        return CalendarAnswer(replies.load(plan.language).say("next", what=listed), same)
    past = previous(store, keys, now, tz)
    if past and keys is not None:
        return CalendarAnswer(f"No upcoming {what}; the last one was {_when(past[0], plan, tz)}.",
                              past[:1], found=plan.event_mode == "last")
    return None


def freshen(hits: list[Any], store: Store, now: datetime, tz: ZoneInfo) -> list[Any]:
    """Event hits say when the event happens next (or last happened), not only its first
    date: a weekly meeting found in search is read as "next: Monday 30 November ...",
    never as the series' first Monday two months ago."""

    out = []
    for hit in hits:
        if hit.kind != "event" or not hit.locator.startswith("uid:"):
            out.append(hit)
            continue
        keys = {(hit.path, hit.locator[4:])}
        nxt = upcoming(store, keys, now, tz)
        if nxt:
            line = f"Next: {describe_occurrence(nxt[0], tz, with_day=True)}"
        else:
            past = previous(store, keys, now, tz)
            line = f"Last: {describe_occurrence(past[0], tz, with_day=True)}" if past else ""
        if not line:
            out.append(hit)
            continue
        lines = hit.text.splitlines()
        at = next((i for i, ln in enumerate(lines) if ln.startswith("When:")), 0)
        lines.insert(at + 1, line)
        out.append(replace(hit, text="\n".join(lines)))
    return out
