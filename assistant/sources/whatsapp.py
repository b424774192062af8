"""WhatsApp chat exports (.txt, Android, iOS and older shapes, any locale): one Message per
chat message.

Android writes ``22/11/2026, 09:14 - Ada Brandt: text``, iOS ``[22/11/2026, 09:14:03]
Ada Brandt: text``, older exports ``22/11/2026 09:14: Ada Brandt: text``; the date, clock
and words between them follow the phone's locale (whatsapp_grammar). A file keeps one
shape throughout, so a line in another shape inside a message (a pasted header) is text.
The date order is decided from the whole file before parsing (whatsapp_grammar.OrderVote).
Times are wall-clock times in the configured zone. System notices are recognised by
whatsapp_text; anything not recognised is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.records import Message
from assistant.sources import ParseContext, cannot_read
from assistant.sources import whatsapp_text as wt
from assistant.sources.exports import (
    MAX_TEXT,
    Problems,
    StableIds,
    bounded_lines,
    decode_line,
)
from assistant.sources.whatsapp_grammar import MARKS, Header, OrderVote, match, ymd

NAME = "whatsapp"
FAMILY = "messages"

_NOTE_SUFFIXES = {".md", ".markdown", ".org"}  # a journal with timestamped lines is a note
# Export file names in the app's languages: "WhatsApp Chat with Ada.txt", "WhatsApp-Chat
# mit Ada.txt", "Discussion WhatsApp avec Ada.txt", ...; iOS: "WhatsApp Chat - Ada/_chat.txt".
_CHAT_FROM_NAME = re.compile(
    r"^(?:WhatsApp[ -]Chat(?: with| mit| avec| con| met| com| z| med| ile| dengan| - |-| ?:)?"
    r"|Discussion WhatsApp avec|Chat de WhatsApp con|Conversa do WhatsApp com"
    r"|Conversa de WhatsApp com|Chat WhatsApp con|Chat WhatsApp dengan|Чат WhatsApp с"
    r"|Czat WhatsApp z|WhatsApp Sohbeti|WhatsApp-keskustelu)\s*(?P<name>.+?)(?: \(\d+\))?$",
    re.IGNORECASE,
)


def detect(path: Path, head: bytes) -> bool:
    if b"\x00" in head[:8192] or path.suffix.lower() in _NOTE_SUFFIXES:
        return False
    lines = [
        x.strip(" \t\r")
        for x in head.decode("utf-8", errors="replace").splitlines()[:60]
        if x.strip(" \t\r" + MARKS)
    ]
    first = match(lines[0]) if lines else None
    if first is None:
        return False
    heads = [h for x in lines if (h := match(x)) is not None and h.style == first.style]
    # Someone wrote something (or WhatsApp's notice opens the chat; a big group's export
    # can start with dozens of "… added …" lines): a journal of "[date time] did this"
    # lines is a note. With "2024-01-15 10:00: " headers (a log's shape) most lines must
    # name a sender.
    said = sum(1 for h in heads if 0 < h.rest.find(": ") <= 60)
    if said == 0 and not wt.is_encryption_notice(first.rest, marked=True):
        return False
    iso_colon = first.style[:2] == (":", "-") and first.widths[0] == 4
    if iso_colon and said * 2 < len(heads):
        return False
    return len(heads) >= 2 or len(lines) < 3


@dataclass
class _Shape:
    order: str = "DMY"
    style: tuple[str, str, str] | None = None


def _scan(path: Path) -> _Shape:
    """The file's header style (from its first header) and date order (from all of them)."""
    vote = OrderVote()
    style = None
    with path.open("rb") as fh:
        for _, raw, _ in bounded_lines(fh, 4096):
            head = match(raw.decode("utf-8", errors="replace"))
            if head is None or (style is not None and head.style != style):
                continue
            style = head.style
            if vote.add(head):
                break
    return _Shape(order=vote.order(), style=style)


def _time_of(head: Header, order: str, tz: ZoneInfo) -> datetime:
    hour = head.hour
    if head.pm is not None:
        if hour > 12:  # 0 is fine: Japanese clocks run 午前0:30 … 午後11:59
            raise ValueError("hour")
        hour = hour % 12 + (12 if head.pm else 0)
    return datetime(*ymd(head.fields, order), hour, head.minute, head.second, tzinfo=tz)


@dataclass
class _Pending:
    time: datetime
    sender: str
    marked: bool  # the body starts with U+200E: WhatsApp wrote it (iOS)
    lines: list[str] = field(default_factory=list)
    size: int = 0
    lineno: int = 0
    cut: bool = False


def _chat_name(path: Path) -> str | None:
    for candidate in (path.stem, path.parent.name) if path.stem == "_chat" else (path.stem,):
        m = _CHAT_FROM_NAME.match(candidate)
        if m:
            return m["name"].strip()
    return None


