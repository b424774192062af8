"""mbox mailboxes (mboxo, mboxrd, mboxcl/cl2; any name, extension or none): one Message
per mail.

The stdlib ``mailbox.mbox`` is not used: it first scans the whole file into a table of
offsets, opens it for writing, and reads each message whole (a 50 MB attachment is
50 MB in memory). This splitter streams line by line with bounded lines and messages.

A mail starts at a "From " line that a header block follows: ``From sender <date>``,
``From sender`` or ``From `` alone (exporters that write no date), wherever it stands;
any other "From " line after a blank line and before a full header block is a damaged
separator (reported). A "From " line that no header block follows is body text, and
">From " is unescaped (mboxrd). A ``Content-Length`` that ends exactly at the next
separator or the end of the file (mboxcl, mboxcl2) is trusted: nothing inside that body
splits the mail. One mail that cannot be read is one warning; the others are indexed.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import ParseContext, open_binary
from assistant.sources.email_mime import RawMessage, Threads, to_message
from assistant.sources.exports import MAX_LINE, Problems

NAME = "mbox"
FAMILY = "messages"

BOM = b"\xef\xbb\xbf"
_SEPARATOR = re.compile(rb"^From \S+ +(?P<date>.*\d{1,2}:\d{2}.*\d{4})\s*$")
_UNDATED = re.compile(rb"^From(?: \S*)?\s*$")
_HEADER = re.compile(rb"^([!-9;-~]{1,76}):[ \t]?")
_MAIL_HEADERS = {
    b"from", b"to", b"cc", b"date", b"subject", b"message-id", b"return-path", b"received",
    b"delivered-to", b"mime-version", b"content-type", b"sender", b"reply-to", b"in-reply-to",
    b"references", b"x-gmail-labels", b"x-mozilla-status", b"envelope-to", b"status",
}  # fmt: skip
_ESCAPED_FROM = re.compile(rb"^>+From ")
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d{1,12})[ \t]*\r?$", re.IGNORECASE)
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^<>\s]{1,250}>)", re.IGNORECASE)
_NOTE_SUFFIXES = {".md", ".markdown", ".txt", ".org"}  # "From Berlin at 07:10 ..." notes
SEEN_IDS = 50_000  # duplicate Message-IDs (Gmail labels) recognised among this many
LOOK_AHEAD = 8  # lines read past a "From " line to see whether a header block follows


def _headers_follow(lines: list[bytes], strict: bool) -> bool:
    """A header block starts at ``lines``: a header line first; with ``strict``, at least
    two headers, one of them a known mail header."""
    if not lines or not _HEADER.match(lines[0]):
        return False
    if not strict:
        return True
    names = []
    for line in lines:
        m = _HEADER.match(line)
        if m:
            names.append(m.group(1).lower())
        elif line[:1] not in (b" ", b"\t"):
            break  # a blank line or text: the block ends
    return len(names) >= 2 and any(n in _MAIL_HEADERS or n.startswith(b"x-") for n in names)


def detect(path: Path, head: bytes) -> bool:
    if path.suffix.lower() in _NOTE_SUFFIXES:
        return False
    start = head.removeprefix(BOM).lstrip(b"\r\n")
    if not start.startswith(b"From "):
        return False
    lines = [x.rstrip(b"\r") for x in start.split(b"\n", 12)]
    first = lines[0]
    dated = bool(_SEPARATOR.match(first) or first.startswith(b"From - "))
    if not (dated or _UNDATED.match(first)):
        return False
    return _headers_follow(lines[1:12], strict=not dated)


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


class _Lines:
    """Bounded lines with their line numbers and byte offsets, a look-ahead, and a peek at
    any offset (to check a Content-Length) that leaves the reading position alone."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.ahead: deque[tuple[int, int, bytes]] = deque()
        self.lineno = 0
        self.offset = 0  # bytes consumed from the file so far
        self.cut = False
        self.size = os.fstat(fh.fileno()).st_size
        self.source = self._lines()

    def _lines(self) -> Iterator[tuple[int, int, bytes]]:
        readline = self.fh.readline
        while line := readline(MAX_LINE):
            start = self.offset
            self.offset = start + len(line)
            if len(line) >= MAX_LINE and not line.endswith(b"\n"):
                self.cut = True
                while True:  # skip to the end of this physical line
                    rest = readline(MAX_LINE)
                    self.offset += len(rest)
                    if not rest or rest.endswith(b"\n"):
                        break
            self.lineno += 1
            yield self.lineno, start, line.removeprefix(BOM) if self.lineno == 1 else line

    def __iter__(self) -> Iterator[tuple[int, int, bytes]]:
        ahead, source = self.ahead, self.source
        while True:
            if ahead:
                yield ahead.popleft()
                continue
            item = next(source, None)
            if item is None:
                return
            yield item

    def peek(self, n: int) -> list[bytes]:
        while len(self.ahead) < n:
            item = next(self.source, None)
            if item is None:
                break
            self.ahead.append(item)
        return [line for _, _, line in list(self.ahead)[:n]]

    def at(self, offset: int, size: int = 256) -> bytes:
        here = self.fh.tell()
        try:
            self.fh.seek(offset)
            return self.fh.read(size)
        finally:
            self.fh.seek(here)


