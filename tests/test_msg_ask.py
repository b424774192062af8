"""End to end over the sample messages: "what did Ada say last week about the flight?"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant import library
from conftest import write_config

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample_home")
    shutil.copytree(DATA / "notes", root / "notes")
    shutil.copytree(DATA / "messages", root / "messages")
    write_config(root, [("notes", "notes"), ("messages", "messages")])
    return root


@pytest.fixture
def rt(home: Path, make_runtime):
    runtime = make_runtime(home, now="2026-11-23T09:00")
    report = library.index(runtime)
    assert report.failed == 0 and not report.warnings
    return runtime


def test_ask_cites_adas_message_about_the_flight_with_sender_and_date(rt) -> None:
    answer = library.ask(rt, "what did Ada say last week about the flight?")
    assert answer.grounded, answer.answer
    assert answer.route == "search"
    (citation,) = answer.citations
    assert citation.path.endswith("WhatsApp Chat with Ada Brandt.txt")
    # her messages about the flight on 18 Nov, 20:14 (times) and 20:15 (check-in), read with
    # their neighbours: "first..last"
    assert citation.locator.split("..")[0].startswith(("20261118T201400-", "20261118T201500-"))
    assert "Ada Brandt:" in answer.answer and "[2026-11-18 20:1" in answer.answer
    assert f"[{citation.n}]" in answer.answer
    assert all(h.kind == "message" for h in answer.hits)  # the sender filter held


def test_ask_json_over_messages_has_the_documented_shape(home: Path, cli) -> None:
    result = cli(home, "ask", "What did Herr Vogel write about the plumber?", "--json")
    data = json.loads(result.output)
    assert data["route"] == "search" and data["grounded"] is True
    assert data["citations"][0]["path"].endswith("Inbox")
    assert data["hits"][0]["kind"] == "email"
    assert "Konrad Vogel" in data["answer"]


def test_what_a_sender_wrote_in_a_week_is_listed_exactly_without_the_model(rt) -> None:
    answer = library.ask(rt, "What did Mum write last week?")  # now: Mon 23 Nov
    assert answer.grounded and answer.route == "search"
    lines = answer.answer.splitlines()
    assert [line.split("] Mum: ")[0] for line in lines] == [
        "- [2026-11-19 20:50",  # a message over three lines, quoted whole
        "- [2026-11-21 09:15",
        "- [2026-11-22 17:31",
    ]
    assert "Dad already asked about trains." in lines[0]
    assert "Mira Keller:" not in answer.answer and "Dad:" not in answer.answer
    assert sorted(c.n for c in answer.citations) == list(range(1, len(answer.citations) + 1))
    for line in lines:  # every quote names the window it comes from, numbered as listed
        n = int(line.rsplit("[", 1)[1].rstrip("]"))
        cited = next(c for c in answer.citations if c.n == n)
        window = next(h for h in answer.hits if h.locator == cited.locator)
        assert line[2:].split("] Mum: ")[1].split()[0] in window.text
    assert rt._llm is None


def test_a_topic_after_the_sender_still_goes_to_the_model(rt) -> None:
    answer = library.ask(rt, "What did Mum write last week about the birthday?")
    assert answer.grounded
    assert "9 December" in answer.answer
    assert len(answer.answer.splitlines()) == 1


def test_mails_of_a_sender_named_with_a_title_are_listed_oldest_first(rt) -> None:
    answer = library.ask(rt, "What did Herr Vogel write?")
    assert answer.grounded
    lines = answer.answer.splitlines()
    assert [line.split("] ")[0] for line in lines] == [
        "- [Thu 19 Nov 2026 17:45",
        "- [Thu 19 Nov 2026 19:30",
    ]
    assert "Kind regards" not in answer.answer  # a sign-off is not something he said
    assert all(c.path.endswith("Inbox") for c in answer.citations)
