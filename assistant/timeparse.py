"""Natural-language time windows ("next Tuesday", "in December") -> [start, end) in the user's zone.

A small explicit grammar instead of dateparser: every phrase below is tested with a
fixed ``now``, and a phrase we do not know is an error rather than a guess.
``prefer`` settles phrases that name no year or week ("Friday", "3 December",
"in October"): a calendar agenda looks forward ("future"), a search filter over
messages looks back ("past"); today / this month always count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from assistant.errors import AssistantError

Prefer = Literal["future", "past"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WD_ABBR = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3,
            "thurs": 3, "fri": 4, "sat": 5, "sun": 6}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
MONTH_AND_DAY_NAMES = frozenset((*MONTHS, *WEEKDAYS))
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
PARTS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24), "night": (18, 24),
         "arvo": (12, 18)}  # (Australian for the afternoon)
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14}

_WD = "(?P<wd>" + "|".join(WEEKDAYS) + ")"
_WD_ANY = "(?:" + "|".join(WEEKDAYS + tuple(_WD_ABBR)) + r")\.?"
_MON_FULL = "(?P<mon>" + "|".join(MONTHS) + ")"
_MON_ANY = "(?P<mon>" + "|".join(MONTHS + tuple(_MONTH_ABBR)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_NUM = r"(?P<n>\d{1,3}|" + "|".join(NUMBERS) + ")"


@dataclass(frozen=True)
class Window:
    """A half-open time range [start, end) of aware datetimes in the user's zone."""

    start: datetime
    end: datetime
    day: date | None = None  # set when the window is exactly one calendar day

    @property
    def whole_days(self) -> bool:
        return self.start.timetz().replace(tzinfo=None) == time(0) and (
            self.end.timetz().replace(tzinfo=None) == time(0)
        )


@dataclass(frozen=True)
class _Ctx:
    now: datetime
    tz: ZoneInfo
    prefer: Prefer
    strict: bool  # inside a longer sentence: bare weekdays and months need a preposition

    @property
    def today(self) -> date:
        return self.now.date()


def midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz)


def day_window(d: date, tz: ZoneInfo) -> Window:
    return Window(midnight(d, tz), midnight(d + timedelta(days=1), tz), day=d)


def days_window(first: date, last_exclusive: date, tz: ZoneInfo) -> Window:
    if last_exclusive - first == timedelta(days=1):
        return day_window(first, tz)
    return Window(midnight(first, tz), midnight(last_exclusive, tz))


def _month_window(year: int, month: int, tz: ZoneInfo) -> Window:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return days_window(date(year, month, 1), nxt, tz)


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _num(text: str) -> int:
    return int(text) if text.isdigit() else NUMBERS[text]


def _weekday_index(name: str) -> int:
    name = name.rstrip(".")
    return WEEKDAYS.index(name) if name in WEEKDAYS else _WD_ABBR[name]


def _month_index(name: str) -> int:
    name = name.rstrip(".")
    return MONTHS.index(name) + 1 if name in MONTHS else _MONTH_ABBR[name]


# --- rules: each turns a regex match into a Window (or None when the match is no date) --------

Rule = tuple[re.Pattern[str], Callable[[re.Match[str], _Ctx], Window | None]]
_RULES: list[Rule] = []


def _rule(pattern: str) -> Callable[[Callable[[re.Match[str], _Ctx], Window | None]], None]:
    def register(fn: Callable[[re.Match[str], _Ctx], Window | None]) -> None:
        _RULES.append((re.compile(pattern + r"(?![\w-])"), fn))

    return register


_ON = r"(?:(?:on|for|at|by|over|during)\s+)?"


# how people type "tomorrow" and "tonight" in a hurry
_TOMORROW = ("tmrw", "tmrow", "tmr", "tmw", "2moro", "2morrow", "tomoz", "tomorow", "tommorow")


@_rule(_ON + r"(?P<w>today|tomorrow|yesterday|the day after tomorrow|the day before yesterday|"
       + "|".join(_TOMORROW) + r")(?!\w)")