class _Mailbox:
    """One mailbox's parse state: the mail being collected and what was seen."""

    def __init__(self, path: Path, ctx: ParseContext, lines: _Lines) -> None:
        self.path = path
        self.problems = Problems(ctx)
        self.lines = lines
        self.threads = Threads()
        self.seen: dict[str, None] = {}
        self.current: RawMessage | None = None
        self.date: datetime | None = None
        self.number = 0
        self.in_header = False
        self.length: int | None = None  # the Content-Length of the current mail
        self.trusted_until = -1  # offset up to which a Content-Length body runs
        self.message_id = ""

    def start(self, lineno: int, line: bytes) -> None:
        self.number += 1
        self.current = RawMessage(f"mail {self.number} (line {lineno})")
        self.date = _separator_date(line)
        self.in_header = True
        self.length = None
        self.message_id = ""

    def is_separator(self, lineno: int, line: bytes, previous_blank: bool) -> bool:
        text = line.rstrip(b"\r\n")
        dated = bool(_SEPARATOR.match(text) or text.startswith(b"From - "))
        ahead = self.lines.peek(LOOK_AHEAD)
        if dated or _UNDATED.match(text):
            return _headers_follow(ahead, strict=not dated)
        if (previous_blank or self.current is None) and _headers_follow(ahead, strict=True):
            self.problems.report(
                f"line {lineno}: malformed mbox 'From ' line; treated as the start of a new message"
            )
            return True
        return False

    def header_line(self, offset: int, line: bytes) -> None:
        if not line.strip():
            self.in_header = False
            if self.length is not None and self._length_fits(offset + len(line) + self.length):
                self.trusted_until = offset + len(line) + self.length
            return
        m = _CONTENT_LENGTH.match(line)
        if m:
            self.length = int(m.group(1))
        elif not self.message_id and (mid := _MESSAGE_ID.match(line)):
            self.message_id = mid.group(1).decode("ascii", errors="replace")

    def _length_fits(self, end: int) -> bool:
        if end >= self.lines.size:
            return end == self.lines.size
        return self.lines.at(end).lstrip(b"\r\n").startswith(b"From ")

    def finish(self) -> Iterator[Message]:
        current, self.current = self.current, None
        if current is None or not current.lines:
            return
        where = current.where + (f" {self.message_id}" if self.message_id else "")
        current.where = where
        if current.dropped:
            self.problems.report(f"{where}: {current.skipped()}")
        try:
            msg = to_message(current.data(), where, self.problems, self.threads, self.date)
        except (RecursionError, MemoryError) as exc:
            self.problems.report(
                f"{where}: too deeply nested to read ({type(exc).__name__}); skipped"
            )
            return
        except Exception as exc:  # noqa: BLE001 - one bad mail never costs the mailbox
            reason = " ".join(str(exc).split())[:120]
            self.problems.report(
                f"{where}: could not be read ({type(exc).__name__}: {reason}); skipped"
            )
            return
        if msg is None:
            return
        key = msg.meta.get("message_id", msg.id)
        if key in self.seen:
            return  # the same mail twice (one copy per label in a Gmail export)
        self.seen[key] = None
        if len(self.seen) > SEEN_IDS:
            del self.seen[next(iter(self.seen))]
        yield msg


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    fh = open_binary(path)
    lines = _Lines(fh)
    box = _Mailbox(path, ctx, lines)
    previous_blank = True
    with fh:
        for lineno, offset, line in lines:
            inside = offset < box.trusted_until  # a Content-Length body: never split
            if (
                line.startswith(b"From ")
                and not inside
                and box.is_separator(lineno, line, previous_blank)
            ):
                yield from box.finish()
                box.start(lineno, line)
                previous_blank = False
                continue
            current = box.current
            if current is None:
                if line.strip():
                    raise SourceError(path, f"line {lineno}: not an mbox (no 'From ' line first)")
                continue
            if box.in_header:
                box.header_line(offset, line)
            elif line[:1] == b">" and not inside and _ESCAPED_FROM.match(line):
                line = line[1:]  # mboxrd: ">From " in a body was "From "
            current.add(line)
            previous_blank = len(line) < 3 and not line.strip()
        yield from box.finish()
    if lines.cut:
        box.problems.report("a line longer than 1 MB was cut")
    box.problems.close()
