"""One raw email -> a Message: the bounded MIME walk, attachments, dates, thread keys.

Shared by the mbox and .eml parsers. Bounded on purpose: a message is buffered up to
SOFT_CAP bytes, after which base64 lines are dropped (attachments are only ever named,
never decoded) and past HARD_CAP everything but MIME boundaries; a text part larger than
MAX_TEXT_PART is cut; MIME nesting deeper than MAX_DEPTH is not walked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import quopri
import re
from collections import OrderedDict
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header
from email.message import Message as MimeMessage
from email.utils import getaddresses, parsedate_to_datetime

from assistant.records import Message
from assistant.sources.email_text import (
    clean_text,
    decode_bytes,
    header_text,
    html_to_text,
    normalise_subject,
    unwrap,
)
from assistant.sources.exports import Problems

SOFT_CAP = 2 << 20  # text parts come first; past this only attachments are left
HARD_CAP = 16 << 20
MAX_TEXT_PART = 1 << 20  # encoded bytes of one text part that are decoded
MAX_BODY = 100_000  # characters of body text indexed per email
MAX_DEPTH = 12
MAX_PARTS = 300
MAX_RECIPIENTS = 20
THREAD_MEMORY = 20_000  # message ids / subjects remembered per file for threading

_BASE64_LINE = re.compile(rb"^[A-Za-z0-9+/=]{40,}\r?\n?$")
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:")
_MSGID = re.compile(r"<[^<>\s]{1,250}>")


class RawMessage:
    """The bytes of one email, collected line by line within the caps."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.lines: list[bytes] = []
        self.size = 0
        self.dropped = 0

    def add(self, line: bytes) -> None:
        if self.size > SOFT_CAP and (
            _BASE64_LINE.match(line) or (self.size > HARD_CAP and not line.startswith(b"--"))
        ):
            self.dropped += len(line)
            return
        self.lines.append(line)
        self.size += len(line)

    def skipped(self) -> str:
        """The report for a message that went past the caps."""
        return (
            f"larger than {SOFT_CAP >> 20} MB; {self.dropped / 1e6:.0f} MB of attachment "
            "data skipped"
        )

    def data(self) -> bytes:
        return b"".join(repair_headers(self.lines))


MAX_HEADER_LINES = 2000


def repair_headers(lines: list[bytes]) -> list[bytes]:
    """The lines with a badly folded header block put right. Exchange and some exporters
    fold long headers without the leading space; the stdlib parser would take such a line
    for the start of the body and lose every header after it. A stray line is joined to
    the header before it, unless no header follows it and no blank line ends the block
    (then the body starts there); lines before the first header ("Microsoft Mail Internet
    Headers Version 2.0") are dropped."""
    end = min(len(lines), MAX_HEADER_LINES)
    stray = blank = False
    for i, line in enumerate(lines[:end]):
        if not line.strip():
            end, blank = i, True
            break
        if not (_HEADER_LINE.match(line) or line[:1] in (b" ", b"\t")):
            stray = True
    if not stray:
        return lines
    block = lines[:end]
    headers = [i for i, line in enumerate(block) if _HEADER_LINE.match(line)]
    if not headers:
        return lines
    first, last = headers[0], headers[-1]
    fixed = []
    for i, line in enumerate(block[first:], start=first):
        if _HEADER_LINE.match(line) or line[:1] in (b" ", b"\t"):
            fixed.append(line)
        elif i > last and not blank:
            fixed.append(b"\n")  # no blank line and no header after it: the body starts
            fixed.extend(block[i:])
            break
        else:
            fixed.append(b" " + line)
    return fixed + lines[end:]


# --- MIME -------------------------------------------------------------------------------


def _raw_payload(part: MimeMessage) -> object:
    """``part.get_payload()``; a charset name the stdlib cannot even look up (a NUL in it
    raises ValueError there) is replaced by UTF-8 first."""
    try:
        return part.get_payload()
    except ValueError:
        part.set_param("charset", "utf-8")
        return part.get_payload()


