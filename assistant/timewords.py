"""Time phrases of other languages rewritten into the English grammar's words (timeparse.py).

Each language's words are a table in assistant/phrases/<lang>.toml ``[time]``: days
("morgen" = tomorrow), weekdays, months, modifiers ("nächsten" = next), units
("woche" = week, "下周" = next week) and the prepositions a phrase may start with. A run of
such words becomes the English phrase the exact grammar reads ("nächsten Dienstag" ->
"next tuesday", "下周三" -> "wednesday next week", "в пятницу" -> "on friday"); the rest of
the question is left as it is. Tables, not patterns: a new form is one more table entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DIR = Path(__file__).with_name("phrases")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
KINDS = ("days", "weekdays", "months", "modifiers", "units", "parts", "prepositions")


@dataclass(frozen=True)
class TimeWords:
    language: str
    entries: dict[str, tuple[str, str]]  # native phrase -> (kind, english)
    pattern: re.Pattern[str] | None

    @property
    def words(self) -> frozenset[str]:
        """The one-word time words that tell the language apart (not prepositions, not
        words English writes alike: "August", "April")."""
        return frozenset(k for k, (kind, english) in self.entries.items()
                         if " " not in k and kind != "prepositions" and k != english)


@cache
def load(language: str) -> TimeWords:
    path = _DIR / f"{language}.toml"
    table = tomllib.loads(path.read_text("utf-8")).get("time", {}) if path.exists() else {}
    entries: dict[str, tuple[str, str]] = {}
    for kind in KINDS:
        section = table.get(kind, {})
        if isinstance(section, list):  # prepositions: words with no meaning of their own
            section = dict.fromkeys(section, "")
        for native, english in section.items():
            entries[native.lower()] = (kind, english)
    if not entries:
        return TimeWords(language, {}, None)
    keys = sorted(entries, key=len, reverse=True)
    alternatives = "|".join(re.escape(k) for k in keys)
    # CJK has no spaces between words: its phrases match anywhere; others as whole words
    edge = ("", "") if language in ("zh", "ja") else (r"(?<!\w)", r"(?!\w)")
    return TimeWords(language, entries, re.compile(f"{edge[0]}(?:{alternatives}){edge[1]}"))


def _render(items: list[tuple[str, str]], dated: bool = False) -> str:
    """The English phrase for a run of table words (kind, english), in order; ``dated``
    when a day number stands just before the run ("5 de diciembre" is 5 December)."""
    out: list[str] = []
    pending_mod = ""
    weekday = ""
    bare_unit = ""  # the unit just written as "this <unit>": "semaine" in "semaine prochaine"
    items = [item for item in items if item[0] != "prepositions"]
    for i, (kind, english) in enumerate(items):
        follows = items[i + 1][0] if i + 1 < len(items) else ""
        # "vendredi prochain" is next Friday; "Dienstag nächste Woche" is no "next Tuesday"
        if kind == "modifiers" and weekday and not pending_mod and follows != "units":
            out.append(f"{english} {weekday}")
            weekday = ""
            continue
        if kind == "modifiers" and bare_unit:  # "la semana que viene", "mois dernier"
            out[-1] = f"{english} {bare_unit}"
            bare_unit = ""
            continue
        bare_unit = ""
        if kind == "modifiers":
            pending_mod = english
        elif kind == "weekdays":
            weekday = english
            if pending_mod.endswith(" week"):  # 下周三: "wednesday next week"
                out.append(f"{english} {pending_mod}")
                pending_mod, weekday = "", ""
            elif pending_mod:
                out.append(f"{pending_mod} {english}")
                pending_mod, weekday = "", ""
        elif kind == "parts":  # "Freitag nachmittags", "周五下午": after the day it narrows
            if weekday:
                out.append(f"on {weekday}")
                weekday = ""
            if out:
                out.append(english)
        elif kind == "units":
            if pending_mod.endswith(" week") and english == "week":
                unit = pending_mod  # 下周
            else:
                unit = f"{pending_mod} {english}".strip() if pending_mod else english
            pending_mod = ""
            if weekday:  # "Dienstag nächste Woche", "下周三" (next week + Wednesday)
                out.append(f"{weekday} {unit}")
                weekday = ""
            elif " " in unit:
                out.append(unit)
            else:
                out.append(f"this {unit}")
                bare_unit = unit
        elif kind == "months":
            if dated and not out and not pending_mod:  # "5 de diciembre", "5 grudnia": a date
                out.append(english)
            else:
                out.append(f"{pending_mod} {english}".strip() if pending_mod else f"in {english}")
            pending_mod = ""
        else:  # days
            out.append(english)
    if weekday:
        out.append(f"on {weekday}")
    return " ".join(out)


def to_english(text: str, language: str) -> str:
    """``text`` with its time phrases in ``language`` rewritten in English (lower case)."""
    tw = load(language)
    low = text.lower()
    if tw.pattern is None:
        return low
    matches = list(tw.pattern.finditer(low))
    if not matches:
        return low
    runs: list[list[re.Match[str]]] = []
    for m in matches:
        if runs and not low[runs[-1][-1].end() : m.start()].strip():
            runs[-1].append(m)
        else:
            runs.append([m])
    out, last = [], 0
    for run in runs:
        while run and tw.entries[run[-1].group(0)][0] == "prepositions":
            run = run[:-1]  # "was steht am Freitag an?": "an" ends the sentence, not a date
        items = [tw.entries[m.group(0)] for m in run]
        if not items or all(kind == "prepositions" for kind, _ in items):
            continue  # "в", "am" alone: not a time phrase
        dated = bool(re.search(r"\d\s*$", low[last : run[0].start()]))
        rendered = _render(items, dated)
        if not rendered:
            continue
        out.append(low[last : run[0].start()])
        out.append(f" {rendered} ")
        last = run[-1].end()
    out.append(low[last:])
    return "".join(out)
