"""`assistant calendar` and calendar questions in `ask`, over the sample calendars indexed for real."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assistant import library
from assistant.config import load_config
from assistant.runtime import Runtime
from conftest import NOTES, NOW, write_config, write_tree

DATA = Path(__file__).parents[1] / "data" / "calendar"
JSON_KEYS = {"title", "start", "end", "all_day", "location", "path", "uid"}
TUESDAY = ["Dentist check-up (Dr. Yilmaz)", "Atlas standup", "Running club intervals"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample calendars and a few notes, indexed once (read-only afterwards)."""
    root = tmp_path_factory.mktemp("home")
    shutil.copytree(DATA, root / "calendar")
    write_tree(root / "notes", NOTES)
    write_config(root, [("calendar", "calendar"), ("notes", "notes")])
    rt = Runtime(config=load_config(root / "config.toml"), now_override=NOW)
    report = library.index(rt)
    assert report.failed == 0 and report.warnings == [], report.errors + report.warnings
    rt.close()
    return root


@pytest.fixture
def rt(home: Path):
    runtime = Runtime(config=load_config(home / "config.toml"), now_override=NOW)
    yield runtime
    runtime.close()


def run_json(cli, home: Path, *args: str) -> dict:
    result = cli(home, "calendar", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def event_titles(data: dict) -> list[str]:
    return [e["title"] for e in data["events"]]


# --- the command -------------------------------------------------------------------------------


def test_calendar_defaults_to_today(home: Path, cli) -> None:
    data = run_json(cli, home)
    assert data["window"] == {"start": "2026-11-23T00:00:00+01:00",
                              "end": "2026-11-24T00:00:00+01:00"}
    assert event_titles(data) == ["Rollback plan review with Jonas"]


def test_calendar_tomorrow_lists_exactly_tuesdays_events(home: Path, cli) -> None:
    data = run_json(cli, home, "tomorrow")
    assert event_titles(data) == TUESDAY
    assert set(data) == {"window", "events", "truncated", "truncated_series"}
    assert (data["truncated"], data["truncated_series"]) == (False, [])
    assert all(set(e) == JSON_KEYS for e in data["events"])
    dentist = data["events"][0]
    assert (dentist["start"], dentist["end"], dentist["all_day"]) == (
        "2026-11-24T08:30:00+01:00", "2026-11-24T09:15:00+01:00", False)
    assert dentist["path"] == str(home / "calendar" / "icloud-home.ics")


def test_next_tuesday_quoted_or_not_is_a_window(home: Path, cli) -> None:
    assert run_json(cli, home, "next", "tuesday") == run_json(cli, home, "next tuesday")
    assert event_titles(run_json(cli, home, "next", "tuesday")) == TUESDAY
    week = run_json(cli, home, "next", "week")
    assert week["window"]["start"] == "2026-11-30T00:00:00+01:00"


def test_all_day_events_are_dates_with_exclusive_end(home: Path, cli) -> None:
    data = run_json(cli, home, "2026-12-13")
    trip = [e for e in data["events"] if e["title"] == "Lisbon trip with Ada"][0]
    assert (trip["start"], trip["end"], trip["all_day"]) == ("2026-12-12", "2026-12-17", True)
    assert event_titles(data) == ["Lisbon trip with Ada", "Long run along the Tagus"]


def test_flights_are_shown_in_the_configured_zone(home: Path, cli) -> None:
    data = run_json(cli, home, "12 December")
    flight = [e for e in data["events"] if e["title"].startswith("Flight TP 555")][0]
    assert (flight["start"], flight["end"]) == ("2026-12-12T07:10:00+01:00",
                                                "2026-12-12T10:55:00+01:00")  # 09:55 in Lisbon


def test_calendar_free_json(home: Path, cli) -> None:
    data = run_json(cli, home, "free", "friday")
    assert set(data) == {"window", "busy", "free", "truncated", "truncated_series"}
    assert (data["truncated"], data["truncated_series"]) == (False, [])
    assert event_titles({"events": data["busy"]}) == ["Atlas release readiness review"]
    assert data["free"] == [
        {"start": "2026-11-27T09:00:00+01:00", "end": "2026-11-27T14:00:00+01:00"},
        {"start": "2026-11-27T15:30:00+01:00", "end": "2026-11-27T18:00:00+01:00"},
    ]


def test_calendar_free_options(home: Path, cli) -> None:
    data = run_json(cli, home, "free", "friday", "--min", "3h", "--hours", "08:00-20:00")
    assert data["free"] == [
        {"start": "2026-11-27T08:00:00+01:00", "end": "2026-11-27T14:00:00+01:00"},
        {"start": "2026-11-27T15:30:00+01:00", "end": "2026-11-27T20:00:00+01:00"},
    ]


def test_calendar_next_finds_the_dentist(home: Path, cli) -> None:
    data = run_json(cli, home, "next", "dentist")
    assert data["query"] == "dentist" and event_titles(data) == ["Dentist check-up (Dr. Yilmaz)"]


def test_the_agenda_is_a_table_per_day(home: Path, cli) -> None:
    result = cli(home, "calendar", "this weekend")
    assert result.exit_code == 0
    assert "Saturday 28 November 2026" in result.stdout
    assert "Sunday 29 November 2026" in result.stdout
    assert "Atlas migration dry run" in result.stdout and "22:00" in result.stdout
    assert "Bike service" not in result.stdout  # cancelled


def test_an_unreadable_time_is_a_one_line_error(home: Path, cli) -> None:
    result = cli(home, "calendar", "whenever")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot read the time 'whenever'")
    assert result.stderr.count("\n") == 1


def test_the_arguments_sent_to_the_daemon_are_plain_json(home: Path, cli, monkeypatch) -> None:
    import assistant.cli_calendar as cli_calendar

    sent: list[dict] = []

    def fake_call(rt, op, args, **_):
        sent.append(json.loads(json.dumps(args)))
        return library.calendar_json(rt, **args)

    monkeypatch.setattr(cli_calendar, "call", fake_call)
    run_json(cli, home, "free", "friday", "afternoon", "--min", "1h")
    assert sent == [{"action": "free", "when": "friday afternoon", "min": "1h", "hours": None}]


# --- calendar questions in ask -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "titles"),
    [
        ("What do I have tomorrow?", TUESDAY),
        ("what do I have next Tuesday?", TUESDAY),
        ("Do I have anything on 3 December?", ["Atlas steering meeting"]),
        ("what's on this weekend?", ["Atlas migration dry run", "Sunday long run"]),
        ("What's on my calendar on Wednesday?",  # 1:1 with Priya is fortnightly: not this one
         ["Call with Dana Okafor (New York)", "Call with Ada about Lisbon"]),
        ("when is my next dentist appointment?", ["Dentist check-up (Dr. Yilmaz)"]),
        ("When is my next flight to Lisbon?", ["Flight TP 555 Berlin → Lisbon"]),
        ("am I free Friday afternoon?", ["Atlas release readiness review"]),
    ],
)
def test_calendar_questions_are_answered_exactly(rt: Runtime, question: str, titles) -> None:
    data = library.ask_json(rt, question)
    assert data["route"] == "calendar" and data["grounded"] is True
    assert [e["title"] for e in data["events"]] == titles
    assert all(set(e) == JSON_KEYS for e in data["events"])
    for title in titles:
        assert title in data["answer"]
    cited = [c["locator"] for c in data["citations"]]
    assert cited[: len(titles)] == [f"uid:{e['uid']}" for e in data["events"]]
    # ... then the events the answer says were cancelled or moved away that day
    assert len(cited) == len(titles) + len(re.findall(r"\(\w+day \d+ \w+ \d{4}", data["answer"]))


