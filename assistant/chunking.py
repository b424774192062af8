"""Records -> chunks: heading-aware note chunks, event chunks, message windows, emails."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.records import Chunk, Event, Message, Note, Record, Section

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
LONG_LINE = 4000  # characters


def count_tokens(text: str) -> int:
    """A cheap estimate of word-piece tokens (MiniLM reads at most 256)."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class ChunkingOptions:
    note_tokens: int = 220  # target size of a note chunk
    note_overlap: int = 40  # tokens repeated at the start of the next piece
    window_tokens: int = 200  # a message window never grows past this
    # ... nor past this many messages. One: every chat message is its own unit, so a hit
    # costs one message to read; its conversation still ranks it (assistant/neighbours.py).
    # bench/locomo.py, recall within 10 messages read: windows of 6 64.1, single messages
    # 65.4, single messages ranked with their neighbours 70.9.
    window_messages: int = 1
    window_gap: timedelta = timedelta(minutes=45)  # a longer silence starts a new conversation
    email_tokens: int = 230


DEFAULT_OPTIONS = ChunkingOptions()


_STAMP = re.compile(r"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\] ", re.MULTILINE)


def single_message(kind: str, locator: str) -> bool:
    """One chat message (a window of several is written ``first..last``)."""
    return kind == "message" and ".." not in locator


def embedding_text(chunk: Chunk) -> str:
    """What the embedder reads: the title gives the chunk its context. Message lines lose
    their timestamps (time is filtered on as metadata, and digits only blur the meaning),
    and a single message its chat's name: "Owen 💚" on each of a thousand texts with Owen
    would make every one of them look like an answer to "owen's mum's number". A message
    gets its conversation from its neighbours instead (assistant/neighbours.py)."""
    if single_message(chunk.kind, chunk.locator):
        return _STAMP.sub("", chunk.text)
    text = _STAMP.sub("", chunk.text) if chunk.kind == "message" else chunk.text
    return f"{chunk.title}\n{text}" if chunk.title else text


def keyword_fields(chunk: Chunk, senders: str) -> tuple[str | None, str, str]:
    """The (title, text, senders) the keyword index holds: no title or senders for a single
    message (as above: the chat's name and its sender would match on every message of the
    chat; the sender filter of "what did Owen say" reads the senders from the chunk)."""
    if single_message(chunk.kind, chunk.locator):
        return None, chunk.text, ""
    return chunk.title, chunk.text, senders


def text_hash(chunk: Chunk) -> str:
    return hashlib.sha256(embedding_text(chunk).encode("utf-8")).hexdigest()[:32]


def chunk_records(
    records: Iterable[Record], tz: ZoneInfo, options: ChunkingOptions = DEFAULT_OPTIONS
) -> Iterator[Chunk]:
    """Chunks of every record, numbered in order. Streams: messages are windowed lazily."""
    ordinal = 0
    windows = _Windows(tz, options)
    for record in records:
        if isinstance(record, Message) and record.kind != "email":
            produced: Iterable[Chunk] = windows.add(record)
        elif isinstance(record, Message):
            produced = email_chunks(record, tz, options)
        elif isinstance(record, Note):
            produced = note_chunks(record, options)
        elif isinstance(record, Event):
            produced = [event_chunk(record, tz)]
        else:  # pragma: no cover - a new record type must be handled here
            raise TypeError(f"cannot chunk {type(record).__name__}")
        for chunk in produced:
            yield _renumber(chunk, ordinal)
            ordinal += 1
    for chunk in windows.flush_all():
        yield _renumber(chunk, ordinal)
        ordinal += 1


def _renumber(chunk: Chunk, ordinal: int) -> Chunk:
    if chunk.ordinal == ordinal:
        return chunk
    return Chunk(
        ordinal=ordinal,
        kind=chunk.kind,
        text=chunk.text,
        locator=chunk.locator,
        title=chunk.title,
        time=chunk.time,
        time_end=chunk.time_end,
        senders=chunk.senders,
        meta=chunk.meta,
    )


# --- notes -----------------------------------------------------------------------


def _split_section(section: Section, budget: int, overlap: int) -> list[tuple[str, int, int]]:
    """Pieces of (text, first line, last line) no larger than ``budget`` tokens."""
    lines = section.text.split("\n")
    units: list[tuple[str, int, int]] = []  # (text, line, tokens)
    for offset, whole in enumerate(lines):
        lineno = section.start_line + offset
        # A pathological line (minified data, a pasted dump) is cut by characters first,
        # so tokenising it never builds a giant list.
        for line in _slices(whole):
            _add_units(units, line, lineno, budget, overlap)
    return _pack(units, budget, overlap)


