"""Structured queries over indexed events: agenda (occurrences), free slots, next occurrence.

Storage and expansion: the ics parser expands every series at index time into the
``occurrences`` table over a horizon (all of a finite series; one year back and two
ahead of the indexing day for endless ones), recording the covered range in
``event_coverage``. A query inside the horizon is then one indexed range scan: no
VCALENDAR is parsed, which is what keeps a 5,000-event calendar fast (re-parsing
every series per query costs seconds). Outside the horizon, and for events indexed
without occurrences, the stored self-contained VCALENDAR is expanded lazily for the
uncovered part of the window only, with a per-series cap on the occurrences inside
the window, so an endless RRULE never hangs a query or fills the disk. A query that
reaches the cap says so: it lists the series as a ``Cut``.

Occurrences are told apart by (event, start, instance an override moved) and never by
their slot, so two occurrences moved to one slot are both listed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from assistant import recurrence
from assistant.errors import AssistantError
from assistant.records import EventSpan
from assistant.store import Store, to_epoch

MAX_WINDOW = timedelta(days=3 * 366)
DAY = 86400.0  # seconds; all-day rows sit at UTC midnight, up to 14 h from local midnight
LOOKAHEAD = timedelta(days=10 * 366)  # "next dentist" looks this far ahead at most


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event, as the calendar JSON shows it."""

    title: str
    start: datetime | date  # aware datetime, or a date for all-day events
    end: datetime | date  # exclusive
    all_day: bool
    location: str | None
    path: str
    uid: str
    busy: bool = True

    def span(self) -> EventSpan:
        return EventSpan(self.start, self.end, self.all_day, self.busy)

    def start_in(self, tz: ZoneInfo) -> datetime:
        return recurrence.span_start(self.span(), tz).astimezone(tz)

    def end_in(self, tz: ZoneInfo) -> datetime:
        return recurrence.span_end(self.span(), tz).astimezone(tz)

    def to_json(self, tz: ZoneInfo) -> dict[str, Any]:
        if self.all_day:
            start, end = self.start.isoformat(), self.end.isoformat()
        else:
            start, end = self.start_in(tz).isoformat(), self.end_in(tz).isoformat()
        return {
            "title": self.title,
            "start": start,
            "end": end,
            "all_day": self.all_day,
            "location": self.location,
            "path": self.path,
            "uid": self.uid,
        }


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime

    def to_json(self, tz: ZoneInfo) -> dict[str, str]:
        return {"start": self.start.astimezone(tz).isoformat(),
                "end": self.end.astimezone(tz).isoformat()}


@dataclass(frozen=True)
class Cut:
    """A series with more occurrences in a query's window than one query lists
    (``recurrence.MAX_PER_SERIES``): every occurrence starting before ``until`` is listed,
    none from ``until`` on."""

    uid: str
    title: str
    path: str
    until: datetime

    def to_json(self, tz: ZoneInfo) -> dict[str, str]:
        return {"uid": self.uid, "title": self.title, "path": self.path,
                "until": self.until.astimezone(tz).isoformat()}


# The cuts of the queries made inside ``watch_cuts()``: lets the JSON layer (library.py)
# and answer_calendar_question report a cut list around calls they do not make themselves.
_WATCHING: ContextVar[list[Cut] | None] = ContextVar("calendar_cuts", default=None)


@contextmanager
def watch_cuts() -> Iterator[list[Cut]]:
    """Collect every Cut of the calendar queries made in this block (this thread)."""
    seen: list[Cut] = []
    outer = _WATCHING.get()
    token = _WATCHING.set(seen)
    try:
        yield seen
    finally:
        _WATCHING.reset(token)
        if outer is not None:
            _note(outer, seen)


def _note(into: list[Cut], cuts: list[Cut]) -> None:
    for cut in cuts:
        if cut not in into:
            into.append(cut)


def cuts_json(cuts: list[Cut], tz: ZoneInfo) -> dict[str, Any]:
    """The keys the calendar JSON (agenda, free, the calendar route of ask) adds for cuts."""
    return {"truncated": bool(cuts), "truncated_series": [c.to_json(tz) for c in cuts]}


def cut_sentence(title: str, until: datetime) -> str:
    """What the agenda says under a list cut at ``until``."""
    return (f"The list is cut: {title} has more than {recurrence.MAX_PER_SERIES:,} occurrences "
            f"in this window; those from {until:%a} {until.day} {until:%b %Y %H:%M} on are "
            "not shown.")


