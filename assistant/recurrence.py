"""Expanding one event series (a self-contained VCALENDAR) into bounded lists of occurrences."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from assistant.records import EventSpan

# Occurrences of one series per expansion: at index time, and per query window at query
# time (a month of a 15-minute series is 2,880; a fortnight of a minutely one is not an
# agenda). A query that reaches it says so (calendar.Cut).
MAX_PER_SERIES = 10_000


@dataclass(frozen=True)
class Expansion:
    spans: list[EventSpan]
    complete_until: datetime | None  # every occurrence starting before this is in ``spans``


def text_of(component: icalendar.Component, name: str) -> str | None:
    """A one-line text property: Apple puts the street on a second LOCATION line."""
    value = component.get(name)
    if value is None:
        return None
    lines = (" ".join(part.split()) for part in str(value).splitlines())
    return ", ".join(part for part in lines if part) or None


def to_aware(value: datetime, tz: tzinfo) -> datetime:
    """Floating times are in the user's zone; aware ones keep their instant."""
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def span_of(
    component: icalendar.Component,
    tz: tzinfo,
    title: str | None = None,
    location: str | None = None,
) -> EventSpan | None:
    """The occurrence a (master, override or expanded) VEVENT describes; None if cancelled.

    No DTEND: DURATION, else a DATE event lasts one day and a DATE-TIME event no time.
    """
    start = component["DTSTART"].dt
    if "DTEND" in component:
        end = component["DTEND"].dt
    elif "DURATION" in component:
        end = start + component["DURATION"].dt
    else:
        end = start if isinstance(start, datetime) else start + timedelta(days=1)
    return _span(component, start, end, tz, title, location)


@dataclass(frozen=True)
class _Facts:
    """What every occurrence built from one VEVENT shares: read once per component (a
    long series is thousands of occurrences of its master)."""

    cancelled: bool
    summary: str | None
    place: str | None
    busy: bool
    recurrence_id: date | datetime | None
    dtstart: date | datetime


def _facts(component: icalendar.Component) -> _Facts:
    rid = component.get("RECURRENCE-ID")
    return _Facts(
        str(component.get("STATUS", "")).upper() == "CANCELLED",
        text_of(component, "SUMMARY"), text_of(component, "LOCATION"),
        str(component.get("TRANSP", "OPAQUE")).upper() != "TRANSPARENT",
        rid.dt if rid is not None else None, component["DTSTART"].dt,
    )


def _moved_from(facts: _Facts, start: date | datetime, tz: tzinfo) -> date | datetime | None:
    """The instance an override moved to ``start`` (its RECURRENCE-ID, as an instant),
    else None.

    An occurrence of the rule and an override left in place are identified by their
    start alone; a moved one by (start, instance it replaces). recurring-ical-events
    gives a rule occurrence built from a RANGE=THISANDFUTURE override that override's
    component, so an occurrence counts as moved only where it starts at the override's
    own DTSTART.
    """
    moved = facts.recurrence_id
    if moved is None or start != facts.dtstart:
        return None
    if isinstance(moved, datetime) == isinstance(start, datetime) and (
            _instant(moved, tz) == _instant(start, tz)):
        return None
    return _instant(moved, tz)


def _instant(value: date | datetime, tz: tzinfo) -> date | datetime:
    return to_aware(value, tz).astimezone(UTC) if isinstance(value, datetime) else value


def _span(
    component: icalendar.Component,
    start: date | datetime,
    end: date | datetime,
    tz: tzinfo,
    title: str | None,
    location: str | None,
    facts: _Facts | None = None,
) -> EventSpan | None:
    facts = facts or _facts(component)
    if facts.cancelled:
        return None
    summary, place, busy = facts.summary, facts.place, facts.busy
    moved = _moved_from(facts, start, tz)
    if not isinstance(start, datetime):  # all-day: dates, end exclusive
        end = end.date() if isinstance(end, datetime) else end
        if end <= start:  # DTEND = DTSTART (ical-generator writes it): one day
            end = start + timedelta(days=1)
        return EventSpan(
            start, end, True, False,
            summary if summary != title else None, place if place != location else None,
            moved,
        )
    if not isinstance(end, datetime):
        end = datetime.combine(end, start.time(), tzinfo=start.tzinfo)
    start, end = to_aware(start, tz).astimezone(UTC), to_aware(end, tz).astimezone(UTC)
    return EventSpan(
        start, max(start, end), False, busy,
        summary if summary != title else None, place if place != location else None, moved,
    )


