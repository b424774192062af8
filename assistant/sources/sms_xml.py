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


def _key(address: str) -> str:
    """A phone number as compared across elements: its digits ("+49 176 2345-6789",
    "017623456789" and "+4917623456789" agree on the last nine)."""
    digits = "".join(ch for ch in address if ch.isdigit())
    return digits[-9:] if len(digits) >= 9 else address.strip().lower()


def _is_group(address: str) -> bool:
    # Google Messages backs up RCS groups under an id, never a person: group_…@rcs.google.com
    return address.startswith("group_") or "@rcs." in address


class _Contacts:
    """Names of the numbers seen so far (SMS Backup & Restore writes the contact name on
    each element, never on an MMS part's address)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.seen: set[str] = set()  # addresses as written, already named

    def learn(self, elem: ET.Element) -> None:
        address = elem.get("address", "")
        if address in self.seen or len(self.seen) >= 100_000:
            return  # most elements repeat a number already named: one set lookup
        name = _value(elem, "contact_name")
        if name and address not in _NULLS and "~" not in address and not _is_group(address):
            self.seen.add(address)
            self.names.setdefault(_key(address), name)

    def name(self, address: str, elem: ET.Element) -> str:
        numbers = elem.get("address", "").split("~")
        names = _value(elem, "contact_name").split(", ")
        if len(numbers) > 1 and len(names) == len(numbers):  # a group, named in order
            for number, name in zip(numbers, names, strict=True):
                if _key(number) == _key(address):
                    return name
        return self.names.get(_key(address), address)


def _sms(elem: ET.Element, tz: ZoneInfo, ids: _Ids, contacts: _Contacts) -> Message | None:
    kind = elem.get("type", "1")
    body = _value(elem, "body")[:MAX_TEXT].strip()
    when = _time(elem, tz)
    contacts.learn(elem)
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


def _mms_sender(elem: ET.Element, contact: str, contacts: _Contacts) -> str:
    """Who sent a received MMS: the FROM address (type 137) of its parts, by name when the
    file names that number; a group id is never a sender."""
    for addr in elem.iter("addr"):
        address = _value(addr, "address")
        if addr.get("type") != _MMS_FROM or address in ("", "insert-address-token"):
            continue
        if not _is_group(address):
            return contacts.name(address, elem)
    return "unknown" if _is_group(contact) or "~" in elem.get("address", "") else contact


def _mms(elem: ET.Element, tz: ZoneInfo, ids: _Ids, contacts: _Contacts) -> Message | None:
    when = _time(elem, tz)
    contacts.learn(elem)
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
    sender = ME if sent else _mms_sender(elem, contact, contacts)
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


def _read(
    elem: ET.Element, tz: ZoneInfo, ids: _Ids, contacts: _Contacts, n: int, problems: Problems
) -> Message | None:
    """One <sms> or <mms>; a bad one is reported and skipped, never the file."""
    try:
        msg = (_sms if elem.tag == "sms" else _mms)(elem, tz, ids, contacts)
    except Exception as exc:  # noqa: BLE001 - one odd element never costs the backup
        problems.report(f"<{elem.tag}> number {n}: could not be read ({type(exc).__name__})")
        return None
    if msg is None and _time(elem, tz) is None:
        problems.report(f"<{elem.tag}> number {n}: no valid date")
    return msg


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    problems = Problems(ctx)
    fh = open_binary(path)
    reader = CappedRuns(CleanReader(fh, problems, xml=True))
    parser = ET.XMLPullParser(events=("start", "end"))
    ids = _Ids()
    contacts = _Contacts()
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
                        count += 1
                        msg = _read(elem, ctx.tz, ids, contacts, count, problems)
                        if msg is not None:
                            yield msg
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
