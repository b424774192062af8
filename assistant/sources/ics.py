"""iCalendar (.ics) exports of Google, Apple and Outlook: one Event record per UID, with occurrences."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from assistant import recurrence
from assistant.config import zone_named
from assistant.errors import SourceError
from assistant.records import Event, EventSpan
from assistant.sources import HEAD_BYTES, ParseContext, cannot_read
from assistant.sources.exports import Problems, bounded_lines, decode_line

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

_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)
_ESSENTIAL = ("DTSTART", "RRULE", "RECURRENCE-ID")
_DROPPABLE = ("DTEND", "DURATION", "EXDATE", "RDATE")
_SINGLE = ("DTSTART", "RECURRENCE-ID", "DTEND", "DURATION")  # at most once per VEVENT

try:  # Outlook writes Windows zone names; icalendar maps them to IANA names itself
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
except ImportError:  # pragma: no cover - older icalendar
    WINDOWS_TO_OLSON = {}


@dataclass
class _Block:
    name: str
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"


@dataclass
class _Parsed:
    block: _Block
    event: icalendar.Event
    text: str  # the VEVENT as stored (the original lines unless we repaired it)


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
    lines: Iterator[tuple[int, str | None]], problems: Problems
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
            problems.report(f"line {start}: a property longer than 1 MB (an inline attachment?); skipped")
        elif parts:
            yield start, "".join(parts)
        parts, size, start, dropping = [], 0, number, raw is None
        if raw is not None and raw.strip():
            parts, size = [raw], len(raw)
    if dropping:
        problems.report(f"line {start}: a property longer than 1 MB (an inline attachment?); skipped")
    elif parts:
        yield start, "".join(parts)


def _blocks(
    path: Path, lines: Iterator[tuple[int, str]], ctx: ParseContext
) -> tuple[dict[str, str], list[_Block]]:
    """Calendar properties and the top-level components of every VCALENDAR in the file."""
    props: dict[str, str] = {}
    blocks: list[_Block] = []
    seen_calendar = False
    depth = 0  # 0 outside a VCALENDAR, 1 inside, 2+ inside a component
    block: _Block | None = None
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
            block, depth = _Block(value.upper(), line, [content]), 2
            continue
        if name == "BEGIN" and block is not None:
            if value.upper() == block.name:  # BEGIN:VEVENT inside an open VEVENT
                ctx.report(f"line {block.line}: {block.name} has no END:{block.name}; skipped")
                block, depth = _Block(value.upper(), line, [content]), 2
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
        ctx.report(f"line {block.line}: {block.name} has no END:{block.name}; skipped")
    return props, blocks


def _label(ev: icalendar.Event, line: int) -> str:
    title = " ".join(str(ev.get("SUMMARY", "")).split())[:60]
    uid = str(ev.get("UID", "")).strip()
    return f"line {line}: event {title!r}" + (f" (UID {uid})" if uid else "")


def _checked(block: _Block, ctx: ParseContext, tz: ZoneInfo) -> _Parsed | None:
    """The VEVENT of ``block``, repaired where that is safe, or None (reported) if unusable."""
    try:
        ev = icalendar.Event.from_ical(block.text)
    except Exception as exc:  # noqa: BLE001 - icalendar raises several types for bad input
        reason = " ".join(str(exc).split())[:120]
        ctx.report(f"line {block.line}: malformed event ({reason}); skipped")
        return None
    where = _label(ev, block.line)
    bad = {(name or "").upper() for name, _ in ev.errors}
    if bad & set(_ESSENTIAL):
        ctx.report(f"{where}: unreadable {', '.join(sorted(bad & set(_ESSENTIAL)))}; skipped")
        return None
    if "DTSTART" not in ev:
        ctx.report(f"{where}: no DTSTART; skipped")
        return None
    repaired = False
    for name in sorted(bad & set(_DROPPABLE)):
        ctx.report(f"{where}: unreadable {name}; ignored")
        del ev[name]
        repaired = True
    for name in _SINGLE:  # icalendar returns a list when a property is there twice
        if not isinstance(ev.get(name), list):
            continue
        if name in _ESSENTIAL:
            ctx.report(f"{where}: more than one {name}; skipped")
            return None
        ctx.report(f"{where}: more than one {name}; the first is used")
        first = ev[name][0]
        del ev[name]
        ev[name] = first
        repaired = True
    start = ev["DTSTART"].dt
    if "DTEND" in ev:
        end = ev["DTEND"].dt
        try:
            backwards = recurrence.to_aware(end, tz) < recurrence.to_aware(start, tz) if (
                isinstance(start, datetime) and isinstance(end, datetime)) else end < start
        except TypeError:
            backwards = False
        if backwards:
            ctx.report(f"{where}: DTEND is before DTSTART; read as no end")
            del ev["DTEND"]
            repaired = True
    if "DTEND" in ev and "DURATION" in ev:
        del ev["DURATION"]
        repaired = True
    tzid = ev["DTSTART"].params.get("TZID")
    if tzid and isinstance(start, datetime) and start.tzinfo is None:
        ctx.report(f"{where}: unknown time zone {tzid!r}; read as {tz.key}")
    text = ev.to_ical().decode("utf-8") if repaired else block.text
    return _Parsed(block, ev, text)


def _zone(props: dict[str, str], ctx: ParseContext) -> str | None:
    """X-WR-TIMEZONE as an IANA name (Google exports set it), or None."""
    name = props.get("X-WR-TIMEZONE", "").strip()
    if not name:
        return None
    name = WINDOWS_TO_OLSON.get(name, name)
    if zone_named(name) is None:
        ctx.report(f"unknown X-WR-TIMEZONE {name!r}; ignored")
        return None
    return name


def parse(path: Path, ctx: ParseContext) -> Iterator[Event]:
    problems = Problems(ctx)
    props, blocks = _blocks(path, _logical_lines(_physical_lines(path, problems), problems), ctx)
    problems.close()
    zone = _zone(props, ctx)
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
            ctx.report(f"line {block.line}: malformed VTIMEZONE {tzid!r} ({exc}); ignored")
            continue
        timezones[tzid] = block.text

    groups: dict[str, list[_Parsed]] = {}
    for block in blocks:
        if block.name != "VEVENT":
            continue
        parsed = _checked(block, ctx, ctx.tz)
        if parsed is None:
            continue
        uid = str(parsed.event.get("UID", "")).strip()
        if not uid:  # stable across re-indexing: derived from the event's own text
            uid = "nouid-" + hashlib.sha1(block.text.encode()).hexdigest()[:16]
        groups.setdefault(uid, []).append(parsed)

    anchor = datetime.now(UTC)
    for uid, parts in groups.items():
        event = _series(uid, parts, props, zone, timezones, ctx, anchor)
        if event is not None:
            yield event


def _series(
    uid: str,
    parts: list[_Parsed],
    props: dict[str, str],
    zone: str | None,
    timezones: dict[str, str],
    ctx: ParseContext,
    anchor: datetime,
) -> Event | None:
    masters = [p for p in parts if "RECURRENCE-ID" not in p.event]
    overrides = [p for p in parts if "RECURRENCE-ID" in p.event]
    if len(masters) > 1:
        masters.sort(key=lambda p: int(p.event.get("SEQUENCE", 0) or 0))
        ctx.report(f"{_label(masters[-1].event, masters[-1].block.line)}: the UID is used "
                   f"{len(masters)} times; kept the one with the highest SEQUENCE")
        masters = masters[-1:]
    live = [p for p in masters + overrides if str(p.event.get("STATUS", "")).upper() != "CANCELLED"]
    if not live or (masters and live[0] is not masters[0]):
        return None  # a cancelled series (or only cancelled instances) is not on the calendar
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
    where = _label(ev, main.block.line)
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
        ctx.report(f"{where}: cannot work out its dates ({type(exc).__name__}: {exc}); skipped")
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


def _self_contained(parts: list[_Parsed], zone: str | None, timezones: dict[str, str]) -> str:
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
