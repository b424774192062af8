"""Markdown, plain-text and Org notes: front matter, title and heading sections."""

from __future__ import annotations

import re
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

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ORG_HEADING = re.compile(r"^(\*{1,6})\s+(.+?)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ORG_KEYWORD = re.compile(r"^#\+(\w+):\s*(.*)$", re.IGNORECASE)


def detect(path: Path, head: bytes) -> bool:
    if path.suffix.lower() not in SUFFIXES:
        return False
    return b"\x00" not in head[:8192]  # binary data with a text suffix is not a note


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(
                path, f"too large for a note ({size / 1e6:.0f} MB > {MAX_BYTES / 1e6:.0f} MB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise cannot_read(path, exc) from None
    if b"\x00" in data:
        raise SourceError(path, "contains NUL bytes; not a text file")
    for encoding in ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise SourceError(
                path, f"not valid UTF-8 (byte {exc.start}); save it as UTF-8 to index it"
            ) from None
    raise AssertionError("unreachable")


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
