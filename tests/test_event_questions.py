"""Questions about one event or series are answered from its occurrences, exactly.

The fixture is a Google export written for these tests (tests/fixtures/calendar/
questions-google.ics); "now" is Monday 23 November 2026, 09:00 in Berlin. Expected
times are worked out by hand from RFC 5545 (noted beside each).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant import library
from assistant.answer import Answer
from assistant.config import load_config
from assistant.runtime import Runtime
from conftest import NOW, write_config, write_tree

TZ = ZoneInfo("Europe/Berlin")
FIXTURE = Path(__file__).parent / "fixtures" / "calendar" / "questions-google.ics"
NOTES = {
    "work/team.md": "# Team\n\nThe team sync agenda lives in the wiki. Dana Ortiz is our contact at Acme.\n",
    "learning/languages.md": "# Languages\n\nThe Thursday class at the Volkshochschule is a "
                             "conversation course, Carmen teaches it.\n",
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("events")
    (root / "calendar").mkdir()
    shutil.copy(FIXTURE, root / "calendar")
    write_tree(root / "notes", NOTES)
    write_config(root, [("calendar", "calendar"), ("notes", "notes")])
    runtime = Runtime(config=load_config(root / "config.toml"), now_override=NOW)
    report = library.index(runtime)
    assert report.failed == 0, report.errors
    yield runtime
    runtime.close()


def starts(answer: Answer) -> list[str]:
    return [e.to_json(TZ)["start"] for e in answer.events or []]


def ask(rt: Runtime, question: str) -> Answer:
    answer = library.ask(rt, question)
    assert answer.route == "calendar", (question, answer.answer)
    return answer


def test_a_moved_occurrence_is_answered_at_its_new_time(rt: Runtime) -> None:
    # RECURRENCE-ID 20261130T100000 with DTSTART 15:00: that Monday's sync moved to 15:00
    answer = ask(rt, "When is the team sync on Nov 30?")
    assert starts(answer) == ["2026-11-30T15:00:00+01:00"]
    assert "15:00" in answer.answer


def test_a_series_found_by_search_shows_its_next_occurrence_not_its_first(rt: Runtime) -> None:
    hit = library.search(rt, "team sync", k=1, kinds=["event"])[0]
    assert "every Monday 10:00–10:30, from Monday 05 October 2026" in hit.text


@pytest.mark.parametrize(
    "question",
    [
        "is the team sync on 7 December still happening?",  # EXDATE 20261207T100000
        "Is the Team Sync on the 7th of december still on",
        "team sync dec 7 - cancelled?",
    ],
)
def test_an_excluded_occurrence_is_said_to_be_cancelled(rt: Runtime, question: str) -> None:
    answer = ask(rt, question)
    assert "cancelled" in answer.answer and answer.events == []
    assert answer.grounded and answer.citations  # it cites the series


@pytest.mark.parametrize(
    "question",
    ["is the vendor demo on friday still happening?", "Is Friday's Routefox demo still on",
     "when is the vendor demo"],
)
def test_a_cancelled_one_off_event_is_said_to_be_cancelled(rt: Runtime, question: str) -> None:
    answer = ask(rt, question)  # STATUS:CANCELLED, 13:00Z = 14:00 in Berlin
    assert "Vendor demo – Routefox on Friday 27 November 2026 14:00 was cancelled" in answer.answer


def test_a_cancelled_event_is_never_on_the_agenda(rt: Runtime) -> None:
    answer = ask(rt, "what do I have on friday?")
    assert all("Vendor" not in e.title for e in answer.events)


@pytest.mark.parametrize(
    ("question", "asked", "own"),
    [
        ("what time is the Acme call in New York time?", "10:00", "16:00"),
        ("the acme call - what time is that in new york?", "10:00", "16:00"),
        ("what time is the acme call UK time", "15:00", "16:00"),
        ("when's the call with Dana, in EST", "10:00", "16:00"),
    ],
)
def test_a_time_in_another_zone_is_converted(rt: Runtime, question: str, asked: str,
                                             own: str) -> None:
    answer = ask(rt, question)  # DTSTART;TZID=America/New_York:20261125T100000
    assert asked in answer.answer and own in answer.answer
    assert starts(answer) == ["2026-11-25T16:00:00+01:00"]


@pytest.mark.parametrize(
    "question",
    [
        "When is Mira's birthday this year, and what day of the week is it?",
        "what day of the week is miras bday this year",
        "mira's birthday - which day is it on?",
    ],
)
def test_a_birthday_this_year_with_its_weekday(rt: Runtime, question: str) -> None:
    answer = ask(rt, question)  # yearly all-day from 9 Dec 2021: Wednesday 9 Dec 2026
    assert "Wednesday 9 December 2026" in answer.answer
    assert starts(answer) == ["2026-12-09"]


@pytest.mark.parametrize(
    "question",
    ["when are the remaining spanish classes?", "how many more spanish classes are there",
     "spanish class - what's left?"],
)
def test_the_remaining_occurrences_of_a_finite_series(rt: Runtime, question: str) -> None:
    # COUNT=10 Thursdays from 1 Oct: ... 19 Nov, 26 Nov, 3 Dec; from Mon 23 Nov two are left
    answer = ask(rt, question)
    assert starts(answer) == ["2026-11-26T18:00:00+01:00", "2026-12-03T18:00:00+01:00"]
    assert "(2)" in answer.answer


@pytest.mark.parametrize(
    "question",
    ["What's on my calendar during the Lisbon trip?", "anything on while I'm in lisbon",
     "what will i miss while i'm in lisbon",
     "whats in the calender for the lisbon trip"],
)
def test_the_agenda_during_a_trip_that_is_itself_an_event(rt: Runtime, question: str) -> None:
    answer = ask(rt, question)  # all-day 12-16 Dec (DTEND 17 Dec exclusive); Monday 14 Dec
    assert [e.title for e in answer.events] == [
        "Flight TP 555 Berlin → Lisbon", "Dinner at Taberna", "Team sync",
        "Flight TP 556 Lisbon → Berlin"]


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("when do I fly back from lisbon", "Flight TP 556 Lisbon → Berlin"),
        ("what time is my flight to lisbon", "Flight TP 555 Berlin → Lisbon"),
        ("when does the flight home leave lisbon?", "Flight TP 556 Lisbon → Berlin"),
    ],
)
def test_the_direction_of_a_trip_picks_the_flight(rt: Runtime, question: str, title: str) -> None:
    answer = ask(rt, question)
    assert [e.title for e in answer.events] == [title]


def test_what_is_left_today_starts_now(rt: Runtime) -> None:
    answer = ask(rt, "what's left on my calendar today?")  # now 09:00, the sync is at 10:00
    assert [e.title for e in answer.events] == ["Team sync"]
    assert "09:00–24:00" in answer.answer


def test_the_first_occurrence_of_a_series(rt: Runtime) -> None:
    answer = ask(rt, "when was the very first team sync?")
    assert starts(answer) == ["2026-10-05T10:00:00+02:00"]


def test_an_event_not_in_the_asked_window_is_not_presented_as_found(rt: Runtime) -> None:
    answer = ask(rt, "when is the acme call in january?")
    assert not answer.grounded and "not on your calendar" in answer.answer


def test_a_question_about_an_event_that_is_not_there_goes_to_the_notes(rt: Runtime) -> None:
    answer = library.ask(rt, "when is my dermatologist appointment?")
    assert answer.route == "search" and not answer.grounded


def test_an_event_named_by_a_word_the_notes_write_beside_it(rt: Runtime) -> None:
    # "spanish" is in "Spanish class"; the notes write "conversation" beside "class"
    answer = ask(rt, "when's my next spanish conversation?")
    assert starts(answer) == ["2026-11-26T18:00:00+01:00"]
    # nothing relates "pottery" to any event: the notes are searched instead
    assert library.ask(rt, "when's my next pottery class?").route != "calendar"


def test_the_last_one_of_the_course_is_the_series_end(rt: Runtime) -> None:
    answer = ask(rt, "when is the last spanish class of the course")  # COUNT=10: 3 Dec
    assert starts(answer) == ["2026-12-03T18:00:00+01:00"]


@pytest.mark.parametrize("question", [
    "first team sync once I'm back from lisbon", "when's the team sync after the lisbon trip?",
    "team sync when we get back from Lisbon"])
def test_an_event_after_another_is_the_first_one_once_that_one_is_over(
        rt: Runtime, question: str) -> None:
    # the trip is all-day 12-16 Dec; the weekly sync after it is Monday 21 Dec, 10:00
    answer = ask(rt, question)
    assert starts(answer) == ["2026-12-21T10:00:00+01:00"]


@pytest.mark.parametrize("question", ["what do I have on Monday 7 December?",
                                      "anything on dec 7", "do i have anything on the 7th of december?"])
def test_a_days_agenda_says_what_was_cancelled_that_day(rt: Runtime, question: str) -> None:
    answer = ask(rt, question)  # EXDATE 20261207T100000: that Monday's sync is off
    assert "Cancelled: Team sync (Monday 7 December 2026 10:00)" in answer.answer
    assert all(e.title != "Team sync" for e in answer.events)


def test_none_left_in_the_asked_window_says_so_and_when_the_next_is(rt: Runtime) -> None:
    answer = library.ask(rt, "how many team syncs are left this week")  # Mon 23 Nov, 10:00 next
    assert "Remaining (1)" in answer.answer
    # the sync is weekly without end: none is left on the 7th (EXDATE), the next is the 14th
    answer = library.ask(rt, "any team syncs left on 7 december?")
    assert answer.route == "calendar" and "Remaining" not in answer.answer
    assert "Monday 14 December 2026" in answer.answer
