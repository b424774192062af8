""" "SMS Backup & Restore" XML (<smses> of <sms> and <mms>): one Message per text message.

Streamed with a pull parser, each element cleared once read. The app's quirks are
repaired before expat sees them (see exports.CleanReader): emoji written as surrogate
pairs of character references, control characters, invalid UTF-8. ``date`` is epoch
milliseconds (exact). The phone's owner appears as "Me": the file does not name them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import ParseContext, open_binary
from assistant.sources.exports import MAX_TEXT, CappedRuns, CleanReader, Problems

NAME = "sms_xml"
FAMILY = "messages"
ME = "Me"

_NULLS = {"", "null", "(Unknown)", "(unknown)"}
_MMS_FROM = "137"  # PduHeaders.FROM; 151 = TO, 130 = CC, 129 = BCC
_SENT_SMS_TYPES = {"2", "4", "5", "6"}  # sent, outbox, failed, queued; 3 = draft
_READ = 1 << 16


def detect(path: Path, head: bytes) -> bool:
    start = head[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith((b"<?xml", b"<!--", b"<smses")) and b"<smses" in start


def _value(elem: ET.Element, name: str) -> str:
    value = elem.get(name, "")
    return "" if value in _NULLS else value


def _time(elem: ET.Element, tz: ZoneInfo) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(elem.get("date", "")) / 1000, tz)
    except (ValueError, OverflowError, OSError):
        return None


class _Ids:
    """ "sms:<date ms>:<address>", with "-2"... for the rare twin in the same millisecond."""

    def __init__(self) -> None:
        self.last = ""
        self.n = 0

    def make(self, kind: str, elem: ET.Element) -> str:
        address = "".join(elem.get("address", "").split())
        base = f"{kind}:{elem.get('date', '')}:{address}"
        self.n = self.n + 1 if base == self.last else 1
        self.last = base
        return base if self.n == 1 else f"{base}-{self.n}"


def _sms(elem: ET.Element, tz: ZoneInfo, ids: _Ids) -> Message | None:
    kind = elem.get("type", "1")
    body = _value(elem, "body")[:MAX_TEXT].strip()
    when = _time(elem, tz)
    if kind == "3" or not body or when is None:
        return None
    contact = _value(elem, "contact_name") or _value(elem, "address") or "unknown"
    sent = kind in _SENT_SMS_TYPES
    return Message(
        id=ids.make("sms", elem),
        chat=contact,
        sender=ME if sent else contact,
        time=when,
        text=body,
        recipients=(contact,) if sent else (ME,),
        meta={"address": elem.get("address", "")},
    )


def _mms(elem: ET.Element, tz: ZoneInfo, ids: _Ids) -> Message | None:
    when = _time(elem, tz)
    if when is None:
        return None
    texts: list[str] = []
    attachments: list[str] = []
    for part in elem.iter("part"):
        ctype = (part.get("ct") or "").lower()
        if ctype == "application/smil":
            continue
        if ctype == "text/plain":
            text = _value(part, "text").strip()
            if text:
                texts.append(text)
        else:
            name = _value(part, "name") or _value(part, "cl") or ctype or "attachment"
            attachments.append(name)
    contact = _value(elem, "contact_name") or _value(elem, "address") or "unknown"
    sent = elem.get("msg_box") == "2"
    sender = ME
    if not sent:
        sender = contact
        numbers = elem.get("address", "").split("~")
        if len(numbers) > 1:  # a group: who sent it, by name when the names line up
            names = contact.split(", ")
            for addr in elem.iter("addr"):
                if addr.get("type") == _MMS_FROM and _value(addr, "address"):
                    sender = _value(addr, "address")
                    if len(names) == len(numbers) and sender in numbers:
                        sender = names[numbers.index(sender)]
                    break
    text = "\n".join(texts)[:MAX_TEXT]
    if not text and not attachments:
        return None
    return Message(
        id=ids.make("mms", elem),
        chat=contact,
        sender=sender,
        time=when,
        text=text or "[attached: " + ", ".join(attachments) + "]",
        recipients=(contact,) if sent else (ME,),
        attachments=tuple(attachments),
        meta={"address": elem.get("address", "")},
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    problems = Problems(ctx)
    fh = open_binary(path)
    reader = CappedRuns(CleanReader(fh, problems, xml=True))
    parser = ET.XMLPullParser(events=("start", "end"))
    ids = _Ids()
    depth = 0
    root: ET.Element | None = None
    count = 0
    with fh:
        try:
            while True:
                data = reader.read(_READ)
                if data:
                    parser.feed(data)
                else:
                    parser.close()
                for event, elem in parser.read_events():
                    if event == "start":
                        depth += 1
                        if depth == 1:
                            root = elem
                            if elem.tag != "smses":
                                raise SourceError(path, f"not an SMS backup (<{elem.tag}>)")
                        continue
                    depth -= 1
                    if depth != 1 or root is None:
                        continue
                    if elem.tag in ("sms", "mms"):
                        msg = (_sms if elem.tag == "sms" else _mms)(elem, ctx.tz, ids)
                        if msg is None and _time(elem, ctx.tz) is None:
                            problems.report(f"<{elem.tag}> number {count + 1}: no valid date")
                        elif msg is not None:
                            yield msg
                        count += 1
                    root.clear()  # what was read is not kept: memory stays flat
                if not data:
                    break
        except LookupError as exc:  # <?xml encoding="..."?> names no codec Python has
            raise SourceError(path, f"declares an unknown text encoding ({exc})") from None
        except ET.ParseError as exc:
            line, column = exc.position
            reason = str(exc).split(":")[0]
            if root is None:
                raise SourceError(
                    path, f"line {line}, column {column}: not XML ({reason})"
                ) from None
            problems.report(
                f"line {line}, column {column}: the XML is broken ({reason}); "
                f"{count} messages before it were read, the rest of the file was skipped"
            )
    problems.close()