def _relative_day(m: re.Match[str], c: _Ctx) -> Window:
    offset = {"today": 0, "tomorrow": 1, "yesterday": -1, "the day after tomorrow": 2,
              "the day before yesterday": -2, **dict.fromkeys(_TOMORROW, 1)}[m["w"]]
    return day_window(c.today + timedelta(days=offset), c.tz)


@_rule(r"(?P<w>tonight|tonite|2nite|last night|this (?:morning|afternoon|arvo|evening))(?!\w)")
def _part_of_today(m: re.Match[str], c: _Ctx) -> Window:
    if m["w"] == "last night":
        return _part(day_window(c.today - timedelta(days=1), c.tz), "night", c.tz)
    part = "night" if m["w"] in ("tonight", "tonite", "2nite") else m["w"].split()[-1]
    return _part(day_window(c.today, c.tz), part, c.tz)


@_rule(r"(?:later today|(?:the )?rest of (?:the |this )?(?P<unit>day|today|week|month))")
def _rest_of(m: re.Match[str], c: _Ctx) -> Window:
    unit = m["unit"] or "day"
    if unit in ("day", "today"):
        end = c.today + timedelta(days=1)
    elif unit == "week":
        end = _monday(c.today) + timedelta(days=7)
    else:
        end = _month_window(c.today.year, c.today.month, c.tz).end.date()
    return Window(c.now, midnight(end, c.tz))


_CLAUSE_END = re.compile(r"\s*(?:$|[-–—?!.,;:+])")


@_rule(_ON + r"(?:(?P<mod>next|last|this|coming|past)\s+)?"
       + "(?P<wd>" + "|".join(WEEKDAYS + tuple(_WD_ABBR)) + r")\.?(?!\w)"
       + r"(?:\s+(?P<wk>next|last|this)\s+week)?")
def _weekday(m: re.Match[str], c: _Ctx) -> Window | None:
    wd = _weekday_index(m["wd"])
    mod, wk = m["mod"], m["wk"]
    # "wed", "sat", "sun" are words too ("sat down", "in the sun."): abbreviated, a day
    # needs more than the end of a clause ("on sat", "wed night", "thurs this week")
    whole = m["wd"] in WEEKDAYS
    if c.strict and not (
        mod or wk or m.group(0).startswith(("on ", "for ", "by ", "over "))
        or _PART_AFTER.match(m.string, m.end()) or m.string.startswith("'s", m.end())
        or (whole and _CLAUSE_END.match(m.string, m.end()))  # "do I work friday?"
    ):
        return None  # "my Sunday long run" names no day to filter on
    today = c.today
    if wk or mod == "this":
        shift = {"next": 7, "last": -7}.get(wk or "", 0)
        return day_window(_monday(today) + timedelta(days=wd + shift), c.tz)
    if mod in ("next", "coming"):
        return day_window(today + timedelta(days=(wd - today.weekday() - 1) % 7 + 1), c.tz)
    if mod in ("last", "past"):
        return day_window(today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1), c.tz)
    if c.prefer == "past":
        return day_window(today - timedelta(days=(today.weekday() - wd) % 7), c.tz)
    return day_window(today + timedelta(days=(wd - today.weekday()) % 7), c.tz)


def _dated(c: _Ctx, month: int, day: int, year: str | None) -> Window | None:
    """A day and month, in the given year or the nearest one ``prefer`` points at."""
    if year:
        try:
            return day_window(date(int(year), month, day), c.tz)
        except ValueError:
            return None
    step = 1 if c.prefer == "future" else -1
    for k in range(9):  # 29 February comes back within eight years
        try:
            d = date(c.today.year + step * k, month, day)
        except ValueError:
            continue
        if (d >= c.today) if step == 1 else (d <= c.today):
            return day_window(d, c.tz)
    return None


_WD_PREFIX = r"(?:" + _WD_ANY + r",?\s+)?"


@_rule(_ON + _WD_PREFIX + _DAY + r"(?:\s+of)?\s+" + _MON_ANY + r"(?:,?\s+" + _YEAR + ")?")
def _day_month(m: re.Match[str], c: _Ctx) -> Window | None:
    return _dated(c, _month_index(m["mon"]), int(m["day"]), m["year"])


