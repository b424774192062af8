"""Typed records that source parsers produce and the chunker consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Section:
    """A run of note text under one heading path, with its 1-based line range."""

    heading_path: tuple[str, ...]
    text: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Note:
    """A Markdown, text or Org note split into heading sections."""

    title: str
    sections: tuple[Section, ...]
    tags: tuple[str, ...] = ()
    date: datetime | None = None


@dataclass(frozen=True)
class EventSpan:
    """One occurrence of an event: timed (aware datetimes) or all-day (dates, end exclusive).

    ``title``/``location`` are set only when an override changed them.
    ``busy`` is False for all-day and TRANSP:TRANSPARENT events: they block no time.
    ``recurrence_id`` is set when an override moved the occurrence: the instance it
    replaces. With the start it identifies the occurrence, so two occurrences on one
    slot (two overrides moved there) stay two.
    """

    start: datetime | date
    end: datetime | date
    all_day: bool
    busy: bool = True
    title: str | None = None
    location: str | None = None
    recurrence_id: datetime | date | None = None


@dataclass(frozen=True)
class Event:
    """One calendar event series (a master VEVENT plus its overrides) from an .ics file.

    ``ics`` is a self-contained VCALENDAR (with the VTIMEZONEs it needs) holding the
    master and every RECURRENCE-ID override of this UID, so occurrences can be
    expanded at query time. ``first_start``/``last_end`` bound every occurrence
    (``last_end`` is None for a series without end) so queries can skip it cheaply.
    """

    uid: str
    title: str
    start: datetime | date
    end: datetime | date
    all_day: bool
    ics: str
    first_start: datetime
    last_end: datetime | None
    location: str | None = None
    description: str | None = None
    attendees: tuple[str, ...] = ()
    recurring: bool = False
    locator: str = ""
    # Occurrences expanded at index time, complete over ``covered`` = (from, until); None
    # on either side means "from the first" / "to the last". ``covered`` None: not expanded.
    occurrences: tuple[EventSpan, ...] = ()
    covered: tuple[datetime | None, datetime | None] | None = None
    cancelled: bool = False  # STATUS:CANCELLED: kept to say so, never on the calendar


@dataclass(frozen=True)
class Message:
    """One chat message or email, with a time-zone-aware timestamp."""

    id: str  # stable within its file: used as the locator
    chat: str  # chat name, or email thread key
    sender: str
    time: datetime
    text: str
    kind: str = "message"  # "message" | "email"
    recipients: tuple[str, ...] = ()
    subject: str | None = None
    attachments: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


Record = Note | Event | Message


@dataclass(frozen=True)
class Chunk:
    """A unit of retrieval: text to embed and index, with where it came from."""

    ordinal: int
    kind: str  # "note" | "event" | "message" | "email"
    text: str
    locator: str
    title: str | None = None
    time: datetime | None = None
    time_end: datetime | None = None
    senders: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
