"""Single emails (.eml files, e.g. a folder saved from a mail client): one Message each.

Detected by the .eml suffix, or by content for files without a known suffix: a header
block that starts the file and names at least From and Date (or Message-ID). Threads
across files agree because the thread key comes from References/In-Reply-To.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import ParseContext, cannot_read
from assistant.sources.email_mime import RawMessage, Threads, to_message
from assistant.sources.exports import Problems, bounded_lines

NAME = "eml"
FAMILY = "messages"

_HEADER = re.compile(rb"^([!-9;-~]{1,76}):")
# Suffixes other formats own: never claimed by content.
_OTHER_SUFFIXES = {".md", ".markdown", ".txt", ".org", ".ics", ".json", ".xml", ".html", ".csv"}


BOM = b"\xef\xbb\xbf"


def _header_names(head: bytes) -> set[bytes]:
    """The header names of the block that starts ``head``; empty if it starts otherwise.
    Lines that are no header inside the block (a header folded without the leading
    space, as Exchange writes some) are tolerated while real headers outnumber them."""
    names: set[bytes] = set()
    stray = 0
    for i, line in enumerate(head.removeprefix(BOM).split(b"\n", 200)[:200]):
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header's continuation
        m = _HEADER.match(line)
        if m is None:
            if i == 0 and line.startswith(b"Microsoft Mail Internet Headers"):
                continue  # Outlook's "Internet headers" copy
            if not names:
                return set()  # not a header block
            stray += 1
            continue
        names.add(m.group(1).lower())
    return names if stray <= len(names) else set()


def detect(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in _OTHER_SUFFIXES or head.removeprefix(BOM).startswith(b"From "):
        return False  # "From " first: an mbox
    names = _header_names(head)
    if suffix == ".eml":
        return bool(names)
    return b"from" in names and (b"date" in names or b"message-id" in names) and len(names) >= 3


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    problems = Problems(ctx)
    raw = RawMessage(path.name)
    try:
        with path.open("rb") as fh:
            for lineno, line, _cut in bounded_lines(fh):
                if lineno == 1:
                    line = line.removeprefix(BOM)
                    if line.startswith(b"Microsoft Mail Internet Headers"):
                        continue
                raw.add(line)
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise cannot_read(path, exc) from None
    if not raw.lines or not raw.data().strip():
        return
    if not _HEADER.match(raw.lines[0]):
        raise SourceError(path, "not an email (it does not start with headers)")
    if raw.dropped:
        problems.report(raw.skipped())
    try:
        msg = to_message(raw.data(), "the message", problems, Threads(), mtime, "the file's time")
    except Exception as exc:  # noqa: BLE001 - RecursionError included: one line, not a traceback
        raise SourceError(path, f"could not be read ({type(exc).__name__})") from None
    problems.close()
    if msg is not None:
        yield msg