def identity(span: EventSpan) -> tuple[object, object]:
    """What tells one occurrence of a series from another: never its slot alone."""
    return (span.start, span.recurrence_id)


def span_start(span: EventSpan, tz: tzinfo) -> datetime:
    """Where a span sorts on a timeline in ``tz``: all-day events at local midnight."""
    if isinstance(span.start, datetime):
        return span.start
    return datetime.combine(span.start, datetime.min.time(), tzinfo=tz)


def span_end(span: EventSpan, tz: tzinfo) -> datetime:
    if isinstance(span.end, datetime):
        return span.end
    return datetime.combine(span.end, datetime.min.time(), tzinfo=tz)


def query(calendar: icalendar.Calendar) -> recurring_ical_events.CalendarQuery:
    return recurring_ical_events.of(calendar)


_SUB_DAILY = {"HOURLY": 3600, "MINUTELY": 60, "SECONDLY": 1}
_PERIOD_DAYS = {"SECONDLY": 1 / 86400, "MINUTELY": 1 / 1440, "HOURLY": 1 / 24, "DAILY": 1,
                "WEEKLY": 7, "MONTHLY": 30, "YEARLY": 365}
_FAR = timedelta(days=150 * 365)


def master_of(calendar: icalendar.Calendar) -> icalendar.Component | None:
    for component in calendar.walk("VEVENT"):
        if "RECURRENCE-ID" not in component:
            return component
    return None


def rules_of(component: icalendar.Component | None) -> list[Any]:
    if component is None:
        return []
    raw = component.get("RRULE")
    return raw if isinstance(raw, list) else ([raw] if raw is not None else [])


def _rule(rule: Any, key: str, default: Any = None) -> Any:
    value = rule.get(key)
    return value[0] if isinstance(value, list) and value else (value or default)


def _step(master: icalendar.Component | None) -> int | None:
    """Seconds between candidates of a sub-daily rule without COUNT, else None."""
    rules = rules_of(master)
    if not rules or any("COUNT" in r for r in rules):
        return None
    steps = [_SUB_DAILY.get(str(_rule(r, "FREQ", "")).upper()) for r in rules]
    if any(s is None for s in steps):
        return None
    return min(int(s) * int(_rule(r, "INTERVAL", 1)) for s, r in zip(steps, rules, strict=True))


