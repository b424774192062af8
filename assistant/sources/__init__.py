"""Source formats: detection by content and the parser interface every format implements.

A format module exposes ``NAME``, ``FAMILY`` ("notes" | "calendar" | "messages"),
``detect(path, head) -> bool`` (``head`` = the file's first 64 KiB) and
``parse(path, ctx) -> Iterator[Record]``. ``parse`` streams: it never needs the
whole file in memory for large formats. A problem with one item (one event, one
message) is reported with ``ctx.report("line 12: ...")`` and parsing goes on; a
problem with the whole file raises ``SourceError(path, problem)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo

from assistant.errors import SourceError
from assistant.records import Record

HEAD_BYTES = 64 * 1024


@dataclass
class ParseContext:
    """What a parser may need besides the file: the user's zone, a problem sink."""

    tz: ZoneInfo
    problems: list[str] = field(default_factory=list)
    on_problem: Callable[[str], None] | None = None

    def report(self, problem: str) -> None:
        problem = " ".join(problem.split())  # one line, whatever a library put in it
        self.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)


def cannot_read(path: Path, exc: OSError) -> SourceError:
    """The one-line error for a file the system will not let us read."""
    return SourceError(path, f"cannot read ({exc.strerror or exc})")


def open_binary(path: Path) -> BinaryIO:
    """``path`` opened for reading, or a SourceError naming it."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise cannot_read(path, exc) from None


class Format(Protocol):
    NAME: str
    FAMILY: str

    def detect(self, path: Path, head: bytes) -> bool: ...

    def parse(self, path: Path, ctx: ParseContext) -> Iterator[Record]: ...


# Order matters: the first format whose detect() accepts a file wins. Specific,
# content-detected formats come before the catch-all notes formats.
_FORMAT_MODULES = (
    "assistant.sources.ics",
    "assistant.sources.mbox",
    "assistant.sources.eml",
    "assistant.sources.whatsapp",
    "assistant.sources.sms_xml",
    "assistant.sources.telegram",
    "assistant.sources.notes",
)

FAMILIES = {"notes": ("notes",), "calendar": ("calendar",), "messages": ("messages",)}


def all_formats() -> list[ModuleType]:
    mods = []
    for name in _FORMAT_MODULES:
        try:
            mods.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency, not a format not written yet
                raise
    return mods


def detect_format(path: Path, head: bytes, source_kind: str) -> ModuleType | None:
    """The format that will parse ``path`` in a source of ``source_kind``, or None to skip."""
    for fmt in all_formats():
        if source_kind != "auto" and source_kind != fmt.FAMILY:
            continue
        if fmt.detect(path, head):
            return fmt
    return None


IGNORED_PREFIXES = (".", "~", "#")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload", ".lock", ".bak")


def is_ignored(path: Path) -> bool:
    """Hidden, editor temp and lock files, anywhere in the path."""
    for part in path.parts[1:] if path.is_absolute() else path.parts:
        if part.startswith(IGNORED_PREFIXES):
            return True
    name = path.name
    return name.endswith(IGNORED_SUFFIXES) or (name.startswith(".#"))
