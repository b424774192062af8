"""A recurrence rule in words: "every weekday", "every second Tuesday", "on the first
Thursday of every month", so an event found by search says how it repeats instead of
showing its first date as if it were the next one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import icalendar

DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
        "SA": "Saturday", "SU": "Sunday"}
ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
           -2: "second to last"}
UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year",
         "HOURLY": "hour", "MINUTELY": "minute", "SECONDLY": "second"}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _day(token: str) -> tuple[int | None, str]:
    """ "1TH" -> (1, "Thursday"), "MO" -> (None, "Monday")."""
    token = str(token).upper()
    code, num = token[-2:], token[:-2]
    return (int(num) if num not in ("", "+") else None), DAYS.get(code, code)


def describe(rule: Any, start: date | datetime) -> str:
    """One RRULE (an icalendar vRecur or a dict of lists) in words, without times."""
    freq = str(_list(rule.get("FREQ"))[0]).upper() if rule.get("FREQ") else ""
    interval = int(_list(rule.get("INTERVAL"))[0]) if rule.get("INTERVAL") else 1
    days = [_day(d) for d in _list(rule.get("BYDAY"))]
    unit = UNITS.get(freq, "time")
    every = "every" if interval == 1 else (
        f"every {ORDINAL[interval]}" if interval in (2, 3, 4) else f"every {interval}")
    if freq == "WEEKLY" or (freq == "DAILY" and days):
        names = [name for _, name in days] or [f"{start:%A}"]
        if sorted(names) == sorted(DAYS[d] for d in ("MO", "TU", "WE", "TH", "FR")):
            text = "every weekday" if interval == 1 else f"{every} week on weekdays"
        elif interval == 1:
            text = "every " + _and(names)
        else:
            text = f"{every} week on {_and(names)}"
    elif freq == "MONTHLY":
        monthdays = [int(x) for x in _list(rule.get("BYMONTHDAY"))]
        if days and days[0][0] is not None:
            parts = [f"the {ORDINAL.get(n or 1, _nth(n or 1))} {name}" for n, name in days]
            text = f"on {_and(parts)} of {every} month"
        elif days:
            setpos = _list(rule.get("BYSETPOS"))
            which = ORDINAL.get(int(setpos[0]), "") + " " if setpos else ""
            text = f"on the {which}{_and([n for _, n in days])} of {every} month".replace("  ", " ")
        else:
            chosen = monthdays or [start.day]
            text = f"on the {_and([_nth(d) if d > 0 else 'last day' for d in chosen])} of {every} month"
    elif freq == "YEARLY":
        text = f"{every} year on {start.day} {start:%B}" if not days else (
            f"{every} year on the {ORDINAL.get(days[0][0] or 1, '')} {days[0][1]}".replace("  ", " "))
    else:
        text = f"every {unit}" if interval == 1 else f"every {interval} {unit}s"
    return text


def limit(rule: Any) -> str:
    """ " until 26 January 2027", ", 10 times", or "" for an endless rule."""
    count = _list(rule.get("COUNT"))
    until = _list(rule.get("UNTIL"))
    if count:
        return f", {int(count[0])} times"
    if until:
        return f" until {until[0].day} {until[0]:%B %Y}"
    return ""


def rule_of(ics: str) -> tuple[Any, date | datetime] | None:
    """The master event's first RRULE and start, from a self-contained VCALENDAR."""
    try:
        cal = icalendar.Calendar.from_ical(ics)
    except ValueError:
        return None
    for component in cal.walk("VEVENT"):
        if "RECURRENCE-ID" in component or "RRULE" not in component:
            continue
        rules = _list(component.get("RRULE"))
        return rules[0], component["DTSTART"].dt
    return None