def _rebased(calendar: icalendar.Calendar, master: icalendar.Component, target: datetime,
             step: int) -> icalendar.Calendar:
    """The series with DTSTART moved forward by whole steps to just before ``target``.

    dateutil walks a rule from DTSTART, so an HOURLY/MINUTELY rule started years ago
    costs millions of steps per query; moving DTSTART by a multiple of the rule's
    interval keeps every later occurrence (and every RECURRENCE-ID) the same.
    """
    start = master["DTSTART"].dt
    if not isinstance(start, datetime):
        return calendar
    gap = (target - to_aware(start, target.tzinfo or UTC)).total_seconds()
    if gap <= step:
        return calendar
    shift = timedelta(seconds=int(gap // step) * step)
    moved = master.copy()
    moved.start = start + shift
    if "DTEND" in master:
        moved.end = master["DTEND"].dt + shift
    result = icalendar.Calendar()
    for key, value in calendar.items():
        result[key] = value
    for component in calendar.subcomponents:
        result.add_component(moved if component is master else component)
    return result


def expand_window(
    calendar: icalendar.Calendar,
    start: datetime,
    stop: datetime,
    tz: tzinfo,
    title: str | None = None,
    location: str | None = None,
    limit: int = MAX_PER_SERIES,
    within: tuple[datetime, datetime] | None = None,
) -> Expansion:
    """Occurrences overlapping [start, stop): at most ``limit``, complete before
    ``complete_until`` when cut. An endless rule costs at most ``limit`` occurrences.

    ``within``: keep (and count against ``limit``) only the occurrences overlapping that
    window, so the slack a caller adds around a query window takes no place in the cap.
    """
    master = master_of(calendar)
    step = _step(master)
    piece = stop - start
    if step and master is not None:
        calendar = _rebased(calendar, master, start - timedelta(days=2), step)
        piece = timedelta(seconds=max(step * 500, 3600))
    q = query(calendar)
    found: dict[tuple[object, object], EventSpan] = {}  # by identity: one slot may hold two
    t = start
    while t < stop and len(found) <= limit:
        u = min(stop, t + piece)
        for span in _spans_between(q, t.astimezone(tz), u.astimezone(tz), tz, title, location):
            if within is None or overlaps(span, within[0], within[1], tz):
                found[identity(span)] = span
        t = u
    spans = sorted(found.values(), key=lambda s: span_start(s, tz))
    if len(spans) > limit:
        return Expansion(spans[:limit], span_start(spans[limit], tz))
    return Expansion(spans, None)


def _spans_between(
    q: recurring_ical_events.CalendarQuery, a: datetime, b: datetime, tz: tzinfo,
    title: str | None, location: str | None,
) -> Iterator[EventSpan]:
    """Occurrences in [a, b) as spans.

    recurring-ical-events copies the whole VEVENT for every occurrence it returns,
    which is half the cost of expanding a long series; its Occurrence objects carry
    the start, end and source component already, so read those when they are there
    (falling back to the public API if a future version renames them).
    """
    try:
        raw = q._occurrences_between(a, b)
        pairs = [(o.start, o.end, o._adapter._component) for o in raw]
    except AttributeError:  # pragma: no cover - a newer recurring-ical-events
        pairs = None
    if pairs is None:
        for component in q.between(a, b):
            span = span_of(component, tz, title, location)
            if span is not None:
                yield span
        return
    known: dict[int, _Facts] = {}  # by id(): the components live as long as ``pairs``
    for start, end, component in pairs:
        facts = known.get(id(component))
        if facts is None:
            facts = known[id(component)] = _facts(component)
        span = _span(component, start, end, tz, title, location, facts)
        if span is not None:
            yield span


def expand_all(
    calendar: icalendar.Calendar,
    tz: tzinfo,
    title: str | None = None,
    location: str | None = None,
    limit: int = MAX_PER_SERIES,
) -> list[EventSpan] | None:
    """Every occurrence of a finite series, or None if it is endless or has over ``limit``."""
    master = master_of(calendar)
    rules = rules_of(master)
    if any("COUNT" not in r and "UNTIL" not in r for r in rules):
        return None
    if sum(int(_rule(r, "COUNT", 0)) for r in rules) > limit:
        return None
    first = None
    for component in calendar.walk("VEVENT"):
        span = span_of(component, tz)
        if span is not None and (first is None or span_start(span, tz) < first):
            first = span_start(span, tz)
    if first is None:
        return []
    stop = first + _FAR
    if rules and all("UNTIL" in r for r in rules):
        stop = first  # overrides may move an occurrence past UNTIL: keep the latest of them
        for component in calendar.walk("VEVENT"):
            span = span_of(component, tz)
            if span is not None:
                stop = max(stop, span_end(span, tz))
    for r in rules:
        if "UNTIL" in r:
            until = _rule(r, "UNTIL")
            until = until if isinstance(until, datetime) else datetime.combine(
                until, datetime.min.time(), tzinfo=tz)
            freq = str(_rule(r, "FREQ", "")).upper()
            per = _PERIOD_DAYS.get(freq, 1 / 24) * int(_rule(r, "INTERVAL", 1))
            byday = len(r.get("BYDAY") or []) or 1
            days = (to_aware(until, tz) - first).days
            if days / per * byday > 2 * limit:
                return None  # e.g. daily from 1990 to 2030: expand a horizon instead
            if stop < first + _FAR:
                stop = max(stop, to_aware(until, tz) + timedelta(days=2))
    got = expand_window(calendar, first - timedelta(days=1), stop, tz, title, location, limit)
    return None if got.complete_until is not None else got.spans


def overlaps(span: EventSpan, start: datetime, stop: datetime, tz: tzinfo) -> bool:
    """Overlap with [start, stop); a zero-length event counts when it starts inside."""
    a, b = span_start(span, tz), span_end(span, tz)
    if a == b:
        return start <= a < stop
    return a < stop and b > start


def iter_days(first: date, last_exclusive: date) -> Iterator[date]:
    d = first
    while d < last_exclusive:
        yield d
        d += timedelta(days=1)