def _slices(line: str, size: int = LONG_LINE) -> list[str]:
    if len(line) <= size:
        return [line]
    return [line[i : i + size] for i in range(0, len(line), size)]


def _add_units(
    units: list[tuple[str, int, int]], line: str, lineno: int, budget: int, overlap: int
) -> None:
    """Append ``line`` as one unit, or as word runs when it alone exceeds the budget."""
    n = count_tokens(line)
    if n <= budget:
        units.append((line, lineno, n))
        return
    part: list[str] = []
    size = 0
    for word in line.split(" "):
        w = count_tokens(word)
        if part and size + w > budget - overlap:
            units.append((" ".join(part), lineno, size))
            part, size = [], 0
        part.append(word)
        size += w
    if part:
        units.append((" ".join(part), lineno, size))


def _pack(
    units: list[tuple[str, int, int]], budget: int, overlap: int
) -> list[tuple[str, int, int]]:
    pieces: list[tuple[str, int, int]] = []
    current: list[tuple[str, int, int]] = []
    size = 0
    for unit in units:
        if current and size + unit[2] > budget:
            pieces.append(_join(current))
            # carry the tail of this piece into the next one
            carry: list[tuple[str, int, int]] = []
            carried = 0
            for prev in reversed(current):
                if carried + prev[2] > overlap:
                    break
                carry.insert(0, prev)
                carried += prev[2]
            current, size = carry, carried
        current.append(unit)
        size += unit[2]
    if current:
        pieces.append(_join(current))
    return pieces


def _join(units: list[tuple[str, int, int]]) -> tuple[str, int, int]:
    text = "\n".join(u[0] for u in units).strip()
    return text, units[0][1], units[-1][1]


def note_chunks(note: Note, options: ChunkingOptions = DEFAULT_OPTIONS) -> list[Chunk]:
    """Sections packed into ~``note_tokens`` chunks; long sections split with overlap.

    Each chunk starts with its heading path ("Trip › Flights") so a chunk read
    alone still says what it is about.
    """
    budget, overlap = options.note_tokens, options.note_overlap
    chunks: list[Chunk] = []
    pending: list[tuple[tuple[str, ...], str, int, int]] = []
    pending_size = 0

    def label_of(heading: tuple[str, ...]) -> str:
        # The H1 usually repeats the note's title, which every chunk carries anyway.
        if heading and heading[0].strip().lower() == note.title.strip().lower():
            heading = heading[1:]
        return f"## {' › '.join(heading)}" if heading else ""

    def emit(heading: tuple[str, ...], text: str, start: int, end: int) -> None:
        chunks.append(
            Chunk(
                ordinal=len(chunks),
                kind="note",
                text=text,
                locator=f"L{start}-L{end}",
                title=note.title,
                time=note.date,
                meta={"heading": list(heading), "tags": list(note.tags)}
                if heading or note.tags
                else {},
            )
        )

    def flush_pending() -> None:
        nonlocal pending, pending_size
        if not pending:
            return
        parts = []
        for heading, text, _, _ in pending:
            label = label_of(heading)
            parts.append(f"{label}\n{text}" if label else text)
        emit(pending[0][0], "\n\n".join(parts), pending[0][2], pending[-1][3])
        pending, pending_size = [], 0

    for section in note.sections:
        label = label_of(section.heading_path)
        size = count_tokens(section.text) + count_tokens(label)
        if size > budget:
            flush_pending()
            for text, start, end in _split_section(section, budget - count_tokens(label), overlap):
                emit(section.heading_path, f"{label}\n{text}" if label else text, start, end)
            continue
        if pending and pending_size + size > budget:
            flush_pending()
        pending.append((section.heading_path, section.text, section.start_line, section.end_line))
        pending_size += size
    flush_pending()
    return chunks


# --- events ----------------------------------------------------------------------


def _fmt_when(value: datetime | date, tz: ZoneInfo, all_day: bool) -> str:
    if all_day or not isinstance(value, datetime):
        return value.strftime("%A %d %B %Y")
    local = value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
    return local.strftime("%A %d %B %Y %H:%M")


def _repeating(event: Event, tz: ZoneInfo) -> str | None:
    """ "every weekday 09:30–09:45, from Monday 05 October 2026": how a series repeats."""
    from assistant.rrule_words import describe, limit, rule_of

    found = rule_of(event.ics)
    if found is None:
        return None
    rule, _ = found
    words = describe(rule, event.start)
    first = _fmt_when(event.start, tz, True)
    if event.all_day or not isinstance(event.start, datetime):
        return f"{words}, from {first}{limit(rule)} (all day)"
    hours = _fmt_when(event.start, tz, False)[-5:]
    if isinstance(event.end, datetime):
        hours += "–" + event.end.astimezone(tz).strftime("%H:%M")
    return f"{words} {hours}, from {first}{limit(rule)}"