def _sender(raw: str) -> str:
    name = raw.strip(MARKS + " \u202f\u00a0")
    return name.lstrip("~").strip(" \u202f\u00a0" + MARKS) or "unknown"


class _Reader:
    """The state of one file's parse: the message being collected, the chat's name."""

    def __init__(self, path: Path, ctx: ParseContext, shape: _Shape) -> None:
        self.problems = Problems(ctx)
        self.tz = ctx.tz
        self.shape = shape
        self.chat = _chat_name(path)
        self.unnamed = path.parent.name if path.stem == "_chat" else path.stem
        self.ids = StableIds()
        self.pending: _Pending | None = None
        self.stray = False

    def line(self, lineno: int, text: str) -> Message | None:
        """Feed one line; returns the message it completed, if any."""
        head = match(text)
        if head is not None and head.style != self.shape.style:
            head = None  # another shape inside a message: text someone pasted
        if head is None:
            if self.pending is not None:
                self._append(text)
            elif text.strip(MARKS + " \t") and not self.stray:
                self.stray = True
                self.problems.report(f"line {lineno}: not a WhatsApp message line; skipped")
            return None
        done = self.finish()
        try:
            self._start(lineno, head)
        except ValueError:
            self.problems.report(f"line {lineno}: {head.text} is not a valid date")
        except Exception as exc:  # noqa: BLE001 - one odd line never costs the file
            self.problems.report(
                f"line {lineno}: could not be read ({type(exc).__name__}); skipped"
            )
        return done

    def _start(self, lineno: int, head: Header) -> None:
        when = _time_of(head, self.shape.order, self.tz)
        if wt.is_subject_notice(head.rest):
            return  # "Ada changed the subject from "Trip: Lisbon" to …"
        sender, sep, body = head.rest.partition(": ")
        if not sep:
            return  # a notice without a sender: "Ada created group …", the encryption notice
        name = _sender(sender)
        marked = body.startswith(("\u200e", "\u200f"))
        if wt.is_encryption_notice(body[:400], marked=marked):
            if self.chat is None:
                self.chat = name  # iOS: the first notice is "sent" by the chat itself
            return
        self.pending = _Pending(time=when, sender=name, marked=marked, lineno=lineno)
        self._append(body)

    def _append(self, line: str) -> None:
        pending = self.pending
        assert pending is not None
        if pending.size >= MAX_TEXT:
            if not pending.cut:
                pending.cut = True
                self.problems.report(
                    f"line {pending.lineno}: message longer than {MAX_TEXT} characters; cut"
                )
            return
        pending.lines.append(line[: MAX_TEXT - pending.size])
        pending.size += len(line) + 1

    def finish(self) -> Message | None:
        pending, self.pending = self.pending, None
        if pending is None:
            return None
        try:
            return self._message(pending)
        except Exception as exc:  # noqa: BLE001 - one odd message never costs the file
            self.problems.report(
                f"line {pending.lineno}: could not be read ({type(exc).__name__}); skipped"
            )
            return None

    def _message(self, pending: _Pending) -> Message | None:
        text = "\n".join(pending.lines).strip()
        names: list[str] = []
        if "<" in text or "‹" in text or "(" in text.partition("\n")[0]:
            names, text = wt.attachments(text)
        if text.rstrip().endswith(">"):
            text = wt.strip_edited(text)
        text = text.strip(MARKS + " \n")
        if not names and len(text) < 200:
            if wt.is_placeholder(text):
                return None  # "<Media omitted>", a deleted message: nothing to search
            if pending.marked and "\n" not in text and wt.is_marked_notice(text):
                return None  # iOS: "‎Missed voice call", "‎Priya added Sam"
        if names:
            note = "[attached: " + ", ".join(names) + "]"
            text = f"{note} {text}" if text else note
        if not text:
            return None
        return Message(
            id=self.ids.make(pending.time, pending.sender, text),
            chat=self.chat or self.unnamed,
            sender=pending.sender,
            time=pending.time,
            text=text,
            attachments=tuple(names),
        )


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    try:
        shape = _scan(path)
        fh = path.open("rb")
    except OSError as exc:
        raise cannot_read(path, exc) from None
    reader = _Reader(path, ctx, shape)
    problems = reader.problems
    with fh:
        for lineno, raw, cut in bounded_lines(fh):
            if cut:
                problems.report(
                    f"line {lineno}: longer than 1 MB; the rest of the line was skipped"
                )
            if b"\x00" in raw:
                problems.report(f"line {lineno}: contains NUL bytes; skipped")
                continue
            msg = reader.line(lineno, decode_line(raw, lineno, problems).rstrip("\r\n"))
            if msg is not None:
                yield msg
        msg = reader.finish()
        if msg is not None:
            yield msg
    problems.close()