def test_a_days_answer_says_a_lesson_cancelled_that_day(rt: Runtime) -> None:
    data = library.ask_json(rt, "Do I have anything on 3 December?")  # RECURRENCE-ID CANCELLED
    assert "Cancelled: Portuguese lesson (Thursday 3 December 2026 18:30)." in data["answer"]
    assert "Portuguese lesson" not in [e["title"] for e in data["events"]]


def test_the_answer_text_has_the_times(rt: Runtime) -> None:
    answer = library.ask(rt, "What do I have tomorrow?").answer
    assert answer.splitlines() == [
        "Tuesday 24 November 2026:",
        "- 08:30–09:15 Dentist check-up (Dr. Yilmaz), at Zahnarztpraxis am Arkonaplatz, "
        "Arkonaplatz 5, 10435 Berlin, Germany",
        "- 10:00–10:30 Atlas standup, at Microsoft Teams Meeting",
        "- 19:00–20:30 Running club intervals, at Mauerpark, Berlin",
    ]
    free = library.ask(rt, "am I free Friday afternoon?").answer
    assert "12:00–14:00, 15:30–18:00" in free
    busy = library.ask(rt, "Am I busy tomorrow morning?").answer
    assert busy.startswith("Busy on Tuesday 24 November 2026, 06:00–12:00: 08:30–09:15 Dentist")


def test_a_calendar_question_never_loads_the_language_model(rt: Runtime) -> None:
    library.ask(rt, "What do I have tomorrow?")
    assert rt._llm is None


