"""The WhatsApp header grammar: locale shapes as data, one recognizer built from them, and
the day/month/year order decided from a whole file.

A header is ``DATE GLUE TIME END`` where END is `` - `` (Android), ``] `` after a leading
``[`` (iOS) or ``: `` (older exports). Each row of ``LOCALES`` is one locale's shape in
CLDR pattern letters, the way WhatsApp writes it; the recognizer's vocabulary (words
between date and time, AM/PM words, date and time suffixes) is collected from those rows,
so a new locale is one new row. The same rows render headers for the tests and the
benchmark, and give the order of an ambiguous file whose dates cannot decide (the first
row whose shape the file has).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

SPACE = " \u00a0\u202f\u2009"  # what WhatsApp puts between fields: NBSP, narrow NBSP
MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_SP = f"[{SPACE}]"
_MK = f"[{MARKS}]*"


@dataclass(frozen=True)
class Locale:
    """One locale's header shape. ``date``/``time`` use CLDR letters (d M y H h m a) and
    'quoted' literals; ``pm`` is set for 12-hour clocks; ``digits`` "arab" writes ٠-٩;
    ``era`` is added to the year (the Thai Buddhist era)."""

    tag: str
    date: str
    time: str
    glue: str = ", "
    am: str = ""
    pm: str = ""
    digits: str = "latn"
    era: int = 0


# The date/time shapes of the languages WhatsApp is most used in, as its Android and iOS
# apps write them (short date, short time, the locale's glue between them).
LOCALES: tuple[Locale, ...] = (
    Locale("en-US", "M/d/yy", "h:mm\u202fa", am="AM", pm="PM"),
    Locale("en-US-old", "M/d/yy", "h:mm a", am="AM", pm="PM"),
    Locale("en-GB", "dd/MM/yyyy", "HH:mm"),
    Locale("en-IN", "dd/MM/yy", "h:mm\u202fa", am="am", pm="pm"),
    Locale("en-AU", "d/M/yy", "h:mm\u202fa", am="am", pm="pm"),
    Locale("es-ES", "d/M/yy", "H:mm"),
    Locale("es-MX", "dd/MM/yy", "h:mm a", am="a.\u00a0m.", pm="p.\u00a0m."),
    Locale("es-US", "M/d/yy", "h:mm a", am="a. m.", pm="p. m."),
    Locale("pt-BR", "dd/MM/yyyy", "HH:mm", " "),
    Locale("pt-BR-as", "dd/MM/yyyy", "HH:mm", " às "),
    Locale("pt-PT", "dd/MM/yy", "HH:mm"),
    Locale("de-DE", "dd.MM.yy", "HH:mm"),
    Locale("de-DE-um", "dd.MM.yy", "HH:mm", " um "),
    Locale("de-DE-12h", "dd.MM.yy", "h:mm a", am="vorm.", pm="nachm."),
    Locale("fr-FR", "dd/MM/yyyy", "HH:mm", " à "),
    Locale("fr-FR-old", "dd/MM/yyyy", "HH:mm", " "),
    Locale("it-IT", "dd/MM/yy", "HH:mm"),
    Locale("nl-NL", "dd-MM-yyyy", "HH:mm", " "),
    Locale("nl-NL-om", "dd-MM-yyyy", "HH:mm", " om "),
    Locale("ru-RU", "dd.MM.yyyy", "HH:mm"),
    Locale("ru-RU-v", "dd.MM.yyyy", "HH:mm", " в "),
    Locale("uk-UA", "dd.MM.yy", "HH:mm"),
    Locale("uk-UA-o", "dd.MM.yy", "HH:mm", " о "),
    Locale("tr-TR", "dd.MM.yyyy", "HH:mm", " "),
    Locale("pl-PL", "dd.MM.yyyy", "HH:mm"),
    Locale("id-ID", "dd/MM/yy", "HH.mm", " "),
    Locale("id-ID-pukul", "dd/MM/yy", "HH.mm", " pukul "),
    Locale("ms-MY", "dd/MM/yyyy", "h:mm a", am="PG", pm="PTG"),
    Locale("hi-IN", "d/M/yy", "h:mm a", am="am", pm="pm"),
    Locale("ar-EG", "d\u200f/M\u200f/yyyy", "h:mm a", "، ", am="ص", pm="م", digits="arab"),
    Locale("ar-SA-latn", "d\u200f/M\u200f/yyyy", "h:mm a", "، ", am="ص", pm="م"),
    Locale("zh-CN", "yyyy/M/d", "ah:mm", " ", am="上午", pm="下午"),
    Locale("zh-CN-24h", "yyyy/M/d", "HH:mm", " "),
    Locale("ja-JP", "yyyy/MM/dd", "H:mm", " "),
    Locale("ja-JP-12h", "yyyy/MM/dd", "ah:mm", " ", am="午前", pm="午後"),
    Locale("ko-KR", "yy. M. d.", "a h:mm", " ", am="오전", pm="오후"),
    Locale("yy-first", "yy/MM/dd", "HH:mm", " "),
    Locale("sv-SE", "yyyy-MM-dd", "HH:mm", " "),
    Locale("fi-FI", "d.M.yyyy", "H.mm", " klo "),
    Locale("nb-NO", "dd.MM.yyyy", "HH:mm"),
    Locale("nb-NO-kl", "dd.MM.yyyy", "HH:mm", " kl. "),
    Locale("da-DK", "dd.MM.yyyy", "HH.mm", " "),
    Locale("da-DK-kl", "dd.MM.yyyy", "HH.mm", " kl. "),
    Locale("hu-HU", "yyyy. MM. dd.", "H:mm", " "),
    Locale("hu-HU-12h", "yyyy. MM. dd.", "a h:mm", " ", am="de.", pm="du."),
    Locale("cs-CZ", "dd.MM.yy", "H:mm", " "),
    Locale("sk-SK", "d. M. yyyy", "H:mm", " "),
    Locale("he-IL", "d.M.yyyy", "H:mm"),
    Locale("el-GR", "d/M/yy", "h:mm a", am="π.μ.", pm="μ.μ."),
    Locale("th-TH", "d/M/yyyy", "HH:mm", " ", era=543),
    Locale("vi-VN", "dd/MM/yyyy", "HH:mm"),
    Locale("vi-VN-12h", "dd/MM/yyyy", "h:mm a", am="SA", pm="CH"),
    Locale("bg-BG", "d.MM.yy 'г'.", "H:mm 'ч'."),
    Locale("ro-RO", "dd.MM.yyyy", "HH:mm"),
    Locale("sv-SE-12h", "yyyy-MM-dd", "h:mm a", " ", am="fm", pm="em"),
    Locale("fi-FI-12h", "d.M.yyyy", "h.mm a", " klo ", am="ap.", pm="ip."),
    Locale("tr-TR-12h", "dd.MM.yyyy", "a h:mm", " ", am="ÖÖ", pm="ÖS"),
    Locale("bn-BD", "d/M/yy", "h:mm a", am="AM", pm="PM"),
    Locale("th-TH-12h", "d/M/yyyy", "h:mm a", " ", am="ก่อนเที่ยง", pm="หลังเที่ยง", era=543),
)
PLATFORMS = ("android", "ios", "colon")  # "15/01/20, 14:22 - ", "[…, 14:22:05] ", "…: "

# AM/PM words with their meaning (True = afternoon), collected from LOCALES plus the
# spellings seen in real exports of the same locales.
_EXTRA_AMPM = {
    "a.m.": False, "p.m.": True, "a. m.": False, "p. m.": True, "a.m": False, "p.m": True,
    "vm.": False, "nm.": True, "ص": False, "م": True, "ق.ظ.": False, "ب.ظ.": True,
    "पूर्वाह्न": False, "अपराह्न": True, "לפנה״צ": False, "אחה״צ": True,
}  # fmt: skip


def _ampm_table() -> dict[str, bool]:
    table: dict[str, bool] = {"am": False, "pm": True}
    for loc in LOCALES:
        if loc.pm:
            table[_fold(loc.am)] = False
            table[_fold(loc.pm)] = True
    for word, pm in _EXTRA_AMPM.items():
        table[_fold(word)] = pm
    return table


def _fold(word: str) -> str:
    """An AM/PM word without its dots and spaces, lower case: "p. m." -> "pm"."""
    return "".join(ch for ch in word.lower() if ch not in SPACE + ".")


AMPM = _ampm_table()


def _literals(pattern: str) -> list[str]:
    return [q.strip(SPACE) for q in re.findall(r"'([^']*)'", pattern)]


def _word_re(word: str) -> str:
    """A word as a regex whose spaces may be any WhatsApp space, or none."""
    return "".join(f"{_SP}?" if ch in SPACE else re.escape(ch) for ch in word)


def _alternation(words: Iterable[str]) -> str:
    uniq = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(_word_re(w) for w in uniq)


_GLUE = _alternation(loc.glue.strip(SPACE + ",،") for loc in LOCALES)
_AMPM_WORDS = _alternation(
    [loc.am for loc in LOCALES] + [loc.pm for loc in LOCALES] + list(_EXTRA_AMPM) + ["am", "pm"]
)
_DATE_SUFFIX = _alternation(w + "." for loc in LOCALES for w in _literals(loc.date))
_TIME_SUFFIX = _alternation(w + "." for loc in LOCALES for w in _literals(loc.time) if w != "h")

HEADER = re.compile(
    rf"^{_MK}(?P<open>\[)?{_MK}"
    rf"(?P<d1>\d{{1,4}}){_MK}(?P<sep>[./-]){_SP}?{_MK}(?P<d2>\d{{1,2}}){_MK}[./-]{_SP}?{_MK}"
    rf"(?P<d3>\d{{1,4}})(?P<tdot>\.)?(?:{_SP}?(?:{_DATE_SUFFIX}))?{_MK}"
    rf"(?P<glue>[,،]?{_SP}+(?:(?:{_GLUE}){_SP}+)?|[,،])"
    rf"(?:(?P<ap1>(?i:{_AMPM_WORDS})){_SP}?)?{_MK}"
    rf"(?P<h>\d{{1,2}})(?P<tsep>[:.])(?P<mi>\d{{2}})(?:[:.](?P<sec>\d{{2}}))?"
    rf"(?:{_SP}?(?P<ap2>(?i:{_AMPM_WORDS})))?(?:{_SP}?(?:{_TIME_SUFFIX}))?{_MK}"
    rf"(?P<end>(?(open)\]{_SP}?|(?:{_SP}*[-–]{_SP}|:{_SP})))"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_FIRST = re.compile(rf"^{_MK}[\[\d]")


class Header:
    """A recognised header line: its raw date fields and clock, and what follows it."""

    __slots__ = ("fields", "widths", "hour", "minute", "second", "pm", "rest", "style", "_m")

    def __init__(self, m: re.Match[str]) -> None:
        digits = (m["d1"], m["d2"], m["d3"])
        self.fields = (int(digits[0]), int(digits[1]), int(digits[2]))
        self.widths = (len(digits[0]), len(digits[1]), len(digits[2]))
        self.hour = int(m["h"])
        self.minute = int(m["mi"])
        self.second = int(m["sec"]) if m["sec"] else 0
        token = m["ap1"] or m["ap2"]
        self.pm: bool | None = AMPM.get(_fold(token)) if token else None  # None: 24-hour
        self.rest: str = m["rest"]
        # (end, date separator, time separator): one per file
        self.style = ("[" if m["open"] else m["end"].strip(SPACE), m["sep"], m["tsep"])
        self._m = m

    @property
    def text(self) -> str:
        """The date and time as written, for reports."""
        m = self._m
        return m.string[m.start("d1") : m.end("end")].strip(SPACE + MARKS + "[]-–:")

    @property
    def shape(self) -> tuple[object, ...]:
        """What the locale table is matched on to break a tie in the date order."""
        m = self._m
        token = m["ap1"] or m["ap2"]
        return (
            *self.style[:2],
            m.string[m.end("sep") : m.start("d2")].strip(MARKS) != "",  # "20. 1. 15."
            bool(m["tdot"]),
            m["glue"].strip(SPACE),
            m["tsep"],
            "before" if m["ap1"] else "after" if m["ap2"] else None,
            _case(token),
            max(self.widths) > 2,  # a four-digit year fixes its own place
        )


def match(line: str) -> Header | None:
    if not _FIRST.match(line):
        return None  # most lines of a chat are text: one cheap test before the grammar
    m = HEADER.match(line)
    return None if m is None else Header(m)


def _case(token: str | None) -> str | None:
    if not token:
        return None
    return "".join("A" if c.isupper() else "a" if c.isalpha() else c for c in token)


# --- the date order ------------------------------------------------------------------

ORDERS = ("DMY", "MDY", "YMD")


def year_of(value: int) -> int:
    if value < 100:
        return value + 2000
    return value - 543 if value > 2400 else value  # the Thai Buddhist era


def ymd(fields: tuple[int, int, int], order: str) -> tuple[int, int, int]:
    a, b, c = fields
    if order == "DMY":
        return year_of(c), b, a
    if order == "MDY":
        return year_of(c), a, b
    return year_of(a), b, c


def _possible(head: Header, order: str) -> bool:
    w1, _, w3 = head.widths
    if (w1 > 2 and order != "YMD") or (w3 > 2 and order == "YMD"):
        return False
    try:
        date(*ymd(head.fields, order))
    except ValueError:
        return False
    return True


class OrderVote:
    """Decides a file's date order from its headers: orders under which a date cannot
    exist lose; then the order whose consecutive dates lie closer together (a chat is
    dense in time); a remaining tie goes to the order of the first locale whose shape
    the file has."""

    SAMPLES = 1000  # distinct dates: far more than any real chat needs to decide

    def __init__(self) -> None:
        self.impossible = dict.fromkeys(ORDERS, 0)
        self.samples: list[Header] = []
        self.first: Header | None = None

    def add(self, head: Header) -> bool:
        """Count one header; True once the order is decided."""
        if self.first is None:
            self.first = head
        for order in ORDERS:
            if not _possible(head, order):
                self.impossible[order] += 1
        if not self.samples or self.samples[-1].fields != head.fields:
            self.samples.append(head)
        possible = [o for o in ORDERS if self.impossible[o] == 0]
        return len(possible) == 1 or len(self.samples) >= self.SAMPLES

    def order(self) -> str:
        fewest = min(self.impossible.values())
        left = [o for o in ORDERS if self.impossible[o] == fewest]
        if len(left) > 1:
            spreads = {o: self._spread(o) for o in left}
            best = min(spreads.values())
            left = [o for o in left if spreads[o] == best]
        if len(left) > 1 and self.first is not None:
            preferred = order_of_shape(self.first.shape)
            if preferred in left:
                return preferred
        return left[0]

    def _spread(self, order: str) -> float:
        days = []
        for head in self.samples:
            try:
                days.append(date(*ymd(head.fields, order)).toordinal())
            except ValueError:
                continue
        if len(days) < 2:
            return 0.0
        return sum(abs(b - a) for a, b in zip(days, days[1:], strict=False)) / len(days)


def _order_of_pattern(pattern: str) -> str:
    letters = [ch for ch in re.sub(r"'[^']*'", "", pattern) if ch in "dMy"]
    return "".join(dict.fromkeys(ch.upper() for ch in letters))


_SAMPLE = datetime(2020, 1, 2, 15, 4, 5)  # every field distinct, a 12-hour afternoon


def _shapes() -> list[tuple[tuple[object, ...], str]]:
    out = []
    for loc in LOCALES:
        for platform in PLATFORMS:
            head = match(render(loc, _SAMPLE, platform) + "A: x")
            if head is not None:
                out.append((head.shape, _order_of_pattern(loc.date)))
    return out


_SHAPE_ORDERS: dict[tuple[object, ...], str] = {}


def order_of_shape(shape: tuple[object, ...]) -> str:
    """The date order of the first locale whose header has ``shape``; DMY if none."""
    if not _SHAPE_ORDERS:
        for s, order in _shapes():
            _SHAPE_ORDERS.setdefault(s, order)
    return _SHAPE_ORDERS.get(shape, "DMY")


# --- rendering (tests, benchmark, documentation) --------------------------------------

_TOKEN = re.compile(r"'[^']*'|yyyy|yy|y|MM|M|dd|d|HH|H|hh|h|mm|ss|a|.", re.DOTALL)
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _format(pattern: str, when: datetime, loc: Locale) -> str:
    hour12 = when.hour % 12 or 12
    year = when.year + loc.era
    values = {
        "yyyy": f"{year:04d}", "yy": f"{year % 100:02d}", "y": str(year),
        "MM": f"{when.month:02d}", "M": str(when.month),
        "dd": f"{when.day:02d}", "d": str(when.day),
        "HH": f"{when.hour:02d}", "H": str(when.hour),
        "hh": f"{hour12:02d}", "h": str(hour12),
        "mm": f"{when.minute:02d}", "ss": f"{when.second:02d}",
    }  # fmt: skip
    out = []
    for token in _TOKEN.findall(pattern):
        if token == "a":
            out.append(loc.pm if when.hour >= 12 else loc.am)
        elif token in values:
            text = values[token]
            out.append(text.translate(_ARABIC_DIGITS) if loc.digits == "arab" else text)
        else:
            out.append(token.strip("'"))
    return "".join(out)


def render(loc: Locale, when: datetime, platform: str) -> str:
    """The header WhatsApp writes in ``loc`` on ``platform``, up to the sender."""
    date_text = _format(loc.date, when, loc)
    if platform == "ios":  # iOS adds the seconds
        time_pattern = re.sub(r"mm", lambda m: "mm" + _time_sep(loc) + "ss", loc.time, count=1)
        return f"[{date_text}{loc.glue}{_format(time_pattern, when, loc)}] "
    time_text = _format(loc.time, when, loc)
    end = " - " if platform == "android" else ": "
    return f"{date_text}{loc.glue}{time_text}{end}"


def _time_sep(loc: Locale) -> str:
    return "." if re.search(r"[Hh]\.mm", loc.time) else ":"
