"""Email text: charsets, RFC 2047 headers, HTML to clean text, hard-wrapped lines joined."""

from __future__ import annotations

import codecs
import re
from email.header import Header, decode_header
from html.parser import HTMLParser

_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|tr|rif|odp)(?:\[\d+\])?\s*:\s*|\[[^\]]{0,40}\]\s*)+",
    re.IGNORECASE,
)
# WHATWG: these labels mean windows-1252 in practice (curly quotes in "Latin-1" mail).
_CP1252_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "cp819", "iso_8859-1"}


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Text of ``data`` in ``charset`` (unknown labels: UTF-8, then windows-1252);
    the flag says bytes had to be replaced."""
    label = (charset or "").strip().strip("\"'").lower()
    if label in _CP1252_LABELS:
        label = "windows-1252"
    if label in ("", "us-ascii", "ascii", "unknown-8bit", "x-unknown"):
        label = "utf-8"  # mislabelled 8-bit mail is mostly UTF-8...
    try:
        codec = codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a NUL in the label
        codec = "utf-8"
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        if codec == "utf-8":
            try:
                return data.decode("windows-1252"), False  # ...and otherwise Windows text
            except UnicodeDecodeError:
                pass
        return data.decode(codec, errors="replace"), True


def header_text(value: object) -> str:
    """A header's text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8/1252."""
    if value is None:
        return ""
    raw = str(value)
    out: list[str] = []
    try:
        # A Header object is what compat32 returns for raw 8-bit headers: its chunks are
        # "unknown-8bit" bytes, read below as UTF-8 or windows-1252.
        parts = decode_header(value if isinstance(value, Header) else raw)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the raw text
        parts = [(raw, None)]
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset)[0])
        else:
            out.append(chunk)
    text = "".join(out) if len(parts) > 1 or isinstance(parts[0][0], bytes) else raw
    if any("\udc80" <= ch <= "\udcff" for ch in text):  # undeclared 8-bit bytes
        text = decode_bytes(text.encode("ascii", "surrogateescape"), None)[0]
    return " ".join(text.split())


def normalise_subject(subject: str) -> str:
    return " ".join(_REPLY_PREFIX.sub("", subject).split()).lower()


class _HtmlText(HTMLParser):
    """Visible text of an HTML mail: no scripts, styles, head or display:none blocks."""

    SKIP = re.compile(r"script|style|head|title|noscript|template|svg")
    BLOCK = re.compile(
        r"p|div|br|tr|table|h[1-6]|ul|ol|section|article|header|footer|blockquote|hr|pre|center"
    )
    VOID = re.compile(r"br|img|hr|meta|link|input|wbr|col|area|base|source")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        style = "".join((v or "") for k, v in attrs if k == "style").replace(" ", "").lower()
        hides = self.hidden or bool(self.SKIP.fullmatch(tag)) or "display:none" in style
        if not self.VOID.fullmatch(tag):
            self.stack.append((tag, hides))
        if hides:
            return
        if self.BLOCK.fullmatch(tag):
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if not self.hidden and self.BLOCK.fullmatch(tag):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u034f\u00ad\ufeff]")


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; this is a last resort
        return clean_text(re.sub(r"<[^>]*>", " ", html))
    return clean_text("".join(parser.parts))


_LIST_ITEM = re.compile(r"^\s*([-*•]|\d{1,2}[.)])\s")
# "Address: Rua da Fonte Taurina 34", "Total: €486.00": a labelled line of a booking
# or an invoice, never the continuation of the line before it
_LABELLED = re.compile(r"^\s*[^\W\d][\w .,/()'’&+#-]{0,30}:\s+\S")


def unwrap(text: str) -> str:
    """Hard-wrapped paragraphs (mail clients break lines at ~72 characters) joined back,
    so a sentence is not cut in two; quotes, lists and short lines stay as they are."""
    out: list[str] = []
    for line in text.split("\n"):
        prev = out[-1] if out else ""
        if (
            line.strip()
            and (len(prev) >= 50 or prev.endswith(" "))  # " ": a format=flowed soft break
            and prev.strip()
            and not prev.startswith(">")
            and not line.startswith(">")
            and not _LIST_ITEM.match(line)
            and not _LABELLED.match(line)
        ):
            out[-1] = prev.rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def clean_text(text: str) -> str:
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\xa0", " "))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