def test_an_empty_day_says_so(rt: Runtime) -> None:
    data = library.ask_json(rt, "what do I have on 2026-11-30?")
    assert data["route"] == "calendar" and data["events"] == []
    assert data["answer"] == "Nothing on your calendar for Monday 30 November 2026."


@pytest.mark.parametrize(
    "question",
    [
        "What do I have to bring to Lisbon?",
        "what did Ada say last week about the flight?",
        "What is my sourdough starter called?",
        # a pottery exhibition is on the calendar, no pottery class: the notes may know
        "When is my next pottery class?",
    ],
)
def test_questions_the_calendar_cannot_answer_go_to_search(rt: Runtime, question: str) -> None:
    assert library.planner(rt).plan(question, rt.now).route == "search"


def test_events_are_searchable_chunks(rt: Runtime) -> None:
    hits = library.search(rt, "dentist check-up Dr. Yilmaz", k=3, kinds=["event"])
    assert hits and hits[0].kind == "event" and hits[0].title == "Dentist check-up (Dr. Yilmaz)"
    assert hits[0].to_json(rt.tz)["time"] == "2026-11-24T08:30:00+01:00"


def test_a_flight_on_the_calendar_is_answered_from_the_calendar(rt: Runtime) -> None:
    answer = library.ask(rt, "When does my flight to Lisbon leave?")
    assert answer.route == "calendar"
    assert answer.events and answer.events[0].title == "Flight TP 555 Berlin → Lisbon"
    assert "Saturday 12 December 2026, 07:10" in answer.answer


# --- a series too dense to list whole (issue 13) -----------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
FORTNIGHT = "between 1 May 2031 and 14 May 2031"  # Ping, every minute: 20,160 occurrences


@pytest.fixture(scope="module")
def dense_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dense")
    (root / "calendar").mkdir()
    shutil.copy(FIXTURES / "endless.ics", root / "calendar")
    write_config(root, [("calendar", "calendar")])
    rt = Runtime(config=load_config(root / "config.toml"), now_override=NOW)
    assert library.index(rt).failed == 0
    rt.close()
    return root


def test_a_cut_agenda_says_so_in_json(dense_home: Path, cli) -> None:
    data = run_json(cli, dense_home, FORTNIGHT)
    cut = data["truncated_series"]
    assert data["truncated"] is True and [(c["uid"], c["title"]) for c in cut] == [
        ("every-minute", "Ping")]
    assert cut[0]["until"] == "2031-05-07T22:40:00+02:00"  # 10,000 minutes after 1 May 00:00
    pings = [e for e in data["events"] if e["title"] == "Ping"]
    assert pings[-1]["start"] == "2031-05-07T22:39:00+02:00"
    free = run_json(cli, dense_home, "free", FORTNIGHT)
    assert free["truncated"] is True and free["truncated_series"] == cut


def test_a_cut_agenda_says_so_in_words(dense_home: Path, cli) -> None:
    result = cli(dense_home, "calendar", FORTNIGHT)
    assert result.exit_code == 0
    assert ("The list is cut: Ping has more than 10,000 occurrences in this window; "
            "those from Wed 7 May 2031 22:40 on are not shown.") in " ".join(result.stdout.split())


def test_a_cut_agenda_in_ask_says_so(dense_home: Path) -> None:
    rt = Runtime(config=load_config(dense_home / "config.toml"), now_override="2031-05-01T00:00")
    data = library.ask_json(rt, "Show my agenda for the next 14 days")
    rt.close()
    assert data["route"] == "calendar" and data["truncated"] is True
    assert [c["title"] for c in data["truncated_series"]] == ["Ping"]
    assert "The list is cut: Ping has more than 10,000 occurrences" in data["answer"]


def test_index_groups_a_files_repeated_warnings(tmp_path: Path) -> None:
    (tmp_path / "calendar").mkdir()
    for name in ("todo-export-empty-events.ics", "outlook-backwards.ics"):
        shutil.copy(FIXTURES / name, tmp_path / "calendar")
    write_config(tmp_path, [("calendar", "calendar")])
    rt = Runtime(config=load_config(tmp_path / "config.toml"), now_override=NOW)
    report = library.index(rt)
    rt.close()
    folder = tmp_path / "calendar"
    assert sorted(w.split(": ", 1)[0] for w in report.warnings) == [
        str(folder / "outlook-backwards.ics"), str(folder / "todo-export-empty-events.ics")]
    assert (f"{folder / 'todo-export-empty-events.ics'}: 20 events without a start (no "
            "DTSTART); skipped: line 12 (UID taskly-1@taskly.example), line 17 (UID "
            "taskly-2@taskly.example), line 22 (UID taskly-3@taskly.example) and 17 more"
            ) in report.warnings

