"""mbox mailboxes (any name, extension or none): split at "From " lines, one Message per mail.

The stdlib ``mailbox.mbox`` is not used: it first scans the whole file into a table of
offsets, opens it for writing, and reads each message whole (a 50 MB attachment is
50 MB in memory). This splitter streams line by line with bounded lines and messages.
A separator is a "From " line with a date (``From sender Sat Nov 21 09:14:03 2026``),
or a malformed "From " line after a blank line that is followed by a header (reported).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import ParseContext, open_binary
from assistant.sources.email_mime import RawMessage, Threads, to_message
from assistant.sources.exports import Problems, bounded_lines

NAME = "mbox"
FAMILY = "messages"

_SEPARATOR = re.compile(rb"^From \S+ +(?P<date>.*\d{1,2}:\d{2}.*\d{4})\s*$")
_HEADER = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?")
_ESCAPED_FROM = re.compile(rb"^>+From ")
_NOTE_SUFFIXES = {".md", ".markdown", ".txt", ".org"}  # "From Berlin at 07:10 ..." notes
SEEN_IDS = 50_000  # duplicate Message-IDs (Gmail labels) recognised among this many


def detect(path: Path, head: bytes) -> bool:
    if not head.startswith(b"From ") or path.suffix.lower() in _NOTE_SUFFIXES:
        return False
    lines = head.split(b"\n", 12)
    first = lines[0].rstrip(b"\r")
    if not (_SEPARATOR.match(first) or first.startswith(b"From - ")):
        return False
    return any(_HEADER.match(line) for line in lines[1:12])


def _separator_date(line: bytes) -> datetime | None:
    m = _SEPARATOR.match(line.rstrip(b"\r\n"))
    if not m:
        return None
    text = m["date"].decode("ascii", errors="replace")
    for candidate in (text, " ".join(text.split()[:4] + text.split()[-1:])):
        try:
            when = parsedate_to_datetime(candidate)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    try:  # asctime: "Sat Nov 21 09:14:03 2026"
        return datetime.strptime(" ".join(text.split()[-5:]), "%a %b %d %H:%M:%S %Y").replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    problems = Problems(ctx)
    fh = open_binary(path)
    threads = Threads()
    seen: dict[str, None] = {}
    current: RawMessage | None = None
    current_date: datetime | None = None
    previous_blank = True
    held: tuple[int, bytes] | None = None  # a doubtful "From " line waiting for the next line

    def finish() -> Iterator[Message]:
        if current is None or not current.lines:
            return
        if current.dropped:
            problems.report(f"{current.where}: {current.skipped()}")
        msg = to_message(current.data(), current.where, problems, threads, current_date)
        if msg is None:
            return
        key = msg.meta.get("message_id", msg.id)
        if key in seen:
            return  # the same mail twice (one copy per label in a Gmail export)
        seen[key] = None
        if len(seen) > SEEN_IDS:
            del seen[next(iter(seen))]
        yield msg

    with fh:
        for lineno, line, _cut in bounded_lines(fh):
            if held is not None:
                held_no, held_line = held
                held = None
                if _HEADER.match(line):
                    problems.report(
                        f"line {held_no}: malformed mbox 'From ' line; "
                        "treated as the start of a new message"
                    )
                    yield from finish()
                    current, current_date = RawMessage(f"message at line {held_no}"), None
                elif current is not None:
                    current.add(held_line)
            if line.startswith(b"From "):
                if _SEPARATOR.match(line.rstrip(b"\r\n")):
                    yield from finish()
                    current = RawMessage(f"message at line {lineno}")
                    current_date = _separator_date(line)
                    previous_blank = False
                    continue
                if previous_blank:
                    held = (lineno, line)
                    previous_blank = False
                    continue
            if current is None:
                if line.strip():
                    raise SourceError(path, f"line {lineno}: not an mbox (no 'From ' line first)")
                continue
            if _ESCAPED_FROM.match(line):
                line = line[1:]  # mboxrd: ">From " in a body was "From "
            current.add(line)
            previous_blank = not line.strip()
        if held is not None and current is not None:
            current.add(held[1])
        yield from finish()
    problems.close()
