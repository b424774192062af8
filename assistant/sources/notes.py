"""Markdown, plain-text and Org notes: front matter, title and heading sections."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import yaml

from assistant.errors import SourceError
from assistant.records import Note, Section
from assistant.sources import ParseContext, cannot_read

NAME = "notes"
FAMILY = "notes"
SUFFIXES = (".md", ".markdown", ".txt", ".org")
MAX_BYTES = 20 * 1024 * 1024  # a "note" larger than this is an export or a dump, not a note
_MIB = 1024 * 1024
# UTF-16 notes (Windows Notepad's "Unicode") carry a byte-order mark and many NUL bytes.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ORG_HEADING = re.compile(r"^(\*{1,6})\s+(.+?)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ORG_KEYWORD = re.compile(r"^#\+(\w+):\s*(.*)$", re.IGNORECASE)


def _is_binary(head: bytes) -> bool:
    return not head.startswith(_UTF16_BOMS) and b"\x00" in head[:8192]


def detect(path: Path, head: bytes) -> bool:
    if path.suffix.lower() not in SUFFIXES:
        return False
    return not _is_binary(head)  # binary data with a text suffix is not a note


def skip_reason(path: Path, head: bytes) -> str | None:
    """A file named like a note that holds binary data is listed as skipped, not lost."""
    if path.suffix.lower() in SUFFIXES and _is_binary(head):
        return "binary data, not a text note"
    return None


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            # Worded in the unit the limit is enforced in (MiB, 1024 x 1024 bytes).
            raise SourceError(
                path,
                f"too large for a note ({size / _MIB:.1f} MiB; the limit is "
                f"{MAX_BYTES // _MIB} MiB)",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise cannot_read(path, exc) from None
    return decode(data, path)


def decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 / Latin-1.

    Bytes that are not UTF-8 are almost always a Western European legacy encoding in
    notes; Windows-1252 is Latin-1 plus typographic quotes and the euro sign in
    0x80-0x9F, and Latin-1 reads the five bytes Windows-1252 leaves undefined.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(path, f"not valid UTF-16 (byte {exc.start})") from None
        if not _reads_as_text(text):
            raise SourceError(
                path,
                "starts with a UTF-16 byte-order mark but is not UTF-16 text; save it as "
                "UTF-8 to index it",
            )
        return text
    if b"\x00" in data:
        raise SourceError(path, "contains NUL bytes; not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _reads_as_text(text: str) -> bool:
    """Any bytes of even length decode as UTF-16; text has no unassigned or control code
    points besides line breaks and tabs."""
    for ch in text:
        if ch in "\t\n\r\f":
            continue
        if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"):
            return False
    return True


def _as_datetime(value: object, ctx: ParseContext) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ctx.tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=ctx.tz)
    if isinstance(value, str):
        try:
            return _as_datetime(datetime.fromisoformat(value.strip()), ctx)
        except ValueError:
            return None
    return None


def _front_matter(lines: list[str], path: Path, ctx: ParseContext) -> tuple[dict, int]:
    """YAML front matter between '---' lines; returns (fields, lines consumed)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:i])) or {}
            except RecursionError:  # absurdly nested YAML
                ctx.report("front matter is nested too deeply; treated as text")
                return {}, 0
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f"line {mark.line + 2}" if mark else "front matter"
                ctx.report(f"{where}: front matter is not valid YAML; treated as text")
                return {}, 0
            if not isinstance(data, dict):
                ctx.report("front matter is not a mapping; ignored")
                return {}, i + 1
            return data, i + 1
    return {}, 0


def _tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(t.strip().lstrip("#") for t in re.split(r"[,\s]+", value) if t.strip())
    if isinstance(value, list):
        return tuple(str(t).strip().lstrip("#") for t in value if str(t).strip())
    return ()


def parse(path: Path, ctx: ParseContext) -> Iterator[Note]:
    text = read_text(path)
    yield parse_text(text, path, ctx)


def parse_text(text: str, path: Path, ctx: ParseContext) -> Note:
    lines = text.splitlines()
    is_org = path.suffix.lower() == ".org"
    meta, body_start = _front_matter(lines, path, ctx)

    org_meta: dict[str, str] = {}
    heading_re = _ORG_HEADING if is_org else _MD_HEADING
    if path.suffix.lower() == ".txt":
        heading_re = _MD_HEADING  # plain text: honour Markdown-style headings if present

    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []
    buf_start = body_start + 1
    first_heading: str | None = None
    in_fence = False

    def flush(end_line: int) -> None:
        body = "\n".join(buf).strip()
        if body:
            sections.append(
                Section(
                    heading_path=tuple(h for _, h in stack),
                    text=body,
                    start_line=buf_start,
                    end_line=end_line,
                )
            )

    for idx in range(body_start, len(lines)):
        line = lines[idx]
        lineno = idx + 1
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else heading_re.match(line)
        if is_org and not in_fence:
            kw = _ORG_KEYWORD.match(line)
            if kw:
                org_meta[kw.group(1).lower()] = kw.group(2).strip()
                continue
        if match:
            flush(lineno - 1)
            buf = []
            buf_start = lineno + 1
            level = len(match.group(1))
            title = match.group(2).strip()
            if first_heading is None and level == 1:
                first_heading = title
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            continue
        if not buf and not line.strip():
            buf_start = lineno + 1
            continue
        buf.append(line)
    flush(len(lines))

    title = str(meta.get("title") or org_meta.get("title") or first_heading or path.stem).strip()
    when = _as_datetime(meta.get("date") or org_meta.get("date"), ctx)
    if when is None:
        m = _DATE_IN_NAME.search(path.stem)
        if m:
            try:
                when = datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=ctx.tz)
            except ValueError:
                when = None
    return Note(
        title=title,
        sections=tuple(sections),
        tags=_tags(meta.get("tags") or org_meta.get("filetags")),
        date=when,
    )
