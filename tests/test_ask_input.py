"""Any question gets a one-line answer or a one-line error: never a traceback, never a hang."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def home(notes_home: Path, cli) -> Path:
    assert cli(notes_home, "index").exit_code == 0
    return notes_home


@pytest.mark.parametrize(
    ("question", "problem"),
    [("", "empty"), ("    ", "empty"), ("?!?...", "no words"), ("🙂🙂🙂", "no words")],
)
def test_a_question_without_words_is_a_one_line_error(home: Path, cli, question: str,
                                                      problem: str) -> None:
    result = cli(home, "ask", question)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and problem in line


def test_a_question_of_ten_thousand_characters_is_read_in_part_and_says_so(home: Path,
                                                                           cli) -> None:
    question = "How much is my rent? " + "please " * 1500  # 10,000+ characters
    result = cli(home, "ask", question, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["answer"]  # an answer or a refusal, in one piece
    assert any("first 2000 characters" in note for note in data["intent"]["notes"])


@pytest.mark.parametrize(
    "question",
    ["wann ist mein flight to Lisbon?", "Wie viel ist die Miete? how much?", "🙂 rent? 🙂",
     "a" * 300, "!!! what is my sourdough starter called ???"],
)
def test_odd_and_mixed_questions_get_an_answer_or_a_refusal(home: Path, cli,
                                                            question: str) -> None:
    result = cli(home, "ask", question, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answer"] and data["route"] in ("search", "calendar")
    assert "Traceback" not in result.stderr
