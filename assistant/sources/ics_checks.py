"""One VEVENT of an .ics file read, checked and repaired where that is safe; its problems grouped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from assistant import recurrence
from assistant.sources import ParseContext

_ESSENTIAL = ("DTSTART", "RRULE", "RECURRENCE-ID")
_DROPPABLE = ("DTEND", "DURATION", "EXDATE", "RDATE")
_SINGLE = ("DTSTART", "RECURRENCE-ID", "DTEND", "DURATION")  # at most once per VEVENT
_LISTS = ("EXDATE", "RDATE")  # comma-separated dates: one bad value spoils only itself
# A DATE, DATE-TIME or PERIOD value (RFC 5545 3.3.4, 3.3.5, 3.3.9).
_DATE_VALUE = re.compile(r"\d{8}(T\d{6}Z?)?(/(\d{8}T\d{6}Z?|[+-]?P[0-9WDTHMS]+))?", re.I)
_NAME = re.compile(r"[A-Za-z0-9-]*")
# Properties that change with every export or revision, not with which event it is.
_VOLATILE = frozenset(["DTSTAMP", "CREATED", "LAST-MODIFIED", "SEQUENCE", "STATUS"])

NO_START = "no DTSTART; skipped"
LONG_PROPERTY = "a property longer than 1 MB (an inline attachment?); skipped"
SWAPPED = "DTEND is before DTSTART; the two are swapped"
MIXED_END = "DTSTART is a date and DTEND a date-time; read as all-day through the end's date"
_PLURAL = {  # the same problem of many events, said once
    NO_START: "{n} events without a start (no DTSTART); skipped",
    LONG_PROPERTY: "{n} properties longer than 1 MB (inline attachments?); skipped",
    SWAPPED: "{n} events whose DTEND is before their DTSTART; the two are swapped",
    MIXED_END: "{n} events with a date DTSTART and a date-time DTEND; read as all-day "
               "through the end's date",
}
_SHOWN = 3  # places named in a grouped problem


@dataclass
class Block:
    name: str
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"


@dataclass
class Parsed:
    block: Block
    event: icalendar.Event
    text: str  # the VEVENT as stored (its lines, empty date values out, unless repaired)
    content: tuple[str, ...]  # its lines (sorted) less those that change with every export


@dataclass
class _Group:
    first: str  # the full place of the first event ("line 12: event 'X' (UID u)")
    said: str  # the problem as said of that event alone (with its details)
    places: list[str]  # short places of the first few ("line 12 (UID u)")
    count: int = 0


class Warnings:
    """The problems of one file. One event's problem reads "line 12: event 'X' (UID u):
    no DTSTART; skipped"; the same problem of many is one line naming the first few:
    "20 events without a start (no DTSTART); skipped: line 12 (UID a), ... and 17 more".
    """

    def __init__(self, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.groups: dict[str, _Group] = {}

    def add(self, what: str, where: str = "", short: str = "", said: str = "") -> None:
        """``what`` groups problems; ``said`` (default ``what``) is the problem with the
        details of this one (an unreadable value, a library's message), shown if alone."""
        group = self.groups.setdefault(what, _Group(where, said or what, []))
        group.count += 1
        if len(group.places) < _SHOWN:
            group.places.append(short or where)

    def event(self, what: str, ev: icalendar.Event, line: int) -> None:
        self.add(what, label(ev, line), place(ev, line))

    def flush(self) -> None:
        for what, g in self.groups.items():
            if g.count == 1:
                self.ctx.report(f"{g.first}: {g.said}" if g.first else g.said)
                continue
            head = _PLURAL.get(what, "{n} events: " + what.replace("{", "{{").replace("}", "}}"))
            more = f" and {g.count - _SHOWN} more" if g.count > _SHOWN else ""
            self.ctx.report(f"{head.format(n=g.count)}: {', '.join(g.places)}{more}")
        self.groups.clear()


def label(ev: icalendar.Event, line: int) -> str:
    """Where an event is, for a problem about it alone: line, title and UID."""
    return _where(line, str(ev.get("SUMMARY", "")), str(ev.get("UID", "")))


def place(ev: icalendar.Event, line: int) -> str:
    """Where an event is, in a list of several: line and UID (the title if it has none)."""
    return _short(line, str(ev.get("SUMMARY", "")), str(ev.get("UID", "")))


def _where(line: int, title: str, uid: str) -> str:
    title = " ".join(title.split())[:60]
    return f"line {line}: event {title!r}" + (f" (UID {uid.strip()})" if uid.strip() else "")


def _short(line: int, title: str, uid: str) -> str:
    return f"line {line} " + (f"(UID {uid.strip()})" if uid.strip() else repr(title[:60]))


def _name(content: str) -> str:
    match = _NAME.match(content)
    return match.group(0).upper() if match else ""


def _split(content: str) -> tuple[str, str]:
    """(name;params, value) of a content line: the first ':' outside quoted parameters
    (Outlook quotes TZIDs such as "(UTC+01:00) Amsterdam, Berlin")."""
    quoted = False
    for i, ch in enumerate(content):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return content[:i], content[i + 1:]
    return content, ""


def _date_lists(block: Block, warn: Warnings) -> list[str]:
    """The block's lines with empty EXDATE/RDATE values left out (`EXDATE;VALUE=DATE:` or
    `a,,b`: an empty value excludes nothing) and unreadable ones dropped with a warning,
    so one bad value never costs the event its other, valid exclusions."""
    lines = [block.lines[0]]
    named: dict[str, str] = {}
    unreadable: list[tuple[str, str]] = []
    for content in block.lines[1:]:
        name = _name(content)
        if name not in _LISTS:
            if name in ("SUMMARY", "UID"):
                named.setdefault(name, _split(content)[1])
            lines.append(content)
            continue
        head, value = _split(content)
        kept = []
        for item in (v.strip() for v in value.split(",")):
            if _DATE_VALUE.fullmatch(item):
                kept.append(item)
            elif item:
                unreadable.append((f"unreadable {name} value; ignored",
                                   f"unreadable {name} {item[:40]!r}; ignored"))
        if kept:
            lines.append(f"{head}:{','.join(kept)}")
    title, uid = named.get("SUMMARY", ""), named.get("UID", "")
    for what, said in unreadable:
        warn.add(what, _where(block.line, title, uid), _short(block.line, title, uid), said)
    return lines


def checked(block: Block, warn: Warnings, tz: ZoneInfo) -> Parsed | None:
    """The VEVENT of ``block``, repaired where that is safe, or None (reported) if unusable."""
    lines = _date_lists(block, warn)
    text = "\r\n".join(lines) + "\r\n"
    try:
        ev = icalendar.Event.from_ical(text)
    except Exception as exc:  # noqa: BLE001 - icalendar raises several types for bad input
        reason = " ".join(str(exc).split())[:120]
        warn.add("malformed event; skipped", f"line {block.line}",
                 said=f"malformed event ({reason}); skipped")
        return None
    bad = {(name or "").upper() for name, _ in ev.errors}
    if bad & set(_ESSENTIAL):
        warn.event(f"unreadable {', '.join(sorted(bad & set(_ESSENTIAL)))}; skipped", ev, block.line)
        return None
    if "DTSTART" not in ev:
        warn.event(NO_START, ev, block.line)
        return None
    repaired = False
    for name in sorted(bad & set(_DROPPABLE)):
        warn.event(f"unreadable {name}; ignored", ev, block.line)
        del ev[name]
        repaired = True
    for name in _SINGLE:  # icalendar returns a list when a property is there twice
        if not isinstance(ev.get(name), list):
            continue
        if name in _ESSENTIAL:
            warn.event(f"more than one {name}; skipped", ev, block.line)
            return None
        warn.event(f"more than one {name}; the first is used", ev, block.line)
        first = ev[name][0]
        del ev[name]
        ev[name] = first
        repaired = True
    repaired = _ends(ev, block.line, warn, tz) or repaired
    if "DTEND" in ev and "DURATION" in ev:
        del ev["DURATION"]
        repaired = True
    start = ev["DTSTART"].dt
    tzid = ev["DTSTART"].params.get("TZID")
    if tzid and isinstance(start, datetime) and start.tzinfo is None:
        warn.event(f"unknown time zone {tzid!r}; read as {tz.key}", ev, block.line)
    if repaired:
        text = ev.to_ical().decode("utf-8")
    content = tuple(sorted(  # in any order: two exports of one event may order lines apart
        ln for ln in lines if _name(ln) not in _VOLATILE))
    return Parsed(block, ev, text, content)


def _ends(ev: icalendar.Event, line: int, warn: Warnings, tz: ZoneInfo) -> bool:
    """Make DTEND agree with DTSTART; True if the event was changed.

    A DATE start with a DATE-TIME end (not allowed, written by some feeds) is all-day up
    to the end's date as written, that date included when the end's time is after
    midnight (as the ical library behind Home Assistant does in compatibility mode). An
    end before the start is swapped with it, as recurring-ical-events does, instead of
    being dropped.
    """
    if "DTEND" not in ev or isinstance(ev.get("DTEND"), list):
        return False
    start, end = ev["DTSTART"].dt, ev["DTEND"].dt
    changed = False
    if not isinstance(start, datetime) and isinstance(end, datetime):
        last = end.date() + timedelta(days=1 if end.time() != datetime.min.time() else 0)
        del ev["DTEND"]
        ev.add("DTEND", last)
        warn.event(MIXED_END, ev, line)
        end, changed = last, True
    if _before(end, start, tz):
        old_start, old_end = ev.pop("DTSTART"), ev.pop("DTEND")
        ev["DTSTART"], ev["DTEND"] = old_end, old_start
        warn.event(SWAPPED, ev, line)
        changed = True
    return changed


def _before(end: date | datetime, start: date | datetime, tz: ZoneInfo) -> bool:
    if isinstance(start, datetime) != isinstance(end, datetime):
        return False  # a DATE-TIME start with a DATE end: recurrence.span_of reads it
    if isinstance(start, datetime) and isinstance(end, datetime):
        return recurrence.to_aware(end, tz) < recurrence.to_aware(start, tz)
    return end < start


def distinct_masters(masters: list[Parsed], warn: Warnings) -> list[Parsed]:
    """The series masters that one UID stands for.

    Different SEQUENCE numbers are revisions of one event (RFC 5545 3.8.7.4): the
    highest wins. At that SEQUENCE, VEVENTs that differ are different events a buggy
    exporter gave one UID (a club planner uses one UID for every event): each is kept.
    Copies of one VEVENT (only DTSTAMP, or STATUS, differ) are one event: the copy
    stamped last (RFC 5546 orders revisions of one SEQUENCE by DTSTAMP), so a copy
    cancelled later cancels it.
    """
    if len(masters) < 2:
        return masters
    top = max(_sequence(p) for p in masters)
    latest = [p for p in masters if _sequence(p) == top]
    events: dict[tuple[str, ...], Parsed] = {}
    for p in latest:
        seen = events.get(p.content)
        if seen is None or _stamp(p) >= _stamp(seen):
            events[p.content] = p
    kept = sorted(events.values(), key=lambda p: p.block.line)
    copies = len(latest) - len(kept)
    first = latest[0]  # named in the warning: where the UID first appears at that SEQUENCE
    if len(kept) > 1:
        what = f"the UID is used by {len(kept)} different events; each is shown"
        if copies:
            what += f" ({copies} {'copy' if copies == 1 else 'copies'} left out)"
        warn.event(what, first.event, first.block.line)
    elif len(latest) < len(masters):
        warn.event(f"the UID is used {len(masters)} times; kept the one with the highest "
                   "SEQUENCE", kept[0].event, kept[0].block.line)
    elif copies:
        warn.event(f"the same event is in the file {len(latest)} times; the copy stamped "
                   "last is shown", first.event, first.block.line)
    return kept


def _stamp(p: Parsed) -> float:
    stamp = p.event.get("DTSTAMP")
    value = getattr(stamp, "dt", None)
    return recurrence.to_aware(value, UTC).timestamp() if isinstance(value, datetime) else 0.0


def _sequence(p: Parsed) -> int:
    try:
        return int(p.event.get("SEQUENCE", 0) or 0)
    except (TypeError, ValueError):
        return 0
