"""Who and when: time and sender filters over indexed messages, with a fixed --now."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant import library
from assistant.answer import named_senders
from conftest import write_config

DATA = Path(__file__).parent.parent / "data" / "messages"
TZ = ZoneInfo("Europe/Berlin")
SENDERS = ["Ada Brandt", "Sam Keller", "Mira Keller", "Mira", "Mum", "Konrad Vogel", "Me"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("messages_home")
    shutil.copytree(DATA, root / "messages")
    write_config(root, [("messages", "messages")])
    return root


@pytest.fixture
def rt(home: Path, make_runtime):
    runtime = make_runtime(home)
    library.index(runtime)
    return runtime


def test_search_hits_carry_kind_and_time(rt) -> None:
    hits = library.search(rt, "plumber radiator Thursday", k=5)
    email = next(h for h in hits if h.kind == "email")
    assert email.time is not None and email.path.endswith("Inbox")
    chat = library.search(rt, "first S-Bahn to the airport", k=1)[0]
    assert chat.kind == "message"
    assert chat.to_json(TZ)["time"] == "2026-11-18T20:14:00+01:00"


def test_after_and_before_keep_only_messages_in_the_window(rt) -> None:
    hits = library.search(rt, "flight Lisbon", k=10, after="2026-11-16", before="2026-11-23")
    assert hits
    for hit in hits:
        assert datetime(2026, 11, 16, tzinfo=TZ) <= hit.time < datetime(2026, 11, 23, tzinfo=TZ)


def test_a_time_phrase_is_relative_to_now(rt) -> None:
    hits = library.search(rt, "flight", k=10, after="last week", before="2026-11-23")
    assert hits and all(h.time >= datetime(2026, 11, 16, tzinfo=TZ) for h in hits)


def test_from_keeps_only_windows_a_sender_took_part_in(rt) -> None:
    hits = library.search(rt, "birthday", k=10, senders=["mum"])
    assert hits and all("Mum" in h.senders for h in hits)
    assert library.search(rt, "birthday", k=10, senders=["nobody by this name"]) == []


def test_cli_search_filters_and_json_shape(home: Path, cli) -> None:
    cli(home, "index")
    result = cli(home, "search", "window seat", "--from", "Ada", "--after", "2026-11-01", "--json")
    data = json.loads(result.output)
    hit = data["hits"][0]
    assert set(hit) == {"rank", "score", "kind", "path", "title", "text", "locator", "time"}
    assert hit["kind"] == "message" and hit["title"] == "Ada Brandt"
    assert hit["locator"].startswith("20261118T201500-")  # the message with those words
    assert "window seat" in hit["text"] and hit["time"].startswith("2026-11-18T20:15")


def test_a_question_about_what_someone_said_last_week_gets_both_filters(rt) -> None:
    flt, query = library.answerer(rt).search_filter("what did Ada say last week about the flight?")
    assert flt.after == datetime(2026, 11, 16, tzinfo=TZ)
    assert flt.before == datetime(2026, 11, 23, tzinfo=TZ)
    assert flt.senders == ("Ada Brandt",)
    assert query == "what did say about the flight?"  # the filters stand for the rest


def test_a_question_that_is_not_about_what_someone_said_gets_no_sender_filter(rt) -> None:
    flt, query = library.answerer(rt).search_filter("When is Mira's birthday?")
    assert flt.senders is None and flt.empty
    assert query == "When is Mira's birthday?"


def test_an_unknown_name_falls_back_to_no_sender_filter(rt) -> None:
    flt, _ = library.answerer(rt).search_filter("what did Bartholomew say in October?")
    assert flt.senders is None
    assert flt.after == datetime(2026, 10, 1, tzinfo=TZ)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what did Ada say about the hotel?", ("Ada Brandt",)),
        ("What did Herr Vogel write about the plumber?", ("Konrad Vogel",)),
        ("messages from mira", ("Mira Keller", "Mira")),
        ("what did mum text me?", ("Mum",)),
        ("Did Keller mention Christmas?", ("Sam Keller", "Mira Keller")),
        ("When is Mira's birthday?", ()),  # no "said": the note must stay in reach
        ("what did I say?", ()),  # "I"/"me" never match the "Me" of SMS backups
    ],
)
def test_names_in_a_question_match_known_senders(question: str, expected: tuple) -> None:
    assert named_senders(question, SENDERS) == expected


def test_an_explicit_date_wins_over_a_vague_phrase(rt) -> None:
    flt, _ = library.answerer(rt).search_filter(
        "what did Ada say last week about the flight, the one she mentioned on 18 November 2026?")
    assert (flt.after, flt.before) == (datetime(2026, 11, 18, tzinfo=TZ),
                                       datetime(2026, 11, 19, tzinfo=TZ))