def _payload(part: MimeMessage, limit: int) -> bytes:
    """The decoded bytes of a leaf part, decoding at most ``limit`` encoded bytes."""
    raw = _raw_payload(part)
    if not isinstance(raw, str):
        return b""
    if len(raw) <= limit:
        data = part.get_payload(decode=True)
        return data if isinstance(data, bytes) else b""
    raw = raw[:limit]
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    as_bytes = raw.encode("ascii", "surrogateescape")
    if cte == "base64":
        compact = re.sub(rb"[^A-Za-z0-9+/]", b"", as_bytes)
        try:
            return base64.b64decode(compact[: len(compact) // 4 * 4])
        except (binascii.Error, ValueError):
            return b""
    if cte == "quoted-printable":
        return quopri.decodestring(as_bytes)
    return as_bytes


def _filename(part: MimeMessage) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - broken RFC 2231 parameters
        name = None
    if name is None:
        name = part.get_param("name") if isinstance(part.get_param("name"), str) else None
    return header_text(name) if name else None


class _Body:
    def __init__(self, where: str, problems: Problems) -> None:
        self.where = where
        self.problems = problems
        self.texts: list[str] = []
        self.attachments: list[str] = []
        self.parts = 0
        self.too_deep = False

    def walk(self, part: MimeMessage, depth: int = 0) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            return
        if depth > MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.problems.report(f"{self.where}: MIME nested too deeply; inner parts skipped")
            return
        ctype = part.get_content_type()
        payload = _raw_payload(part)
        if part.is_multipart() and isinstance(payload, list):
            if ctype == "multipart/alternative":
                self._alternative(payload, depth)
            else:
                for sub in payload:
                    if isinstance(sub, MimeMessage):
                        self.walk(sub, depth + 1)
            return
        if ctype == "message/rfc822" and isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, MimeMessage):
                    self.texts.append(
                        f"Forwarded message from {header_text(sub.get('from'))}: "
                        f"{header_text(sub.get('subject'))}"
                    )
                    self.walk(sub, depth + 1)
            return
        disposition = str(part.get("content-disposition", "")).split(";")[0].strip().lower()
        if ctype not in ("text/plain", "text/html") or disposition == "attachment":
            if part.get("content-id") and disposition != "attachment":
                return  # an inline image of an HTML mail (a logo): nothing anyone sent
            self.attachments.append(_filename(part) or f"unnamed {ctype}")
            return
        text = self._text(part)
        if text:
            self.texts.append(text)

    def _text(self, part: MimeMessage) -> str:
        raw = _raw_payload(part)
        if isinstance(raw, str) and len(raw) > MAX_TEXT_PART:
            self.problems.report(
                f"{self.where}: a text part of {len(raw) / 1e6:.0f} MB was cut to 1 MB"
            )
        data = _payload(part, MAX_TEXT_PART)
        text, replaced = decode_bytes(data, part.get_content_charset())
        if replaced:
            self.problems.report(
                f"{self.where}: text is not valid {part.get_content_charset()}; bad bytes replaced"
            )
        if part.get_content_type() == "text/html":
            return html_to_text(text)
        return clean_text(unwrap(text.replace("\r\n", "\n")))

    def _alternative(self, parts: list, depth: int) -> None:
        plain = html = None
        for sub in parts:
            if not isinstance(sub, MimeMessage):
                continue
            ctype = sub.get_content_type()
            if ctype == "text/plain" and plain is None:
                plain = sub
            elif ctype == "text/html" and html is None:
                html = sub
            elif sub.is_multipart() and html is None:
                html = sub  # multipart/related around the HTML version
        plain_text = self._text(plain) if plain is not None else ""
        if html is not None and len(plain_text) < 200:
            # A stub plain part ("open this mail in a browser") loses to a real HTML one.
            rich = _Body(self.where, self.problems)
            rich.parts = self.parts
            rich.walk(html, depth + 1)
            self.parts = rich.parts
            if len("".join(rich.texts)) > 2 * len(plain_text):
                self.texts.extend(rich.texts)
                self.attachments.extend(rich.attachments)
                return
        if plain_text:
            self.texts.append(plain_text)


# --- threads ----------------------------------------------------------------------------


class Threads:
    """Thread keys: the root Message-ID from References/In-Reply-To (so separate .eml files
    of one thread agree), else the thread of an earlier message with the same normalised
    subject in this file, else the message's own id."""

    def __init__(self) -> None:
        self.by_id: OrderedDict[str, str] = OrderedDict()
        self.by_subject: OrderedDict[str, str] = OrderedDict()

    def key(self, msg_id: str, refs: list[str], subject: str) -> str:
        key = None
        for ref in reversed(refs):
            if ref in self.by_id:
                key = self.by_id[ref]
                break
        norm = normalise_subject(subject)
        if key is None and refs:
            key = f"thread:{refs[0]}"
        if key is None and norm and norm in self.by_subject:
            key = self.by_subject[norm]
        if key is None:
            key = f"thread:{msg_id}"
        self._remember(self.by_id, msg_id, key)
        if norm:
            self._remember(self.by_subject, norm, key)
        return key

    @staticmethod
    def _remember(memory: OrderedDict[str, str], k: str, v: str) -> None:
        memory.setdefault(k, v)
        memory.move_to_end(k)
        if len(memory) > THREAD_MEMORY:
            memory.popitem(last=False)


# --- the record -------------------------------------------------------------------------


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # "-0000": UTC, local zone unknown
    return when if 1971 <= when.year <= 2200 else None


def _hstr(value: object) -> str:
    # Raw text keeps RFC 2047 words intact for address parsing (a decoded name may hold
    # a comma); an 8-bit Header is decoded first since it has no encoded words.
    return header_text(value) if isinstance(value, Header) else str(value)


_DISPLAY = re.compile(r"^\s*\"?([^\"<]*?)\"?\s*<")


def _addresses(raw: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of one header value. What getaddresses cannot read
    (``a!b@c@d`` gives ``@d``; deeply nested comments exhaust its recursion) is kept
    whole: its display part, else the full odd address."""
    try:
        pairs = getaddresses([raw])
    except (RecursionError, ValueError, IndexError):
        pairs = []
    readable = all((name or addr) and not addr.startswith("@") for name, addr in pairs)
    if pairs and readable and sum(len(n) + len(a) for n, a in pairs) * 3 >= len(raw.strip()):
        return pairs
    display = _DISPLAY.match(raw)
    if display and display.group(1).strip():
        return [(display.group(1).strip(), "")]
    whole = " ".join(raw.split()).strip('<>" ')
    return [("", whole[:200])] if whole else []


def _names(values: list[object]) -> list[str]:
    out: list[str] = []
    for value in values:
        for name, addr in _addresses(_hstr(value)):
            label = header_text(name) or addr.strip()
            if label and label not in out:
                out.append(label)
    return out


def to_message(
    raw: bytes,
    where: str,
    problems: Problems,
    threads: Threads,
    fallback_time: datetime | None = None,
    fallback_label: str = "the mbox 'From ' line",
) -> Message | None:
    """The Message of one raw email, or None (reported) when nothing usable is in it."""
    try:
        mime = message_from_bytes(raw)
    except RecursionError:
        problems.report(f"{where}: MIME nested too deeply; skipped")
        return None
    if not _HEADER_LINE.match(raw[:80]) and not mime.keys():
        problems.report(f"{where}: no email headers; skipped")
        return None
    body = _Body(where, problems)
    try:
        body.walk(mime)
    except RecursionError:
        problems.report(f"{where}: MIME nested too deeply; skipped")
        return None
    subject = header_text(mime.get("subject"))
    senders = _names(mime.get_all("from", [])) or _names(mime.get_all("sender", []))
    sender = senders[0] if senders else "unknown sender"
    recipients = _names(mime.get_all("to", []) + mime.get_all("cc", []))
    when = _date(mime.get("date"))
    if when is None:
        for received in mime.get_all("received", []):
            when = _date(str(received).rpartition(";")[2])
            if when:
                break
    if when is None:
        when = fallback_time
        problems.report(
            f"{where}: no valid Date header; "
            + (f"dated by {fallback_label}" if when else "skipped")
        )
        if when is None:
            return None
    text = "\n\n".join(t for t in body.texts if t)
    if len(text) > MAX_BODY:
        problems.report(f"{where}: text longer than {MAX_BODY} characters; the rest not indexed")
        text = text[:MAX_BODY]
    ids = _MSGID.findall(str(mime.get("message-id", "")))
    if ids:
        msg_id = ids[0][1:-1]
    else:
        digest = hashlib.sha256(
            "\x00".join([when.isoformat(), sender, subject, text[:2000]]).encode(
                "utf-8", "surrogatepass"
            )
        ).hexdigest()
        msg_id = f"sha:{digest[:16]}"
    refs = [r[1:-1] for r in _MSGID.findall(str(mime.get("references", "")))]
    refs += [r[1:-1] for r in _MSGID.findall(str(mime.get("in-reply-to", "")))[:1]]
    return Message(
        id=msg_id,
        chat=threads.key(msg_id, refs, subject),
        sender=sender,
        time=when,
        text=text,
        kind="email",
        recipients=tuple(recipients[:MAX_RECIPIENTS]),
        subject=subject or None,
        attachments=tuple(body.attachments),
        meta={"message_id": msg_id},
    )