def sort_key(occ: Occurrence, tz: ZoneInfo) -> tuple[datetime, int, str]:
    return (occ.start_in(tz), 0 if occ.all_day else 1, occ.title.lower())


def _check_window(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("calendar windows need time-zone-aware datetimes")
    if end <= start:
        raise AssistantError("the time window is empty (its end is not after its start)")
    if end - start > MAX_WINDOW:
        raise AssistantError("the time window is longer than three years; ask for a shorter one")


def _from_row(start_at: float, end_at: float, all_day: int) -> tuple[Any, Any]:
    a, b = datetime.fromtimestamp(start_at, UTC), datetime.fromtimestamp(end_at, UTC)
    return (a.date(), b.date()) if all_day else (a, b)


# --- occurrences in a window ---------------------------------------------------------------

_TABLE_SQL = """
SELECT o.event_id, o.start_at, o.end_at, o.all_day, o.busy,
       COALESCE(o.title, e.title), COALESCE(o.location, e.location), d.path, e.uid,
       o.recurrence_id
FROM occurrences o JOIN events e ON e.id = o.event_id JOIN documents d ON d.id = e.doc_id
WHERE o.start_at >= ? AND o.start_at < ? AND o.end_at >= ?
"""

# Events whose stored occurrences do not cover the whole window: expanded lazily.
_LAZY_SQL = """
SELECT e.id, e.ics, e.title, e.location, d.path, e.uid,
       c.event_id IS NOT NULL, c.covered_from, c.covered_until
FROM events e JOIN documents d ON d.id = e.doc_id
LEFT JOIN event_coverage c ON c.event_id = e.id
WHERE e.first_start < ? AND (e.last_end IS NULL OR e.last_end > ?) AND NOT e.cancelled
  AND (c.event_id IS NULL OR c.covered_from > ? OR c.covered_until < ?)
"""


def occurrences(
    store: Store, start: datetime, end: datetime, tz: ZoneInfo, *, cuts: list[Cut] | None = None
) -> list[Occurrence]:
    """Every occurrence overlapping [start, end), sorted by start; cancelled ones never.

    A series with more than ``recurrence.MAX_PER_SERIES`` occurrences in the window is
    listed up to there; it is added to ``cuts`` (and to a ``watch_cuts()`` block).
    """
    _check_window(start, end)
    a, b = start.timestamp(), end.timestamp()
    db = store.db
    (longest,) = db.execute("SELECT max(end_at - start_at) FROM occurrences").fetchone()
    # (event, start, instance moved) -> (sort key, occurrence): one slot may hold two.
    found: dict[tuple[int, float, float | None], tuple[tuple[float, int, str], Occurrence]] = {}
    midnights: dict[float, float] = {}  # all-day rows: UTC-midnight epoch -> local midnight

    def local(epoch: float) -> float:
        if epoch not in midnights:
            d = datetime.fromtimestamp(epoch, UTC).date()
            midnights[epoch] = datetime.combine(d, time(0), tzinfo=tz).timestamp()
        return midnights[epoch]

    # Plain epoch arithmetic per row: a month of a busy calendar is thousands of rows.
    for row in db.execute(_TABLE_SQL, (a - (longest or 0) - DAY, b + DAY, a - DAY)):
        event_id, s, e, all_day, busy, title, location, path, uid, moved = row
        ls, le = (local(s), local(e)) if all_day else (s, e)
        if not ((a <= ls < b) if ls == le else (ls < b and le > a)):
            continue
        first, last = _from_row(s, e, all_day)
        occ = Occurrence(title, first, last, bool(all_day), location, path, uid, bool(busy))
        found[(event_id, s, moved)] = ((ls, 0 if all_day else 1, title.lower()), occ)
    cut: list[Cut] = []
    for row in db.execute(_LAZY_SQL, (b + DAY, a - DAY, a - DAY, b + DAY)).fetchall():
        for identity, occ in _lazy(row, start, end, tz, cut):
            if identity not in found:
                key = sort_key(occ, tz)
                found[identity] = ((key[0].timestamp(), key[1], key[2]), occ)
    for into in (cuts, _WATCHING.get()):
        if into is not None:
            _note(into, cut)
    return [occ for _, occ in sorted(found.values(), key=lambda item: item[0])]


def _lazy(
    row: tuple[Any, ...], start: datetime, end: datetime, tz: ZoneInfo, cuts: list[Cut]
) -> list[tuple[tuple[int, float, float | None], Occurrence]]:
    """The occurrences of one series in the part of [start, end) its stored rows do not
    cover, keyed like the stored ones; a series cut at the cap is added to ``cuts``."""
    event_id, ics, title, location, path, uid, has_coverage, cov_from, cov_until = row
    day = timedelta(days=1)  # slack for all-day occurrences near the edges
    if not has_coverage:
        segments = [(start - day, end + day)]
    else:
        segments = []
        if cov_from is not None and cov_from > start.timestamp() - DAY:
            edge = datetime.fromtimestamp(cov_from, UTC)
            segments.append((start - day, min(end, edge) + day))
        if cov_until is not None and cov_until < end.timestamp() + DAY:
            edge = datetime.fromtimestamp(cov_until, UTC)
            segments.append((max(start, edge) - day, end + day))
    try:
        cal = icalendar.Calendar.from_ical(ics)
    except ValueError:
        return []  # it parsed when indexed; a newer icalendar may disagree: skip, not crash
    out = []
    until: datetime | None = None
    for seg_a, seg_b in segments:
        got = recurrence.expand_window(cal, seg_a, seg_b, tz, title, location,
                                       within=(start, end))
        if got.complete_until is not None and got.complete_until < end:
            until = got.complete_until if until is None else min(until, got.complete_until)
        for span in got.spans:
            identity = (event_id, to_epoch(span.start), to_epoch(span.recurrence_id))
            out.append((identity, Occurrence(
                span.title or title, span.start, span.end, span.all_day,
                span.location or location, path, uid, span.busy,
            )))
    if until is not None:
        cuts.append(Cut(uid, title, path, until))
    return out


# --- free slots ------------------------------------------------------------------------------


def free_slots(
    store: Store,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    *,
    min_length: timedelta = timedelta(minutes=30),
    hours: tuple[time, time] | None = None,
    now: datetime | None = None,
    cuts: list[Cut] | None = None,
) -> tuple[list[Occurrence], list[Slot]]:
    """Busy occurrences in the window and the free slots of at least ``min_length``.

    Free time is looked for within ``hours`` of each day (for whole-day windows the
    default is 09:00-18:00; a window like "Friday afternoon" is used as it is), and
    not before ``now``. All-day and TRANSP:TRANSPARENT events block no time. Where a
    series is cut (added to ``cuts``), what comes after is not known: no free time is
    claimed from there on.
    """
    cut: list[Cut] = []
    busy = [o for o in occurrences(store, start, end, tz, cuts=cut) if o.busy and not o.all_day]
    whole_days = all(t.astimezone(tz).time() == time(0) for t in (start, end))
    if hours is None and whole_days:
        hours = (time(9), time(18))
    spans: list[tuple[datetime, datetime]] = []
    if hours is None:
        spans.append((start, end))
    else:
        first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(
            tz).date()
        for d in recurrence.iter_days(first, last + timedelta(days=1)):
            lo = datetime.combine(d, hours[0], tzinfo=tz)
            hi = datetime.combine(d + timedelta(days=hours[1] == time(0)), hours[1], tzinfo=tz)
            spans.append((max(lo, start), min(hi, end)))
    # only what stands in the hours searched is busy for this answer (an evening dinner is
    # not in the way of a 2-hour meeting in working hours)
    busy = [o for o in busy if any(o.start_in(tz) < b and max(o.end_in(tz), o.start_in(tz)
                                   + timedelta(microseconds=1)) > a for a, b in spans)]
    if now is not None:
        spans = [(max(a, now), b) for a, b in spans]
    if cut:
        known = min(c.until for c in cut)
        spans = [(a, min(b, known)) for a, b in spans]
        if cuts is not None:
            _note(cuts, cut)
    blocks = sorted((o.start_in(tz), o.end_in(tz)) for o in busy)
    free: list[Slot] = []
    for a, b in spans:
        cursor = a
        for s, e in blocks:
            if e <= cursor or s >= b:
                continue
            if s > cursor and s - cursor >= min_length:
                free.append(Slot(cursor, s))
            cursor = max(cursor, e)
        if b > cursor and b - cursor >= min_length:
            free.append(Slot(cursor, b))
    return busy, free


# --- the next occurrence matching a text ------------------------------------------------------

_GENERIC = frozenset(["appointment", "appointments", "meeting", "meetings", "event", "events", "session", "sessions", "thing", "things", "date", "plans"])
_STOP = frozenset(["my", "the", "a", "an", "with", "to", "at", "for", "of", "next", "on", "in", "and", "me", "i", "is", "do", "have", "see", "go", "our", "s", "is", "are", "be"])


def _norm(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", _norm(text))


def _token_in(token: str, words: list[str]) -> bool:
    stem = token[:-1] if len(token) > 4 and token.endswith("s") else token
    return any(w.startswith(stem) or (len(w) >= 4 and stem.startswith(w)) for w in words)


def _matching(rows: list[tuple[Any, ...]], text: str) -> list[tuple[Any, ...]]:
    """Rows whose title/location/attendees (else description) hold every word of ``text``."""
    tokens = [w for w in words_of(text) if w not in _STOP]
    if not tokens:
        return []
    required = [t for t in tokens if t not in _GENERIC] or tokens
    for with_description in (False, True):
        hits = []
        for row in rows:
            hay = [row[1], row[2] or "", " ".join(json.loads(row[4] or "[]"))]
            if with_description:
                hay.append(row[3] or "")
            words = words_of(" ".join(hay))
            if all(_token_in(t, words) for t in required):
                hits.append(row)
        if hits:
            return hits
    if all(t in _GENERIC for t in tokens):
        return rows  # "my next appointment": whatever comes next
    return []


_EVENTS_SQL = """
SELECT e.id, e.title, e.location, e.description, e.attendees, e.uid, d.path, e.ics,
       c.event_id IS NOT NULL, c.covered_from, c.covered_until
FROM events e JOIN documents d ON d.id = e.doc_id
LEFT JOIN event_coverage c ON c.event_id = e.id
WHERE (e.last_end IS NULL OR e.last_end > ?) AND NOT e.cancelled
"""


def next_occurrence(store: Store, text: str, now: datetime, tz: ZoneInfo) -> Occurrence | None:
    """The first occurrence starting at or after ``now`` (all-day: today or later) of an
    event matching ``text``, or None."""
    if not words_of(text):
        raise AssistantError("say what to look for, e.g. assistant calendar next dentist")
    rows = store.db.execute(_EVENTS_SQL, (now.timestamp() - DAY,)).fetchall()
    best: Occurrence | None = None
    today = now.astimezone(tz).date()

    def upcoming(occ: Occurrence) -> bool:
        return occ.start >= today if occ.all_day else occ.start >= now  # type: ignore[operator]

    for row in _matching(rows, text):
        event_id, title, location, _, _, uid, path, ics, has_cov, cov_from, cov_until = row
        found = None
        for s, e, all_day, busy, o_title, o_location in store.db.execute(
            "SELECT start_at, end_at, all_day, busy, title, location FROM occurrences "
            "WHERE event_id = ? AND start_at >= ? AND (all_day = 1 OR start_at >= ?) "
            "ORDER BY start_at LIMIT 4",
            (event_id, now.timestamp() - DAY, now.timestamp()),
        ):
            first, last = _from_row(s, e, all_day)
            occ = Occurrence(o_title or title, first, last, bool(all_day),
                             o_location or location, path, uid, bool(busy))
            if upcoming(occ):
                found = occ
                break
        uncovered = not has_cov or (cov_from is not None and cov_from > now.timestamp()) or (
            found is None and cov_until is not None)
        if found is None and uncovered:
            found = _lazy_next(ics, title, location, path, uid, now, tz, upcoming)
        if found and (best is None or sort_key(found, tz) < sort_key(best, tz)):
            best = found
    return best


def _lazy_next(
    ics: str, title: str, location: str | None, path: str, uid: str,
    now: datetime, tz: ZoneInfo, upcoming: Any,
) -> Occurrence | None:
    try:
        cal = icalendar.Calendar.from_ical(ics)
    except ValueError:
        return None
    for ahead in (timedelta(days=31), timedelta(days=366), LOOKAHEAD):  # near first: cheap
        # Counted from now: a 15-minute series has 96 occurrences in the day before.
        got = recurrence.expand_window(cal, now - timedelta(days=1), now + ahead, tz,
                                       title, location, limit=64, within=(now, now + ahead))
        for span in got.spans:
            occ = Occurrence(span.title or title, span.start, span.end, span.all_day,
                             span.location or location, path, uid, span.busy)
            if upcoming(occ):
                return occ
    return None