@_rule(_ON + _WD_PREFIX + _MON_ANY + r"\s+" + _DAY + r"(?:,?\s+" + _YEAR + ")?")
def _month_day(m: re.Match[str], c: _Ctx) -> Window | None:
    if c.strict and not m.group(0).startswith("on ") and m["mon"].rstrip(".") in ("may", "jan"):
        return None  # "you may 2 ..." is a verb, "Jan 5 said hi" a person
    return _dated(c, _month_index(m["mon"]), int(m["day"]), m["year"])


@_rule(_ON + r"(?P<y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d)")
def _iso(m: re.Match[str], c: _Ctx) -> Window | None:
    try:
        return day_window(date(int(m["y"]), int(m["mo"]), int(m["d"])), c.tz)
    except ValueError:
        return None


@_rule(r"(?:(?:in|during|for|over|on|at)\s+)?(?:(?P<mod>this|next|last|the)\s+)?"
       r"(?:week-?end|wknd|wkend|w/e)\b")  # typed short too: "this wknd"
def _weekend(m: re.Match[str], c: _Ctx) -> Window | None:
    if m["mod"] is None and c.strict and not m.group(0).startswith(("over ", "on ", "at ")):
        return None
    saturday = _monday(c.today) + timedelta(days=5)
    mod = m["mod"] or "the"
    if mod == "the" and c.prefer == "past" and c.today < saturday:
        mod = "last"
    saturday += timedelta(days={"next": 7, "last": -7}.get(mod, 0))
    return days_window(saturday, saturday + timedelta(days=2), c.tz)


@_rule(r"(?:(?:in|during|for|over)\s+)?(?P<mod>this|next|last|the past|the coming)\s+"
       r"(?P<unit>week|wk|month|mth|mo|year|yr)\b")
