"""Shared helpers of the message-export parsers: bounded lines, capped problems, clean bytes."""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from assistant.sources import ParseContext

MAX_LINE = 1 << 20  # bytes of one physical line kept; the rest of a longer line is dropped
MAX_TEXT = 20_000  # characters of one chat message kept
MAX_PROBLEMS = 50  # reported per file; the rest are counted in one last line


class Problems:
    """Per-file problem reports, capped so a file of 200k bad lines cannot flood the index."""

    def __init__(self, ctx: ParseContext, limit: int = MAX_PROBLEMS) -> None:
        self.ctx = ctx
        self.limit = limit
        self.count = 0

    def report(self, problem: str) -> None:
        self.count += 1
        if self.count <= self.limit:
            self.ctx.report(problem)

    def close(self) -> None:
        if self.count > self.limit:
            self.ctx.report(f"... and {self.count - self.limit} more problems of this kind")
            self.count = self.limit  # closing twice adds nothing


def bounded_lines(fh: BinaryIO, limit: int = MAX_LINE) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, was cut) for each line; a line longer than ``limit`` is cut,
    never read whole into memory (a 50 MB line costs ``limit`` bytes, not 50 MB)."""
    lineno = 0
    while True:
        line = fh.readline(limit)
        if not line:
            return
        lineno += 1
        cut = False
        if len(line) >= limit and not line.endswith(b"\n"):
            cut = True
            while True:  # skip to the end of this physical line
                rest = fh.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
        yield lineno, line, cut


def decode_line(data: bytes, lineno: int, problems: Problems) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.report(
            f"line {lineno}, byte {exc.start + 1}: not valid UTF-8; the bad bytes were replaced"
        )
        return data.decode("utf-8", errors="replace")


def short_hash(*parts: str, n: int = 8) -> str:
    digest = hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"), digest_size=8)
    return digest.hexdigest()[:n]


class StableIds:
    """Ids from (time, content) that survive a re-export; equal twins get "-2", "-3"...

    Only messages with the same timestamp can collide, so memory is one timestamp's worth.
    """

    def __init__(self) -> None:
        self._stamp = ""
        self._seen: dict[str, int] = {}

    def make(self, when: datetime, *content: str) -> str:
        stamp = when.strftime("%Y%m%dT%H%M%S")
        if stamp != self._stamp:
            self._stamp, self._seen = stamp, {}
        base = f"{stamp}-{short_hash(*content, n=6)}"
        n = self._seen.get(base, 0) + 1
        self._seen[base] = n
        return base if n == 1 else f"{base}-{n}"


# --- a byte stream made safe for strict parsers (expat, yajl) ---------------------------

_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]{1,8}|[0-9]{1,10});")
_PAIR_REF = re.compile(
    r"&#(x[dD][89abAB][0-9a-fA-F]{2}|5[56][0-9]{3});&#(x[dD][c-fC-F][0-9a-fA-F]{2}|5[67][0-9]{3});"
)
# Characters XML 1.0 forbids even when escaped; SMS bodies carry them (ESC, form feeds...).
# The end of a block that may continue in the next one: an unfinished reference, or the
# high half of a surrogate pair whose low half has not been read yet.
_TAIL = re.compile(
    r"(?:&#(?:x[dD][89abAB][0-9a-fA-F]{2}|5[56][0-9]{3});)?(?:&#?[0-9a-zA-Z]{0,10})?$"
)
_XML_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _ref_value(token: str) -> int:
    return int(token[1:], 16) if token[0] in "xX" else int(token)


def _xml_ok(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD)
        or 0x20 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0x10000 <= cp <= 0x10FFFF
    )


def _fix_pair(m: re.Match[str]) -> str:
    hi, lo = _ref_value(m.group(1)), _ref_value(m.group(2))
    if 0xD800 <= hi <= 0xDBFF and 0xDC00 <= lo <= 0xDFFF:
        return f"&#{0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)};"
    return m.group(0)  # not a pair after all: _fix_ref deals with each half


def _fix_ref(m: re.Match[str]) -> str:
    return m.group(0) if _xml_ok(_ref_value(m.group(1))) else "&#65533;"


class CleanReader:
    """A binary reader that hands on valid UTF-8 only (bad bytes become U+FFFD, the first
    one reported with its byte offset). With ``xml=True`` it also rewrites what Android
    backup apps write but XML forbids: emoji as UTF-16 surrogate pairs of character
    references (``&#55357;&#56832;``) become one reference, and forbidden control
    characters become U+FFFD. ``offset`` is the number of raw bytes consumed so far."""

    BLOCK = 1 << 20

    def __init__(self, raw: BinaryIO, problems: Problems, *, xml: bool = False) -> None:
        self.raw = raw
        self.problems = problems
        self.xml = xml
        self.offset = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._carry = ""  # text held back: it may end inside a character reference
        self._out = b""
        self._pos = 0  # bytes of _out already handed on
        self._eof = False
        self._bad_reported = False

    def _decode(self, data: bytes, final: bool) -> str:
        try:
            return self._decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            if not self._bad_reported:
                self._bad_reported = True
                where = self.offset - len(data) + exc.start + 1
                self.problems.report(
                    f"byte {max(where, 1)}: not valid UTF-8; the bad bytes were replaced"
                )
            self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            return self._decoder.decode(data, final)

    def _fill(self) -> None:
        data = self.raw.read(self.BLOCK)
        self.offset += len(data)
        final = not data
        text = self._carry + self._decode(data, final)
        self._carry = ""
        if self.xml:
            if not final:
                tail = _TAIL.search(text, max(0, len(text) - 40))
                if tail is not None and tail.start() < len(text):
                    text, self._carry = text[: tail.start()], text[tail.start() :]
            text = _PAIR_REF.sub(_fix_pair, text)
            text = _CHAR_REF.sub(_fix_ref, text)
            text = _XML_BAD_CHARS.sub("\ufffd", text)
        self._out += text.encode("utf-8")
        self._eof = final

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._out) - self._pos < n):
            if self._pos:
                self._out, self._pos = self._out[self._pos :], 0
            self._fill()
        end = len(self._out) if n < 0 else self._pos + n
        out = self._out[self._pos : end]
        self._pos = min(end, len(self._out))
        return out


class CappedRuns:
    """Cuts every run of bytes between two double quotes to ``cap`` bytes: an XML attribute
    value or a JSON string can be megabytes long (MMS photos travel as base64 ``data``
    attributes), and expat 2.5 and yajl rescan an unfinished token on every read, which is
    quadratic. Dropping quote-free bytes never moves a quote, so the document keeps its
    shape; a cut never splits a UTF-8 sequence, a character reference or a JSON escape.
    The input must be valid UTF-8 (a CleanReader's output)."""

    def __init__(self, reader: CleanReader, cap: int = 256 << 10) -> None:
        self.reader = reader
        self.cap = cap
        self.run = 0  # quote-free bytes at the end of what was read so far
        # A quote then ``cap`` more quote-free bytes: linear to search, unlike [^"]{n,}.
        self._long = re.compile(rb'"[^"]{%d}' % cap)

    @property
    def offset(self) -> int:
        return self.reader.offset

    def read(self, n: int = -1) -> bytes:
        while True:  # an empty result means the end, so a block cut to nothing reads on
            block = self.reader.read(n)
            if not block:
                return block
            out = self._cap(block)
            if out:
                return out

    def _cap(self, block: bytes) -> bytes:
        first = block.find(b'"')
        lead = len(block) if first < 0 else first
        if self.run + lead <= self.cap and not self._long.search(block):
            last = block.rfind(b'"')
            self.run = self.run + len(block) if last < 0 else len(block) - last - 1
            return block
        out: list[bytes] = []
        for i, part in enumerate(block.split(b'"')):
            if i:
                out.append(b'"')
                self.run = 0
            room = self.cap - self.run
            self.run += len(part)
            out.append(part if len(part) <= room else _safe_cut(part[: max(room, 0)]))
        return b"".join(out)


def _safe_cut(kept: bytes) -> bytes:
    amp = kept.rfind(b"&", max(0, len(kept) - 12))
    if amp >= 0 and b";" not in kept[amp:]:
        kept = kept[:amp]
    slash = kept.rfind(b"\\", max(0, len(kept) - 6))
    if slash >= 0:
        kept = kept[:slash]
    kept = kept.rstrip(b"\\")
    while kept and (kept[-1] & 0xC0) == 0x80:  # continuation bytes of a cut character
        kept = kept[:-1]
    if kept and kept[-1] >= 0xC0:  # its lead byte
        kept = kept[:-1]
    return kept
