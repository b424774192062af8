"""The fixed sentences of answers in the question's language, and dates written in it.

English is the default and the wording the tests of the calendar know; another language's
sentences are its phrases/<lang>.toml ``[replies]`` table (a sentence it lacks stays
English). Only the fixed frame is translated: titles, places and quotes are the user's own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.timeparse import MONTHS, WEEKDAYS, Window, describe

_DIR = Path(__file__).with_name("phrases")

ENGLISH = {
    "no_calendar": "No calendar is indexed, so I cannot tell what you have on {label}.",
    "nothing_for": "Nothing on your calendar for {label}.",
    "nothing_is_on": "Nothing is on your calendar for {label}.",
    "busy_on": "Busy on {label}: {listed}.",
    "free_after_busy": " Free: {slots}.",
    "busy_after_free": " Busy: {listed}.",
    "no_free": "No free time of {length} or more on {label}.",
    "all_free": "Nothing is on your calendar for {label}; you are free: {slots}.",
    "free_on": "Free time on {label}: {slots}.",
    "next": "Next: {what}.",
    "all_day": "all day",
    "at": "at",
    "ends": "ends",
    "range": "{first} to {last}",
    "not_found": "I could not find that in your data.",
    "closest_sources": "The closest sources are:",
    "partial": "I could not find {what} in your data. Closest: {quote} [1]",
    "not_known_yet": "Not known yet: {quote} [1]",
    "not_stated": "Your data does not state it; it says: {quote} [1]",
    "hours": "{n} h",
    "minutes": "{n} minutes",
}


@dataclass(frozen=True)
class Replies:
    language: str
    sentences: dict[str, str]
    weekdays: tuple[str, ...]  # Monday first
    months: tuple[str, ...]  # January first, in the form a date uses ("3 декабря")
    day_format: str  # "{weekday} {day} {month} {year}"

    def say(self, key: str, **values: object) -> str:
        return self.sentences.get(key, ENGLISH[key]).format(**values)

    def day(self, d: date) -> str:
        if self.language == "en":
            return f"{d:%A} {d.day} {d:%B %Y}"
        return self.day_format.format(weekday=self.weekdays[d.weekday()], day=d.day,
                                      month=self.months[d.month - 1], month_number=d.month,
                                      year=d.year)

    def window(self, w: Window, tz: ZoneInfo) -> str:
        """A window in words, as timeparse.describe writes it in English."""
        if self.language == "en":
            return describe(w, tz)
        start, end = w.start.astimezone(tz), w.end.astimezone(tz)
        if w.whole_days:
            last = end.date() - timedelta(days=1)
            first = self.day(start.date())
            return first if last == start.date() else self.say("range", first=first,
                                                               last=self.day(last))
        if end - start <= timedelta(days=1) and (end - timedelta(microseconds=1)).date() == (
                start.date()):
            until = "24:00" if end.date() != start.date() else f"{end:%H:%M}"
            return f"{self.day(start.date())}, {start:%H:%M}–{until}"
        return self.say("range", first=f"{self.day(start.date())} {start:%H:%M}",
                        last=f"{self.day(end.date())} {end:%H:%M}")

    def length(self, length: timedelta) -> str:
        minutes = int(length.total_seconds() // 60)
        if minutes % 60 == 0 and minutes >= 60:
            return self.say("hours", n=minutes // 60)
        return self.say("minutes", n=minutes)


def _english() -> Replies:
    return Replies("en", dict(ENGLISH), tuple(w.capitalize() for w in WEEKDAYS),
                   tuple(m.capitalize() for m in MONTHS), "{weekday} {day} {month} {year}")


@cache
def load(language: str = "en") -> Replies:
    """The replies for ``language``; English where it has no table."""
    path = _DIR / f"{language}.toml"
    if language == "en" or not path.exists():
        return _english()
    table = tomllib.loads(path.read_text("utf-8")).get("replies")
    if not table:
        return _english()
    sentences = {k: v for k, v in table.items() if isinstance(v, str) and k in ENGLISH}
    return Replies(language, sentences, tuple(table["weekdays"]), tuple(table["months"]),
                   table["day_format"])


def hm(moment: datetime) -> str:
    return f"{moment:%H:%M}"
