"""iCalendar (.ics) exports of Google, Apple and Outlook: one Event record per UID, with occurrences."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar

from assistant import recurrence
from assistant.config import zone_named
from assistant.errors import SourceError
from assistant.records import Event, EventSpan
from assistant.sources import HEAD_BYTES, ParseContext, cannot_read
from assistant.sources.exports import Problems, bounded_lines, decode_line
from assistant.sources.ics_checks import (
    LONG_PROPERTY,
    Block,
    Parsed,
    Warnings,
    checked,
    distinct_masters,
    label,
    place,
)

NAME = "ics"
FAMILY = "calendar"
SUFFIXES = (".ics", ".ical", ".icalendar", ".ifb")
MAX_BYTES = 100 * 1024 * 1024
MAX_LINE = 1 << 20  # a longer property is an inline attachment, never an event's text
MAX_DESCRIPTION = 4000
# Index-time expansion horizon around the wall clock: one year back, two ahead. Beyond it
# calendar.py expands lazily from the stored VCALENDAR (see calendar.py for why).
PAST = timedelta(days=366)
FUTURE = timedelta(days=2 * 366)

# A series cut at the cap this soon after indexing is stored from the day before instead
# of from a year back, so the days people ask about come from the table.
DENSE_NEAR = timedelta(days=7)

_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)

try:  # Outlook writes Windows zone names; icalendar maps them to IANA names itself
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
except ImportError:  # pragma: no cover - older icalendar
    WINDOWS_TO_OLSON = {}


def detect(path: Path, head: bytes) -> bool:
    if path.suffix.lower() in SUFFIXES:
        return True  # parse() says plainly when an .ics file is not iCalendar
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper() == b"BEGIN:VCALENDAR"


def _physical_lines(path: Path, problems: Problems) -> Iterator[tuple[int, str | None]]:
    """(number, text) of each line, streamed; text is None for a line cut at MAX_LINE."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(path, f"too large for a calendar ({path.stat().st_size / 1e6:.0f} MB)")
        fh = path.open("rb")
    except OSError as exc:
        raise cannot_read(path, exc) from None
    seen = 0
    with fh:
        for number, raw, cut in bounded_lines(fh, MAX_LINE):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if b"\x00" in raw:
                if seen < HEAD_BYTES:
                    raise SourceError(path, "not an iCalendar file (binary data)")
                raw = raw.replace(b"\x00", b"")
            seen += len(raw)
            yield number, None if cut else decode_line(raw.rstrip(b"\r\n"), number, problems)


