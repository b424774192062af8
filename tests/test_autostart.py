"""Auto-start: the first search, ask or calendar starts the daemon and is served by it,
warm from then on; the client path loads no model library. Real daemon processes."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliproc import assistant, ok, run_on_terminal

from assistant.ipc import is_running
from conftest import NOTES, NOW, write_config, write_tree

pytestmark = pytest.mark.slow
AUTO = {"ASSISTANT_AUTOSTART": "1"}
MODEL_LIBRARIES = ("torch", "sentence_transformers", "transformers", "llama_cpp", "numpy",
                   "sqlite_vec")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("autostart")
    write_tree(root / "notes", NOTES)
    write_config(root, [("notes", "notes")])
    ok(assistant(root, "index"))
    yield root
    assistant(root, "daemon", "stop")
    assert not is_running(root / "index"), "a test left a daemon behind"


@pytest.fixture
def served(home: Path) -> Path:
    if not is_running(home / "index"):
        ok(assistant(home, "daemon", "start"))
    return home


def daemon_info(home: Path) -> dict:
    return json.loads(ok(assistant(home, "daemon", "status", "--json")).stdout)


def test_the_first_search_starts_the_daemon_and_is_served_by_it(home: Path) -> None:
    assert not is_running(home / "index")
    env = {**os.environ, **AUTO}
    env.pop("ASSISTANT_NOW", None)
    code, screen = run_on_terminal(
        [sys.executable, "-m", "assistant", "search", "Lisbon hotel"], cwd=home, env=env
    )
    assert code == 0, screen
    assert "starting the daemon" in screen and "Lisbon trip" in screen
    info = daemon_info(home)
    assert info["running"] and info["served"] == 1

    again = ok(assistant(home, "search", "Lisbon hotel", "--json", **AUTO))
    assert json.loads(again.stdout)["hits"] and daemon_info(home)["served"] == 2


def test_the_client_path_loads_no_model_library(served: Path) -> None:
    for args in (
        ["search", "Lisbon hotel", "--json"],
        ["--now", NOW, "calendar", "tomorrow", "--json"],
        ["--now", NOW, "ask", "How much is my rent?", "--json"],
    ):
        proc = ok(_importtime(served, args))
        modules = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()}
        assert not modules & set(MODEL_LIBRARIES), (args, modules & set(MODEL_LIBRARIES))


def _importtime(home: Path, args: list[str]):  # type: ignore[no-untyped-def]
    import subprocess

    env = {**os.environ, **AUTO}
    env.pop("ASSISTANT_NOW", None)
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "assistant", *args],
        cwd=home, env=env, capture_output=True, text=True, timeout=300,
    )


def test_status_says_whether_the_models_are_loaded(served: Path) -> None:
    deadline = time.monotonic() + 300
    while not daemon_info(served)["models_loaded"]:
        assert time.monotonic() < deadline, daemon_info(served)
        time.sleep(0.5)
    assert daemon_info(served)["models_loaded"] is True
    assert "models loaded" in ok(assistant(served, "daemon", "status")).stdout
    assert "models loaded" in ok(assistant(served, "status")).stdout
    status = json.loads(ok(assistant(served, "status", "--json")).stdout)
    assert status["daemon"]["models_loaded"] is True


def test_no_daemon_and_autostart_off_stay_in_process(tmp_path: Path) -> None:
    write_tree(tmp_path / "notes", NOTES)
    write_config(tmp_path, [("notes", "notes")])
    ok(assistant(tmp_path, "index"))
    ok(assistant(tmp_path, "--no-daemon", "search", "rent", **AUTO))
    assert not is_running(tmp_path / "index")
    write_config(tmp_path, [("notes", "notes")], extra="[daemon]\nautostart = false\n")
    ok(assistant(tmp_path, "search", "rent", **AUTO))
    assert not is_running(tmp_path / "index")
    assert not (tmp_path / "index" / "daemon.pid").exists()
