"""WhatsApp chat exports (.txt, Android and iOS shapes): one Message per chat message.

Android writes ``22/11/2026, 09:14 - Ada Brandt: text`` (system lines have no sender),
iOS writes ``[22/11/2026, 09:14:03] Ada Brandt: text`` and marks system lines and media
with U+200E. The date order follows the phone's locale and is inferred from the file:
a first field above 12 means day first, a second field above 12 means month first; when
no date decides, the order whose consecutive dates lie closer together wins (a chat is
dense in time), and a remaining tie means day first unless the clock is 12-hour with a
two-digit year (the US shape). Times are wall-clock times in the configured zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.records import Message
from assistant.sources import ParseContext, cannot_read
from assistant.sources.exports import (
    MAX_TEXT,
    Problems,
    StableIds,
    bounded_lines,
    decode_line,
)

NAME = "whatsapp"
FAMILY = "messages"

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\ufeff"
_DATE = r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_TIME = (
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
    r"(?:[\s\u202f\u00a0]?(?P<ampm>[AaPp]\.?[\s\u202f\u00a0]?[Mm]\.?))?)"
)
_ANDROID = re.compile(
    rf"^{_DATE},?[\s\u202f\u00a0]{_TIME}[\s\u202f\u00a0]+[-–][\s\u00a0](?P<rest>.*)$"
)
_IOS = re.compile(rf"^\[{_DATE},?[\s\u202f\u00a0]{_TIME}\][\s\u00a0](?P<rest>.*)$")
_ATTACHED = re.compile(r"<attached: ([^>]{1,300})>")
_ANDROID_FILE = re.compile(r"^(.{1,200}\.\w{1,5}) \(file attached\)(?:\n|$)")
_OMITTED = re.compile(
    r"^(image|video|audio|sticker|GIF|document|Contact card|<Media) omitted>?$", re.IGNORECASE
)
_SYSTEM_TEXT = re.compile(
    r"^(This message was deleted\.?|You deleted this message\.?|null|Waiting for this message.*)$"
)
_EDITED = re.compile(r"\s*<This message was edited>\s*$")
_CHAT_FROM_NAME = re.compile(
    r"^WhatsApp[ -]Chat(?: with| mit| avec| con| met| com| - |-)?\s*(?P<name>.+?)(?: \(\d+\))?$",
    re.IGNORECASE,
)
_SCAN_DATES = 5000  # header dates sampled to infer the date order when none decides


def _clean(line: str) -> str:
    return line.lstrip(_MARKS)


def _header(line: str) -> re.Match[str] | None:
    if line.startswith("["):
        return _IOS.match(line)
    return _ANDROID.match(line) if line[:1].isdigit() else None


def detect(path: Path, head: bytes) -> bool:
    if b"\x00" in head[:8192]:
        return False
    lines = [
        _clean(x.strip())
        for x in head.decode("utf-8", errors="replace").splitlines()[:60]
        if x.strip(" \t\r" + _MARKS)
    ]
    if not lines or _header(lines[0]) is None:
        return False
    matches = sum(1 for x in lines[:30] if _header(x))
    return matches >= 2 or len(lines) < 3


# --- the date order ---------------------------------------------------------------------


@dataclass
class _Order:
    day_first: bool = True
    iso: bool = False  # yyyy-mm-dd: nothing to infer


def _numbers(date_text: str) -> list[int]:
    return [int(x) for x in re.split(r"[./-]", date_text)]


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


def _ordinal(a: int, b: int, y: int) -> int | None:
    try:
        return date(_year(y), b, a).toordinal()
    except ValueError:
        return None


def _infer_order(path: Path) -> _Order:
    firsts_big = seconds_big = False
    samples: list[tuple[int, int, int]] = []
    twelve_hour = short_year = False
    with path.open("rb") as fh:
        for _, raw, _ in bounded_lines(fh, 4096):
            m = _header(_clean(raw.decode("utf-8", errors="replace")))
            if m is None:
                continue
            nums = _numbers(m["date"])
            if len(re.split(r"[./-]", m["date"])[0]) == 4:
                return _Order(iso=True)
            a, b, y = nums
            firsts_big |= a > 12
            seconds_big |= b > 12
            twelve_hour |= m["ampm"] is not None
            short_year |= y < 100
            if firsts_big or seconds_big:
                break
            if len(samples) < _SCAN_DATES:
                samples.append((a, b, y))
            else:
                break
    if firsts_big and not seconds_big:
        return _Order(day_first=True)
    if seconds_big and not firsts_big:
        return _Order(day_first=False)

    # Nothing above 12 yet: the order whose consecutive dates lie closer together.
    def spread(day_first: bool) -> float:
        days = [_ordinal(a, b, y) if day_first else _ordinal(b, a, y) for a, b, y in samples]
        known = [d for d in days if d is not None]
        if len(known) < 2:
            return 0.0
        return sum(abs(x - w) for w, x in zip(known, known[1:], strict=False)) / len(known)

    dmy, mdy = spread(True), spread(False)
    if dmy != mdy:
        return _Order(day_first=dmy < mdy)
    return _Order(day_first=not (twelve_hour and short_year))


# --- parsing ----------------------------------------------------------------------------


def _time_of(m: re.Match[str], order: _Order, tz: ZoneInfo) -> datetime:
    nums = _numbers(m["date"])
    if order.iso:
        y, mo, d = nums
    elif order.day_first:
        d, mo, y = nums
    else:
        mo, d, y = nums
    clock = [int(x) for x in re.findall(r"\d+", m["time"])]
    hour, minute = clock[0], clock[1]
    second = clock[2] if len(clock) > 2 else 0
    ampm = m["ampm"]
    if ampm:
        pm = ampm.lower().startswith("p")
        if hour == 12:
            hour = 12 if pm else 0
        elif pm:
            hour += 12
    return datetime(_year(y), mo, d, hour, minute, second, tzinfo=tz)


@dataclass
class _Pending:
    time: datetime
    sender: str
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
    name = raw.strip(_MARKS + " \u202f\u00a0")
    return name.lstrip("~").strip(" \u202f\u00a0" + _MARKS) or "unknown"


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    problems = Problems(ctx)
    try:
        order = _infer_order(path)
        fh = path.open("rb")
    except OSError as exc:
        raise cannot_read(path, exc) from None
    chat = _chat_name(path)
    unnamed = path.parent.name if path.stem == "_chat" else path.stem
    ids = StableIds()
    pending: _Pending | None = None
    stray = False
    with fh:
        for lineno, raw, cut in bounded_lines(fh):
            if cut:
                problems.report(
                    f"line {lineno}: longer than 1 MB; the rest of the line was skipped"
                )
            if b"\x00" in raw:
                problems.report(f"line {lineno}: contains NUL bytes; skipped")
                continue
            text = decode_line(raw, lineno, problems).rstrip("\r\n")
            if lineno == 1:
                text = text.lstrip("\ufeff")
            m = _header(_clean(text))
            if m is None:
                if pending is not None:
                    _append(pending, text, problems)
                elif text.strip() and not stray:
                    stray = True
                    problems.report(f"line {lineno}: not a WhatsApp message line; skipped")
                continue
            if pending is not None:
                msg = _finish(pending, chat or unnamed, ids)
                if msg is not None:
                    yield msg
                pending = None
            try:
                when = _time_of(m, order, ctx.tz)
            except ValueError:
                problems.report(f"line {lineno}: {m['date']} {m['time']} is not a valid date")
                continue
            sender, sep, body = m["rest"].partition(": ")
            if not sep:
                continue  # a system line: "Ada created group ...", the encryption notice
            if body.startswith("\u200e") and not _media(body):
                # iOS: system notices are "sent" by the chat itself and start with U+200E;
                # the first one names the chat.
                if chat is None and "end-to-end encrypted" in body:
                    chat = _sender(sender)
                continue
            pending = _Pending(time=when, sender=_sender(sender), lineno=lineno)
            _append(pending, body, problems)
        if pending is not None:
            msg = _finish(pending, chat or unnamed, ids)
            if msg is not None:
                yield msg
    problems.close()


def _media(body: str) -> bool:
    rest = body.strip(_MARKS + " ")
    return bool(_ATTACHED.search(rest) or _OMITTED.match(rest))


def _append(pending: _Pending, line: str, problems: Problems) -> None:
    if pending.size >= MAX_TEXT:
        if not pending.cut:
            pending.cut = True
            problems.report(
                f"line {pending.lineno}: message longer than {MAX_TEXT} characters; cut"
            )
        return
    pending.lines.append(line[: MAX_TEXT - pending.size])
    pending.size += len(line) + 1


def _finish(pending: _Pending, chat: str, ids: StableIds) -> Message | None:
    text = "\n".join(pending.lines).strip()
    attachments: list[str] = []
    for name in _ATTACHED.findall(text):
        attachments.append(name.strip())
    text = _ATTACHED.sub("", text)
    android_file = _ANDROID_FILE.match(text)
    if android_file:
        attachments.append(android_file.group(1))
        text = text[android_file.end() :]
    text = _EDITED.sub("", text).strip(_MARKS + " \n")
    if _OMITTED.match(text) or _SYSTEM_TEXT.match(text):
        text = ""
    if not text and not attachments:
        return None  # "<Media omitted>", a deleted message: nothing to search
    if not text:
        text = "[attached: " + ", ".join(attachments) + "]"
    return Message(
        id=ids.make(pending.time, pending.sender, text),
        chat=chat,
        sender=pending.sender,
        time=pending.time,
        text=text,
        attachments=tuple(attachments),
    )