def _logical_lines(
    lines: Iterator[tuple[int, str | None]], warn: Warnings
) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the number of their first physical line. A property
    longer than MAX_LINE once unfolded (an inline base64 attachment) is skipped whole,
    so memory stays bounded whatever the file holds."""
    parts: list[str] = []
    size = start = 0
    dropping = False  # the current property is too long: skip it and its continuations
    for number, raw in lines:
        if raw is not None and raw[:1] in (" ", "\t") and (parts or dropping):
            size += len(raw) - 1
            if not dropping and size <= MAX_LINE:
                parts.append(raw[1:])
            elif not dropping:
                dropping, parts = True, []
            continue
        if dropping:
            warn.add(LONG_PROPERTY, f"line {start}")
        elif parts:
            yield start, "".join(parts)
        parts, size, start, dropping = [], 0, number, raw is None
        if raw is not None and raw.strip():
            parts, size = [raw], len(raw)
    if dropping:
        warn.add(LONG_PROPERTY, f"line {start}")
    elif parts:
        yield start, "".join(parts)


def _blocks(
    path: Path, lines: Iterator[tuple[int, str]], warn: Warnings
) -> tuple[dict[str, str], list[Block]]:
    """Calendar properties and the top-level components of every VCALENDAR in the file."""
    props: dict[str, str] = {}
    blocks: list[Block] = []
    seen_calendar = False
    depth = 0  # 0 outside a VCALENDAR, 1 inside, 2+ inside a component
    block: Block | None = None
    for line, content in lines:
        key, _, value = content.partition(":")
        name = key.split(";", 1)[0].strip().upper()
        value = value.strip()
        if name == "BEGIN" and value.upper() == "VCALENDAR" and depth == 0:
            seen_calendar, depth = True, 1
            continue
        if depth == 0:
            if not seen_calendar and content.strip() and line > 5:
                break  # ordinary text: not worth scanning the rest
            continue
        if name == "BEGIN" and depth == 1:
            block, depth = Block(value.upper(), line, [content]), 2
            continue
        if name == "BEGIN" and block is not None:
            if value.upper() == block.name:  # BEGIN:VEVENT inside an open VEVENT
                warn.add(f"{block.name} has no END:{block.name}; skipped", f"line {block.line}")
                block, depth = Block(value.upper(), line, [content]), 2
                continue
            depth += 1
        if name == "END" and depth == 1:
            if value.upper() == "VCALENDAR":
                depth = 0
            continue
        if block is not None:
            block.lines.append(content)
            if name == "END":
                depth -= 1
                if depth == 1:
                    blocks.append(block)
                    block = None
        elif depth == 1 and name:
            props.setdefault(name, value)
    if not seen_calendar:
        raise SourceError(path, "not an iCalendar file (no BEGIN:VCALENDAR)")
    if block is not None:
        warn.add(f"{block.name} has no END:{block.name}; skipped", f"line {block.line}")
    return props, blocks


def _zone(props: dict[str, str], warn: Warnings) -> str | None:
    """X-WR-TIMEZONE as an IANA name (Google exports set it), or None."""
    name = props.get("X-WR-TIMEZONE", "").strip()
    if not name:
        return None
    name = WINDOWS_TO_OLSON.get(name, name)
    if zone_named(name) is None:
        warn.add(f"unknown X-WR-TIMEZONE {name!r}; ignored")
        return None
    return name


def parse(path: Path, ctx: ParseContext) -> Iterator[Event]:
    warn = Warnings(ctx)
    try:
        yield from _parse(path, ctx, warn)
    finally:
        warn.flush()  # grouped: the same problem of 20 events is one line


def _parse(path: Path, ctx: ParseContext, warn: Warnings) -> Iterator[Event]:
    problems = Problems(ctx)
    props, blocks = _blocks(path, _logical_lines(_physical_lines(path, problems), warn), warn)
    problems.close()
    zone = _zone(props, warn)
    timezones: dict[str, str] = {}
    for block in blocks:
        if block.name != "VTIMEZONE":
            continue
        tzid = next((ln.partition(":")[2].strip() for ln in block.lines
                     if ln.upper().startswith("TZID")), "")
        if tzid in WINDOWS_TO_OLSON:
            continue  # icalendar maps the name to the IANA zone; that beats Outlook's rules
        try:
            icalendar.Timezone.from_ical(block.text)  # registers it for the events below
        except Exception as exc:  # noqa: BLE001
            warn.add(f"malformed VTIMEZONE {tzid!r} ({exc}); ignored", f"line {block.line}")
            continue
        timezones[tzid] = block.text

    groups: dict[str, list[Parsed]] = {}
    for block in blocks:
        if block.name != "VEVENT":
            continue
        parsed = checked(block, warn, ctx.tz)
        if parsed is None:
            continue
        uid = str(parsed.event.get("UID", "")).strip()
        if not uid:  # stable across re-indexing: derived from the event's own text
            uid = "nouid-" + hashlib.sha1(block.text.encode()).hexdigest()[:16]
        groups.setdefault(uid, []).append(parsed)

    anchor = datetime.now(UTC)
    for uid, parts in groups.items():
        masters = distinct_masters([p for p in parts if "RECURRENCE-ID" not in p.event], warn)
        overrides = [p for p in parts if "RECURRENCE-ID" in p.event]
        # Overrides go with the first master: a UID shared by different events (a buggy
        # exporter's) rarely has any, and one occurrence may be moved only once.
        for i, master in enumerate(masters or [None]):
            kept = ([master] if master else []) + (overrides if i == 0 else [])
            event = _series(uid, kept, zone, timezones, ctx, warn, anchor)
            if event is not None:
                yield event


def _series(
    uid: str,
    parts: list[Parsed],
    zone: str | None,
    timezones: dict[str, str],
    ctx: ParseContext,
    warn: Warnings,
    anchor: datetime,
) -> Event | None:
    """One event: a master (or none, for an invitation to instances) and its overrides."""
    masters = [p for p in parts if "RECURRENCE-ID" not in p.event]
    overrides = [p for p in parts if "RECURRENCE-ID" in p.event]
    live = [p for p in masters + overrides if str(p.event.get("STATUS", "")).upper() != "CANCELLED"]
    if not live and masters:
        # a cancelled event is never on the calendar, but it is kept (without occurrences)
        # so "is the demo on Friday still happening?" can answer that it was cancelled
        return _cancelled(uid, masters[-1], zone, timezones, ctx)
    if not live or (masters and live[0] is not masters[0]):
        return None  # only cancelled instances, or a cancelled master with live overrides
    main = live[0]  # the master; without one (an invitation to one instance) an override
    kept = masters + overrides

    cal = icalendar.Calendar()
    cal.add("PRODID", "-//assistant//ics//EN")
    cal.add("VERSION", "2.0")
    if zone:
        cal.add("X-WR-TIMEZONE", zone)
    for p in kept:
        cal.add_component(p.event)
    ics = _self_contained(kept, zone, timezones)

    ev = main.event
    title = recurrence.text_of(ev, "SUMMARY") or "(no title)"
    location = recurrence.text_of(ev, "LOCATION")
    where = label(ev, main.block.line)
    try:
        first = recurrence.span_of(ev, ctx.tz, title, location)
        recurring = bool(overrides) or "RRULE" in ev or "RDATE" in ev
        if first is None or not recurring:
            if first is None:
                return None
            spans, covered = [first], (None, None)
            last_end: datetime | None = recurrence.span_end(first, ctx.tz)
        else:
            spans, covered, last_end = _expand(cal, first, ctx, anchor, title, location)
    except Exception as exc:  # noqa: BLE001 - a rule dateutil cannot follow, mixed types...
        warn.add("cannot work out its dates; skipped", where, place(ev, main.block.line),
                 said=f"cannot work out its dates ({type(exc).__name__}: {exc}); skipped")
        return None
    starts = [recurrence.span_start(first, ctx.tz)] + [
        recurrence.span_start(s, ctx.tz) for s in spans[:1] if covered[0] is None
    ]
    for p in overrides:
        span = recurrence.span_of(p.event, ctx.tz)
        if span is not None:
            starts.append(recurrence.span_start(span, ctx.tz))
    description = str(ev.get("DESCRIPTION", "")).strip()[:MAX_DESCRIPTION] or None
    return Event(
        uid=uid,
        title=title,
        start=first.start,
        end=first.end,
        all_day=first.all_day,
        ics=ics,
        first_start=min(starts),
        last_end=last_end,
        location=location,
        description=description,
        attendees=_attendees(ev),
        recurring=recurring,
        locator=f"uid:{uid}",
        occurrences=tuple(spans),
        covered=covered,
    )


def _cancelled(
    uid: str, part: Parsed, zone: str | None, timezones: dict[str, str], ctx: ParseContext
) -> Event | None:
    """A cancelled event as a record: its title, time and place, ``cancelled`` set, no
    occurrences."""
    ev = part.event.copy()
    del ev["STATUS"]
    title = recurrence.text_of(ev, "SUMMARY") or "(no title)"
    location = recurrence.text_of(ev, "LOCATION")
    try:
        span = recurrence.span_of(ev, ctx.tz, title, location)
    except Exception:  # noqa: BLE001 - a cancelled event with unreadable dates is just dropped
        return None
    if span is None:
        return None
    return Event(
        uid=uid, title=title, start=span.start, end=span.end, all_day=span.all_day,
        ics=_self_contained([part], zone, timezones), first_start=recurrence.span_start(
            span, ctx.tz), last_end=recurrence.span_end(span, ctx.tz), location=location,
        description=str(part.event.get("DESCRIPTION", "")).strip()[:MAX_DESCRIPTION] or None,
        attendees=_attendees(part.event), recurring=False, locator=f"uid:{uid}",
        occurrences=(), covered=(None, None), cancelled=True,
    )


def _expand(
    cal: icalendar.Calendar,
    first: EventSpan,
    ctx: ParseContext,
    anchor: datetime,
    title: str,
    location: str | None,
) -> tuple[list[EventSpan], tuple[datetime | None, datetime | None], datetime | None]:
    """Occurrences over the horizon (all of them for a short finite series)."""
    every = recurrence.expand_all(cal, ctx.tz, title, location)
    if every is not None:
        ends = [recurrence.span_end(s, ctx.tz) for s in every]
        return every, (None, None), max(ends, default=None)
    begin = recurrence.span_start(first, ctx.tz) - timedelta(days=1)
    lo = max(begin, anchor - PAST)
    hi = max(lo, anchor + FUTURE)
    got = recurrence.expand_window(cal, lo, hi, ctx.tz, title, location)
    cut = got.complete_until
    if cut is not None and cut < anchor + DENSE_NEAR and lo < anchor - timedelta(days=1):
        lo = max(begin, anchor - timedelta(days=1))  # a dense series: store the days ahead
        got = recurrence.expand_window(cal, lo, hi, ctx.tz, title, location)
    return got.spans, (lo if lo > begin else None, got.complete_until or hi), None


def _attendees(ev: icalendar.Event) -> tuple[str, ...]:
    raw = ev.get("ATTENDEE")
    items = raw if isinstance(raw, list) else ([raw] if raw is not None else [])
    names = []
    for item in items:
        cn = getattr(item, "params", {}).get("CN")
        name = str(cn or item).strip()
        if name.lower().startswith("mailto:"):
            name = name[7:]
        if name and name not in names:
            names.append(name)
    return tuple(names[:50])


def _self_contained(parts: list[Parsed], zone: str | None, timezones: dict[str, str]) -> str:
    """A VCALENDAR holding the series and the VTIMEZONEs it refers to, for query-time use."""
    used: list[str] = []
    for p in parts:
        for m in _TZID_PARAM.finditer(re.sub(r"\r\n[ \t]", "", p.text)):
            tzid = m.group(1).strip('"')
            if tzid in timezones and tzid not in used:
                used.append(tzid)
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//assistant//ics//EN\r\n"
    if zone:
        head += f"X-WR-TIMEZONE:{zone}\r\n"
    body = "".join(timezones[t] for t in used) + "".join(p.text for p in parts)
    return head + body + "END:VCALENDAR\r\n"
