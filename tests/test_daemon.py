"""The daemon: a real process watching real folders, serving the CLI, surviving kill -9."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import NOTES, write_config, write_tree

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parent.parent / "data"


def run_cli(
    home: Path, *args: str, check: bool = False, umask: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_CONFIG": str(home / "config.toml")}
    env.pop("ASSISTANT_NOW", None)
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed: {proc.stderr}")
    return proc


def search_paths(home: Path, query: str, k: int = 5) -> list[str]:
    data = json.loads(run_cli(home, "search", query, "-k", str(k), "--json", check=True).stdout)
    return [h["path"] for h in data["hits"]]


def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def status(home: Path) -> dict:
    return json.loads(run_cli(home, "daemon", "status", "--json", check=True).stdout)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    write_tree(tmp_path / "notes", NOTES)
    shutil.copytree(DATA / "calendar", tmp_path / "calendar")
    write_config(tmp_path, [("notes", "notes"), ("calendar", "calendar")])
    yield tmp_path
    run_cli(tmp_path, "daemon", "stop")


@pytest.fixture
def daemon(home: Path) -> Path:
    run_cli(home, "daemon", "start", check=True)
    eventually(lambda: status(home).get("phase") == "watching", timeout=120)
    return home


def test_status_reports_a_running_daemon(daemon: Path) -> None:
    info = status(daemon)
    assert info["running"] and info["pid"] > 0 and info["queue"] == 0
    assert "daemon: running" in run_cli(daemon, "status", check=True).stdout


def test_start_returns_with_both_models_loaded(home: Path) -> None:
    started = run_cli(home, "daemon", "start", check=True).stdout
    assert started.startswith("daemon started (pid ") and ", models loaded;" in started
    assert status(home)["models_loaded"] is True
    assert ", models loaded" in run_cli(home, "daemon", "status", check=True).stdout


def test_socket_and_log_are_private(daemon: Path) -> None:
    folder = daemon / "index"
    assert (folder / "daemon.sock").stat().st_mode & 0o777 == 0o600
    assert (folder / "daemon.log").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_new_note_becomes_searchable(daemon: Path) -> None:
    (daemon / "notes" / "garden.md").write_text(
        "# Balcony\nThe chili plants need repotting in April.\n"
    )
    eventually(
        lambda: (
            search_paths(daemon, "repotting chili plants", 1)[:1]
            == [str(daemon / "notes" / "garden.md")]
        )
    )


def test_an_edit_replaces_the_old_text(daemon: Path) -> None:
    note = daemon / "notes" / "ideas.txt"
    note.write_text("Idea: a pottery course with Mira in the spring.\n")

    def updated() -> bool:
        # the new text found in this note (the sample data mentions pottery elsewhere too)
        data = json.loads(run_cli(daemon, "search", "pottery course", "-k", "5", "--json").stdout)
        return any(h["path"] == str(note) and "pottery" in h["text"] for h in data["hits"])

    eventually(updated)
    assert str(note) not in search_paths(daemon, "habit tracker LAN cloud", 5)[:1]


def test_a_deleted_note_disappears(daemon: Path) -> None:
    (daemon / "notes" / "recipes" / "sourdough.md").unlink()
    eventually(lambda: all("sourdough" not in p for p in search_paths(daemon, "Gertrude starter")))


def test_renamed_file_and_folder_are_followed(daemon: Path) -> None:
    notes = daemon / "notes"
    (notes / "home" / "apartment.md").rename(notes / "home" / "flat.md")
    eventually(
        lambda: search_paths(daemon, "rent Herr Vogel", 1)[:1] == [str(notes / "home" / "flat.md")]
    )
    (notes / "travel").rename(notes / "trips")
    eventually(
        lambda: search_paths(daemon, "LX-48213", 1)[:1] == [str(notes / "trips" / "lisbon.md")]
    )
    assert all("/travel/" not in p for p in search_paths(daemon, "Lisbon flight hotel", 5))


def test_an_editor_save_burst_is_indexed_once_with_the_final_text(daemon: Path) -> None:
    before = status(daemon)["indexed"]
    target = daemon / "notes" / "draft.md"
    for i in range(8):  # write to a temp file, then rename over the target, like vim/VS Code
        tmp = daemon / "notes" / f".draft.md.tmp{i}"
        tmp.write_text(f"# Draft\nVersion {i} of the kayak rental plan.\n")
        os.replace(tmp, target)
        time.sleep(0.05)
    eventually(lambda: status(daemon)["indexed"] > before and status(daemon)["queue"] == 0)
    time.sleep(1.0)
    data = json.loads(run_cli(daemon, "search", "kayak rental plan", "-k", "1", "--json").stdout)
    assert "Version 7" in data["hits"][0]["text"]
    assert status(daemon)["indexed"] - before <= 2  # debounced, not 8 updates
    assert run_cli(daemon, "check").returncode == 0


def test_calendar_answers_are_the_same_through_the_daemon(daemon: Path) -> None:
    args = ("--now", "2026-11-23T09:00", "calendar", "tomorrow", "--json")
    via_daemon = json.loads(run_cli(daemon, *args, check=True).stdout)
    assert [e["title"] for e in via_daemon["events"]][:1] == ["Dentist check-up (Dr. Yilmaz)"]
    run_cli(daemon, "daemon", "stop", check=True)
    assert json.loads(run_cli(daemon, *args, check=True).stdout) == via_daemon


def test_every_file_is_private_whatever_the_umask(home: Path) -> None:
    run_cli(home, "daemon", "start", check=True, umask=0)
    eventually(lambda: status(home).get("phase") == "watching", timeout=120)
    (home / "notes" / "new.md").write_text("# New\nA note written while the daemon runs.\n")
    eventually(lambda: str(home / "notes" / "new.md") in search_paths(home, "note written", 3))
    folder = home / "index"
    assert folder.stat().st_mode & 0o777 == 0o700
    for path in folder.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, f"{path.name} is {oct(path.stat().st_mode)}"


def test_a_second_start_refuses_politely(daemon: Path) -> None:
    proc = run_cli(daemon, "daemon", "start")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: the daemon is already running (pid ")
    assert "Traceback" not in proc.stderr


def test_cli_output_is_the_same_with_and_without_the_daemon(daemon: Path) -> None:
    via_daemon = run_cli(daemon, "search", "Lisbon hotel", "--json", check=True).stdout
    run_cli(daemon, "daemon", "stop", check=True)
    in_process = run_cli(daemon, "search", "Lisbon hotel", "--json", check=True).stdout
    assert json.loads(via_daemon) == json.loads(in_process)


def test_kill_9_mid_index_then_restart_leaves_a_consistent_complete_index(home: Path) -> None:
    big = {
        f"bulk/note-{i:03d}.md": f"# Note {i}\n"
        + "\n\n".join(
            f"## Part {j}\n" + f"Paragraph {j} of note {i} about topic {i * 7 + j}. " * 40
            for j in range(3)
        )
        for i in range(60)
    }
    write_tree(home / "notes", big)
    run_cli(home, "daemon", "start", check=True)
    pid = status(home)["pid"]
    eventually(
        lambda: status(home).get("indexed", 0) > 0 or status(home)["phase"] != "starting",
        timeout=120,
    )
    for _ in range(5):  # queries while indexing never fail with "database is locked"
        proc = run_cli(home, "search", "topic", "--json")
        assert proc.returncode == 0, proc.stderr
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    # stale pid file, lock and socket are left behind; a new start recovers
    assert (home / "index" / "daemon.sock").exists()
    run_cli(home, "daemon", "start", check=True)
    eventually(lambda: status(home).get("phase") == "watching", timeout=240)
    report = json.loads(run_cli(home, "check", "--json").stdout)
    assert report["ok"], report["problems"]
    assert report["documents"] == len(NOTES) + len(big) + len(list((home / "calendar").iterdir()))