def event_chunk(event: Event, tz: ZoneInfo) -> Chunk:
    start = _fmt_when(event.start, tz, event.all_day)
    if event.all_day:
        last_day = event.end - timedelta(days=1) if isinstance(event.end, date) else event.end
        end = _fmt_when(last_day, tz, True)
        when = start if end == start else f"{start} to {end} (all day)"
    else:
        end_dt = event.end
        end = (
            end_dt.astimezone(tz).strftime("%H:%M")
            if isinstance(end_dt, datetime) and end_dt.tzinfo
            else str(end_dt)
        )
        when = f"{start}–{end}"
    if event.recurring:
        when = _repeating(event, tz) or f"{when} (repeats)"
    lines = [f"Event: {event.title}" + (" (cancelled)" if event.cancelled else ""),
             f"When: {when}"]
    if event.location:
        lines.append(f"Where: {event.location}")
    if event.attendees:
        lines.append("With: " + ", ".join(event.attendees))
    if event.description:
        lines.append(event.description.strip())
    first = event.first_start
    return Chunk(
        ordinal=0,
        kind="event",
        text="\n".join(lines),
        locator=event.locator or f"uid:{event.uid}",
        title=event.title,
        time=first,
        time_end=event.last_end,
        meta={"uid": event.uid},
    )


# --- messages ----------------------------------------------------------------------


def _message_line(msg: Message, tz: ZoneInfo) -> str:
    stamp = msg.time.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return f"[{stamp}] {msg.sender}: {msg.text}"


class _Windows:
    """Open conversation windows, one per chat; closed by a gap, a size or the end."""

    def __init__(self, tz: ZoneInfo, options: ChunkingOptions) -> None:
        self.tz = tz
        self.options = options
        self.open: dict[str, list[tuple[Message, str, int]]] = {}

    def add(self, msg: Message) -> list[Chunk]:
        out: list[Chunk] = []
        line = _message_line(msg, self.tz)
        size = count_tokens(line)
        window = self.open.get(msg.chat)
        if window:
            last = window[-1][0]
            total = sum(n for _, _, n in window)
            if (
                abs(msg.time - last.time) > self.options.window_gap
                or total + size > self.options.window_tokens
                or len(window) >= self.options.window_messages
            ):
                out.append(self._close(msg.chat))
        self.open.setdefault(msg.chat, []).append((msg, line, size))
        return out

    def _close(self, chat: str) -> Chunk:
        window = self.open.pop(chat)
        msgs = [m for m, _, _ in window]
        senders = tuple(dict.fromkeys(m.sender for m in msgs))
        first, last = msgs[0], msgs[-1]
        locator = first.id if first is last else f"{first.id}..{last.id}"
        return Chunk(
            ordinal=0,
            kind="message",
            text="\n".join(line for _, line, _ in window),
            locator=locator,
            title=chat,
            time=first.time,
            time_end=last.time,
            senders=senders,
            meta={"messages": len(msgs)},
        )

    def flush_all(self) -> list[Chunk]:
        return [self._close(chat) for chat in list(self.open)]


def email_chunks(
    msg: Message, tz: ZoneInfo, options: ChunkingOptions = DEFAULT_OPTIONS
) -> list[Chunk]:
    header = [f"From: {msg.sender}"]
    if msg.recipients:
        header.append("To: " + ", ".join(msg.recipients))
    header.append(f"Date: {msg.time.astimezone(tz).strftime('%a %d %b %Y %H:%M')}")
    if msg.subject:
        header.append(f"Subject: {msg.subject}")
    if msg.attachments:
        header.append("Attachments: " + ", ".join(msg.attachments))
    head = "\n".join(header)
    body_budget = max(60, options.email_tokens - count_tokens(head))
    section = Section(
        heading_path=(), text=msg.text.strip() or "(no text)", start_line=1, end_line=1
    )
    pieces = _split_section(section, body_budget, options.note_overlap)
    chunks = []
    for i, (text, _, _) in enumerate(pieces):
        chunks.append(
            Chunk(
                ordinal=i,
                kind="email",
                text=f"{head}\n\n{text}",
                locator=msg.id if len(pieces) == 1 else f"{msg.id}#{i + 1}",
                title=msg.subject or None,
                time=msg.time,
                senders=(msg.sender,),
                meta={"thread": msg.chat},
            )
        )
    return chunks