def _this_unit(m: re.Match[str], c: _Ctx) -> Window:
    """ "this week", "next month", "last year" (typed short too: "this yr", "next wk")."""
    shift = {"this": 0, "next": 1, "the coming": 1, "last": -1, "the past": -1}[m["mod"]]
    t = c.today
    if m["unit"] in ("week", "wk"):
        monday = _monday(t) + timedelta(days=7 * shift)
        return days_window(monday, monday + timedelta(days=7), c.tz)
    if m["unit"] in ("month", "mth", "mo"):
        index = t.year * 12 + t.month - 1 + shift
        return _month_window(index // 12, index % 12 + 1, c.tz)
    return days_window(date(t.year + shift, 1, 1), date(t.year + shift + 1, 1, 1), c.tz)


@_rule(r"(?P<pre>(?:in|during|for|since|of|until|before|after|from)\s+)?"
       r"(?:(?P<mod>this|next|last|early|late|mid)\s+)?" + _MON_FULL
       + r"(?:,?\s+" + _YEAR + ")?")
def _month(m: re.Match[str], c: _Ctx) -> Window | None:
    mod = m["mod"]
    if mod in ("early", "late", "mid"):
        return None
    if c.strict and not (m["pre"] or mod or m["year"]):
        return None  # "I may", "they march": a month name needs "in", "this", a year...
    month, t = _month_index(m["mon"]), c.today
    if m["year"]:
        return _month_window(int(m["year"]), month, c.tz)
    if mod == "next":
        year = t.year + (month <= t.month)
    elif mod == "last":
        year = t.year - (month >= t.month)
    elif mod == "this" or month == t.month:
        year = t.year
    elif c.prefer == "future":
        year = t.year + (month < t.month)
    else:
        year = t.year - (month > t.month)
    return _month_window(year, month, c.tz)


@_rule(r"(?:(?:in|during|since|of)\s+)" + _YEAR)
def _year(m: re.Match[str], c: _Ctx) -> Window:
    y = int(m["year"])
    return days_window(date(y, 1, 1), date(y + 1, 1, 1), c.tz)


@_rule(r"(?:(?:in|within|during|over|for)\s+)?(?:the\s+)?(?P<dir>next|coming|last|past)\s+"
       + _NUM + r"\s+(?P<unit>days?|weeks?)")
def _n_units(m: re.Match[str], c: _Ctx) -> Window | None:
    n = _num(m["n"])
    if not 0 < n <= 366:
        return None
    days = n * (7 if m["unit"].startswith("week") else 1)
    if m["dir"] in ("next", "coming"):
        return days_window(c.today, c.today + timedelta(days=days), c.tz)
    return days_window(c.today - timedelta(days=days - 1), c.today + timedelta(days=1), c.tz)


@_rule(r"(?:in\s+" + _NUM + r"\s+days?|" + r"(?P<n2>\d{1,3}|" + "|".join(NUMBERS)
       + r")\s+days?\s+ago)")
def _days_from_now(m: re.Match[str], c: _Ctx) -> Window | None:
    if m["n"]:
        return day_window(c.today + timedelta(days=_num(m["n"])), c.tz)
    return day_window(c.today - timedelta(days=_num(m["n2"])), c.tz)


# Holidays people name instead of a date: fixed days, and days counted from Easter Sunday.
FIXED_HOLIDAYS = {
    "christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25),
    "xmas": (12, 25), "xmas eve": (12, 24), "boxing day": (12, 26),
    "new year's eve": (12, 31), "new years eve": (12, 31), "nye": (12, 31),
    "new year's day": (1, 1), "new years day": (1, 1), "halloween": (10, 31),
    "valentine's day": (2, 14), "valentines day": (2, 14), "valentine's": (2, 14),
    "st patrick's day": (3, 17), "st. patrick's day": (3, 17), "saint patrick's day": (3, 17),
    "bonfire night": (11, 5), "independence day": (7, 4), "canada day": (7, 1),
    "may day": (5, 1), "epiphany": (1, 6), "all saints' day": (11, 1),
}
EASTER_HOLIDAYS = {
    "easter": 0, "easter sunday": 0, "easter day": 0, "good friday": -2, "easter monday": 1,
    "holy saturday": -1, "maundy thursday": -3, "palm sunday": -7, "ash wednesday": -46,
    "shrove tuesday": -47, "pancake day": -47, "ascension day": 39, "whit sunday": 49,
    "pentecost": 49, "whitsun": 49, "whit monday": 50, "corpus christi": 60,
    "easter weekend": -2, "easter long weekend": -2, "long easter weekend": -2,
    "easter break": -2,
}
# Holidays that last more than a day: how many days, from the day above (Good Friday to
# Easter Monday is the long weekend).
HOLIDAY_DAYS = {"easter weekend": 4, "easter long weekend": 4, "long easter weekend": 4,
                "easter break": 4}


def easter(year: int) -> date:
    """Easter Sunday of ``year`` (Gregorian; the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _holiday_date(name: str, year: int) -> date | None:
    if name in FIXED_HOLIDAYS:
        month, day = FIXED_HOLIDAYS[name]
        return date(year, month, day)
    if name in EASTER_HOLIDAYS:
        return easter(year) + timedelta(days=EASTER_HOLIDAYS[name])
    if name == "thanksgiving":  # the US one: fourth Thursday of November
        first = date(year, 11, 1)
        return first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return None


@_rule(_ON + r"(?P<wd>" + "|".join(WEEKDAYS + tuple(_WD_ABBR)) + r")\.?(?:,?\s+the)?\s+"
       r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)"
       r"(?!\s+of\b|\s+" + _MON_ANY.replace("(?P<mon>", "(?:") + ")")
def _weekday_the_nth(m: re.Match[str], c: _Ctx) -> Window | None:
    """ "Monday the 22nd": the nearest 22nd (this month, else the next ones) on a Monday;
    no such day within a year reads as no date."""
    wd, day, t = _weekday_index(m["wd"]), int(m["day"]), c.today
    step = 1 if c.prefer == "future" else -1
    for k in range(0, 13):
        index = t.year * 12 + t.month - 1 + step * k
        try:
            d = date(index // 12, index % 12 + 1, day)
        except ValueError:
            continue
        if d.weekday() == wd and ((d >= t) if step == 1 else (d <= t)):
            return day_window(d, c.tz)
    return None


# Nouns an ordinal counts instead of naming a day of the month ("on the 3rd floor").
_ORDINAL_NOUNS = frozenset(
    "floor floors time times place row grade edition attempt try round century birthday "
    "anniversary year week day month generation child lesson chapter episode season level gear "
    "stop exit street st avenue ave house door line item step class period quarter half term "
    "semester person one instalment installment payment reminder draft version visit".split()
)

_HOLIDAY_NAMES = sorted([*FIXED_HOLIDAYS, *EASTER_HOLIDAYS, "thanksgiving"], key=len, reverse=True)


@_rule(r"(?:(?:on|for|at|by|over|during|until|till|before|after)\s+)?(?:the\s+)?"
       r"(?:(?P<mod>this|next|last)\s+)?(?P<name>" + "|".join(re.escape(n) for n in _HOLIDAY_NAMES) + r")(?:\s+" + _YEAR + ")?")
def _holiday(m: re.Match[str], c: _Ctx) -> Window | None:
    name, mod = m["name"], m["mod"]
    bare = re.sub(r"^the\s+", "", m.group(0)) == name  # no "on", "over", "for"...
    if c.strict and " " not in name and not mod and bare and not (
        m.string.startswith("'s", m.end())
    ):
        return None  # "Christmas dinner", "Easter eggs": a bare one-word name needs "on", "at"...
    length = timedelta(days=HOLIDAY_DAYS.get(name, 1))
    if m["year"]:
        found = _holiday_date(name, int(m["year"]))
        return days_window(found, found + length, c.tz) if found else None
    years = range(c.today.year - 1, c.today.year + 2)
    days = [d for d in (_holiday_date(name, y) for y in years) if d is not None]
    if mod == "next" or (mod is None and c.prefer == "future"):
        # a holiday still going on is this one ("over the Easter weekend" on its Saturday)
        ahead = [d for d in days if d + length > c.today]
        chosen = ahead[1] if mod == "next" and ahead and ahead[0] == c.today else (
            ahead[0] if ahead else None)
    elif mod == "last" or c.prefer == "past":
        behind = [d for d in days if d <= c.today]
        chosen = behind[-1] if behind else None
    else:  # "this Christmas": the one of this year
        chosen = _holiday_date(name, c.today.year)
    if chosen is None:
        return None
    return days_window(chosen, chosen + length, c.tz)


@_rule(r"(?P<pre>(?:on|for|by|until|till|before|after|from)\s+)?the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)"
       r"(?:\s+of\s+(?P<which>this|next|last)\s+month)?")
def _day_of_month(m: re.Match[str], c: _Ctx) -> Window | None:
    """ "on the 19th": that day of this month, or of the next (past: the last) one."""
    if c.strict and not m["pre"]:
        return None  # "the 2nd time" names no day
    after = re.match(r"\s+(\w+)", m.string[m.end():])
    if after and after[1] in _ORDINAL_NOUNS:
        return None  # "on the 3rd floor", "for the 2nd time"
    day, t = int(m["day"]), c.today
    if m["which"]:
        index = t.year * 12 + t.month - 1 + {"this": 0, "next": 1, "last": -1}[m["which"]]
        try:
            return day_window(date(index // 12, index % 12 + 1, day), c.tz)
        except ValueError:
            return None
    step = 1 if c.prefer == "future" else -1
    for k in range(0, 13):
        index = t.year * 12 + t.month - 1 + step * k
        try:
            d = date(index // 12, index % 12 + 1, day)
        except ValueError:
            continue
        if (d >= t) if step == 1 else (d <= t):
            return day_window(d, c.tz)
    return None


def _part(w: Window, part: str, tz: ZoneInfo) -> Window:
    """Morning 06-12, afternoon 12-18, evening / night 18-24 of a one-day window."""
    assert w.day is not None
    a, b = PARTS[part]
    end = midnight(w.day + timedelta(days=1), tz) if b == 24 else (
        datetime.combine(w.day, time(b), tzinfo=tz))
    return Window(datetime.combine(w.day, time(a), tzinfo=tz), end)


_PART_AFTER = re.compile(r"\s+(?:in the\s+)?(?P<part>morning|afternoon|arvo|evening|night)(?!\w)")
_RANGE = re.compile(r"(?P<kw>between|from)\s+")
_RANGE_MID = {"between": re.compile(r"\s+and\s+"),
              "from": re.compile(r"\s+(?:to|until|till|through|-)\s+")}


# --- matching -----------------------------------------------------------------------------


def _atom_at(text: str, pos: int, c: _Ctx) -> tuple[int, Window] | None:
    """The longest phrase starting at ``pos`` that resolves to a window (with a day part)."""
    best: tuple[int, Window] | None = None
    for pattern, fn in _RULES:
        m = pattern.match(text, pos)
        if not m or (best and m.end() <= best[0]):
            continue
        w = fn(m, c)
        if w is None:
            continue
        end = m.end()
        if w.day is not None:
            part = _PART_AFTER.match(text, end)
            if part:
                w, end = _part(w, part["part"], c.tz), part.end()
        best = (end, w)
    return best


# ("what are we up to this weekend", "stop by on Friday": not bounds)
_BOUND = re.compile(
    r"(?P<kw>before|by|until|till|no later than|after|since)\s+(?!(?:on|in|at|for|over|during)\b)")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # "before 2023": from the start of any data


# "the week before X", "two days after X", "the Sunday before X": a span next to X
_SPAN_BEFORE = re.compile(
    r"(?:\b(?P<n>\d+|an?|one|two|three|four|five|six|the|last|that)\s+)?"
    r"(?P<unit>days?|weeks?|weekends?|months?|" + "|".join(WEEKDAYS) + r")\s+$")
_UNIT_DAYS = {"day": 1, "week": 7, "weekend": 7, "month": 31}


def _span_before(text: str, pos: int) -> timedelta | None:
    """How long the span named just before a bound at ``pos`` is ("two weeks" before
    "before X": 21 days, a week of slack around the 14), or None."""
    m = _SPAN_BEFORE.search(text[max(0, pos - 40):pos])
    if not m:
        return None
    n_word = m["n"] or "one"
    n = int(n_word) if n_word.isdigit() else NUMBERS.get(n_word, 1)  # "a", "the": one
    unit = _UNIT_DAYS.get(m["unit"].rstrip("s"), 7)  # a weekday: within the week
    return timedelta(days=n * unit + (unit if n >= 2 else 0))


def _bounded(kw: str, w: Window, c: _Ctx, span: timedelta | None = None) -> Window | None:
    """The window a bound names: "by 10 July 2022" is a deadline (anything up to the end of
    that day), "before May" ends where May starts, "since March" runs from March to now,
    and "the week before 3 August" is the ``span`` next to it. Looking ahead (the
    calendar), a deadline starts now; "after X" ahead is left to the phrase itself. A span
    next to X holds X as well: what happened the week before X is often told on X."""
    if span is not None and kw in ("before", "after"):  # X itself too: told on the day
        return Window(w.start - span, w.end) if kw == "before" else Window(w.start, w.end + span)
    if kw in ("after", "since"):
        start = w.start if kw == "since" else w.end
        return Window(start, c.now) if c.prefer == "past" and start < c.now else None
    limit = w.start if kw == "before" else w.end
    if c.prefer == "future" and limit > c.now:
        return Window(c.now, limit)
    return Window(EARLIEST.astimezone(c.tz), limit)


def _phrase_at(text: str, pos: int, c: _Ctx) -> tuple[int, Window] | None:
    """A bound ("by X", "before X", "since X"), a range ("between X and Y", "from X to
    Y") or a single phrase at ``pos``."""
    bound = _BOUND.match(text, pos)
    if bound:
        atom = _atom_at(text, bound.end(), _Ctx(c.now, c.tz, c.prefer, strict=False))
        limited = atom and _bounded(bound["kw"], atom[1], c, _span_before(text, pos))
        if atom and limited:
            return atom[0], limited
    kw = _RANGE.match(text, pos)
    if kw:
        first = _atom_at(text, kw.end(), _Ctx(c.now, c.tz, c.prefer, strict=False))
        mid = first and _RANGE_MID[kw["kw"]].match(text, first[0])
        if first and mid:
            loose = _Ctx(c.now, c.tz, c.prefer, strict=False)
            second = _atom_at(text, mid.end(), loose)
            if second and second[1].end <= first[1].start:  # "between Friday and Monday"
                ahead = _Ctx(first[1].start, c.tz, "future", strict=False)
                second = _atom_at(text, mid.end(), ahead)
            if second and second[1].end > first[1].start:
                return second[0], Window(first[1].start, second[1].end)
    return _atom_at(text, pos, c)


def _normalise(text: str) -> str:
    # Same length as the input, so spans found here index the original question.
    return text.lower().replace("’", "'").replace("–", "-")


def find_window(
    text: str, now: datetime, tz: ZoneInfo, prefer: Prefer = "past"
) -> tuple[Window, tuple[int, int]] | None:
    """The first time phrase inside ``text`` and its character span, or None.

    Inside a sentence bare weekdays and months only count with a preposition or a
    modifier ("on Friday", "next Friday", "in May"), so "my Sunday long run" or
    "I may come" set no filter.
    """
    low = _normalise(text)
    c = _Ctx(now.astimezone(tz), tz, prefer, strict=True)
    for word in re.finditer(r"(?<![\w-])\w", low):
        found = _phrase_at(low, word.start(), c)
        if found:
            return found[1], (word.start(), found[0])
    return None


def find_windows(
    text: str, now: datetime, tz: ZoneInfo, prefer: Prefer = "past"
) -> list[tuple[Window, tuple[int, int]]]:
    """Every time phrase inside ``text`` (left to right, not overlapping) and its span."""
    low = _normalise(text)
    c = _Ctx(now.astimezone(tz), tz, prefer, strict=True)
    found: list[tuple[Window, tuple[int, int]]] = []
    edge = 0
    for word in re.finditer(r"(?<![\w-])\w", low):
        if word.start() < edge:
            continue
        hit = _phrase_at(low, word.start(), c)
        if hit:
            found.append((hit[1], (word.start(), hit[0])))
            edge = hit[0]
    return found


def parse_window(text: str, now: datetime, tz: ZoneInfo, prefer: Prefer = "past") -> Window:
    """The window a whole phrase names ("next week", "3 Dec 2026"); AssistantError if unknown."""
    low = _normalise(text).strip().rstrip("?.!").strip()
    low = re.sub(r"\s+", " ", low)
    c = _Ctx(now.astimezone(tz), tz, prefer, strict=False)
    found = _phrase_at(low, 0, c) if low else None
    if found is None or found[0] != len(low):
        raise AssistantError(
            f"cannot read the time {text.strip()!r}; try e.g. 'today', 'tomorrow', 'next week', "
            "'Friday afternoon', 'in December', '3 December', '2026-12-03', 'the next 3 days'"
        )
    return found[1]


def is_time_phrase(text: str) -> bool:
    """True when ``text`` as a whole names a time window (whatever the date)."""
    try:
        parse_window(text, datetime(2000, 1, 3, tzinfo=ZoneInfo("UTC")), ZoneInfo("UTC"))
    except AssistantError:
        return False
    return True


def describe(w: Window, tz: ZoneInfo) -> str:
    """Human words for a window: "Tuesday 24 November 2026", "... 12:00–18:00", a range."""
    start, end = w.start.astimezone(tz), w.end.astimezone(tz)

    def day(d: date) -> str:
        return f"{WEEKDAYS[d.weekday()].capitalize()} {d.day} {MONTHS[d.month - 1].capitalize()} {d.year}"

    if w.whole_days:
        last = end.date() - timedelta(days=1)
        return day(start.date()) if last == start.date() else f"{day(start.date())} to {day(last)}"
    if end - start <= timedelta(days=1) and (end - timedelta(microseconds=1)).date() == (
        start.date()
    ):
        until = "24:00" if end.date() != start.date() else end.strftime("%H:%M")
        return f"{day(start.date())}, {start:%H:%M}–{until}"
    return f"{day(start.date())} {start:%H:%M} to {day(end.date())} {end:%H:%M}"
