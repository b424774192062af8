"""On a terminal a slow command says what it waits for, and `index` shows its progress; with
--json or a pipe nothing but the result is printed. Driven through a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from cliproc import assistant, ok, run_on_terminal

from conftest import NOTES, NOW, write_config, write_tree

pytestmark = pytest.mark.slow


def on_terminal(home: Path, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_NOW", "ASSISTANT_CONFIG")}
    return run_on_terminal([sys.executable, "-m", "assistant", *args], cwd=home, env=env)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("terminal")
    write_tree(root / "notes", NOTES)
    write_config(root, [("notes", "notes")])
    ok(assistant(root, "index"))
    return root


def test_ask_on_a_terminal_says_what_it_is_waiting_for(home: Path) -> None:
    code, screen = on_terminal(
        home, "--no-daemon", "--now", NOW, "ask", "When does my flight to Lisbon leave?"
    )
    assert code == 0, screen
    assert "loading the embedding model…" in screen  # "searching…" may be too brief to show
    # the bundled model's answer is the passage's own sentence: no language model to load
    assert "TP 555" in screen and "Sources" in screen


def test_json_and_pipes_get_only_the_result(home: Path) -> None:
    code, screen = on_terminal(home, "--no-daemon", "search", "Lisbon hotel", "--json")
    assert code == 0
    assert "\x1b" not in screen and "loading" not in screen and "searching" not in screen
    assert json.loads(screen)["hits"]
    piped = ok(assistant(home, "--no-daemon", "search", "Lisbon hotel"))
    assert piped.stderr == "" and "\x1b" not in piped.stdout


def test_index_on_a_terminal_shows_files_chunks_rate_and_eta(tmp_path: Path) -> None:
    paragraph = "Paragraph {p} of note {i} about budgets, trips and bread. " * 8
    write_tree(
        tmp_path / "notes",
        {f"n{i:03d}.md": f"# Note {i}\n\n" + "\n\n".join(paragraph.format(p=p, i=i) for p in range(3))
         for i in range(40)},
    )
    write_config(tmp_path, [("notes", "notes")])
    code, screen = on_terminal(tmp_path, "index")
    assert code == 0, screen
    assert "indexing" in screen and "/40 files ·" in screen
    assert " chunks · " in screen and "chunks/s" in screen and "ETA " in screen
    assert "40 added, 0 updated, 0 removed, 0 unchanged, 0 failed" in screen

    write_tree(tmp_path / "notes", {f"more{i}.md": paragraph.format(p=0, i=i) for i in range(5)})
    piped = ok(assistant(tmp_path, "index"))  # no terminal: no bar, only the summary
    assert piped.stderr == "" and piped.stdout.startswith("5 added")
