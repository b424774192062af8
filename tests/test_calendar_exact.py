"""Calendar answers say exactly what was asked: busy only within the hours searched, no
zone conversion into the zone one is already in, "on the 4th" as the event's next 4th."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.calendar import free_slots
from assistant.event_lookup import day_of_month, on_day_of_month, same_clock
from assistant.sources import ParseContext, ics
from assistant.store import NewDocument, Store

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2027, 5, 13, 9, 0, tzinfo=TZ)


def calendar(events: list[tuple[str, datetime, datetime]], extra: str = "") -> str:
    body = "".join(
        f"BEGIN:VEVENT\nUID:e{i}@test\nSUMMARY:{title}\nDTSTART;TZID=America/Toronto:"
        f"{a:%Y%m%dT%H%M%S}\nDTEND;TZID=America/Toronto:{b:%Y%m%dT%H%M%S}\n{extra}END:VEVENT\n"
        for i, (title, a, b) in enumerate(events))
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\n{body}END:VCALENDAR\n"


def store_with(folder: Path, text: str) -> Store:
    path = folder / "cal.ics"
    path.write_text(text, encoding="utf-8")
    store = Store(folder / "index.db")
    doc = NewDocument(path=str(path), kind="calendar", format="ics", hash="x", mtime=0.0, size=0)
    with store.writing(doc) as writer:
        writer.add_events(list(ics.parse(path, ParseContext(tz=TZ))))
    return store


@settings(max_examples=12, deadline=None)
@given(inside=st.integers(9, 16), outside=st.sampled_from([6, 7, 19, 20, 21, 22]))
def test_free_time_lists_only_the_busy_events_within_the_hours_searched(
        inside: int, outside: int) -> None:
    day = datetime(2027, 5, 14, tzinfo=TZ)
    events = [("Standup", day.replace(hour=inside), day.replace(hour=inside, minute=45)),
              ("Night shift", day.replace(hour=outside), day.replace(hour=outside) + timedelta(hours=1))]
    with tempfile.TemporaryDirectory() as tmp:
        store = store_with(Path(tmp), calendar(events))
        busy, free = free_slots(store, day, day + timedelta(days=1), TZ)  # 09:00-18:00
        store.close()
    assert [o.title for o in busy] == ["Standup"]
    assert free  # the hours around the standup are free


@given(zone=st.sampled_from(["America/Toronto", "America/New_York", "America/Montreal"]),
       hour=st.integers(0, 23))
def test_a_zone_with_the_same_clock_as_the_users_needs_no_conversion(zone: str, hour: int) -> None:
    from assistant.calendar import Occurrence

    start = datetime(2027, 7, 4, hour, tzinfo=TZ)
    occ = Occurrence("Comida", start, start + timedelta(hours=1), False, None, "p", "u")
    assert same_clock(occ, ZoneInfo(zone), TZ)
    assert not same_clock(occ, ZoneInfo("America/Mexico_City"), TZ)


@given(n=st.integers(1, 31), form=st.sampled_from(["on the {}{}", "the {}{}", "{}{}", "On the {}{}"]))
def test_a_bare_day_of_the_month_is_read_as_such(n: int, form: str) -> None:
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(n, "th")
    assert day_of_month(form.format(n, suffix)) == n
    assert day_of_month(f"on the {n}{suffix} of June") is None  # a month named: a date
    assert day_of_month("next friday") is None


@given(day=st.integers(1, 28))
def test_on_a_day_of_the_month_a_named_event_is_its_next_occurrence_on_that_day(day: int) -> None:
    # a one-off event a month and a half ahead, on the asked day: not "not on your calendar"
    when = datetime(2027, 7, day, 16, 0, tzinfo=TZ)
    with tempfile.TemporaryDirectory() as tmp:
        store = store_with(Path(tmp), calendar([("Comida", when, when + timedelta(hours=5))]))
        found = on_day_of_month(store, None, day, NOW, TZ)
        other = on_day_of_month(store, None, day % 28 + 1, NOW, TZ)
        store.close()
    assert [o.start_in(TZ) for o in found] == [when]
    assert other == []


@settings(max_examples=8, deadline=None)
@given(offset=st.integers(2, 20), kind=st.sampled_from(["free", "agenda"]))
def test_an_answer_with_no_events_cites_the_calendars_it_read(offset: int, kind: str) -> None:
    from assistant.calendar_ask import CalendarQuestion, answer_question
    from assistant.timeparse import days_window

    busy_day = datetime(2027, 5, 14, 10, tzinfo=TZ)
    with tempfile.TemporaryDirectory() as tmp:
        store = store_with(Path(tmp), calendar([("Standup", busy_day, busy_day + timedelta(hours=1))]))
        empty = (busy_day + timedelta(days=offset)).date()
        window = days_window(empty, empty + timedelta(days=1), TZ)
        nothing = answer_question(store, CalendarQuestion(kind, NOW, window), TZ)
        busy = answer_question(store, CalendarQuestion(kind, NOW, days_window(
            busy_day.date(), busy_day.date() + timedelta(days=1), TZ)), TZ)
        store.close()
    assert nothing is not None and not nothing.events
    assert [Path(p).name for p, _ in nothing.sources] == ["cal.ics"]
    assert busy is not None and busy.events and busy.sources == []
