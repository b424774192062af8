"""The CLI contract: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HIT_KEYS = {"rank", "score", "kind", "path", "title", "text", "locator", "time"}


def test_index_prints_a_summary(notes_home: Path, cli) -> None:
    result = cli(notes_home, "index")
    assert result.exit_code == 0
    assert "4 added, 0 updated, 0 removed, 0 unchanged, 0 failed" in result.stdout


def test_search_json_has_the_documented_shape(notes_home: Path, cli) -> None:
    cli(notes_home, "index")
    result = cli(notes_home, "search", "Lisbon hotel", "-k", "2", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["query"] == "Lisbon hotel"
    assert len(data["hits"]) == 2
    for hit in data["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["kind"] in {"note", "event", "message", "email"}
        assert Path(hit["path"]).is_absolute()
    assert data["hits"][0]["rank"] == 1
    assert data["hits"][0]["time"] == "2026-11-10T00:00:00+01:00"


@pytest.mark.slow
def test_ask_json_has_the_documented_shape(notes_home: Path, cli) -> None:
    cli(notes_home, "index")
    result = cli(notes_home, "ask", "When does my flight to Lisbon leave?", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) >= {"question", "answer", "route", "grounded", "citations", "hits"}
    assert data["route"] == "search" and data["grounded"] is True
    assert data["citations"][0] == {
        "n": 1,
        "path": str(notes_home / "notes" / "travel" / "lisbon.md"),
        "locator": data["citations"][0]["locator"],
    }
    assert all(set(h) == HIT_KEYS for h in data["hits"])


def test_status_shows_counts_and_models(notes_home: Path, cli) -> None:
    cli(notes_home, "index")
    data = json.loads(cli(notes_home, "status", "--json").stdout)
    assert data["documents"] == {"notes": 4}
    assert data["chunks"]["note"] >= 4
    assert data["store"]["sqlite_module"] in {"sqlcipher3", "sqlean", "pysqlite3.dbapi2", "sqlite3"}
    assert "all-MiniLM-L6-v2" in data["models"]["embedding"]


def test_bad_now_is_a_one_line_error(notes_home: Path, cli) -> None:
    result = cli(notes_home, "status", now="next thursday-ish")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: --now: not an ISO-8601 date or time: 'next thursday-ish' (e.g. 2026-11-23T09:00)"
    )


def test_bad_kind_filter_is_a_one_line_error(notes_home: Path, cli) -> None:
    result = cli(notes_home, "search", "x", "--kind", "photo")
    assert result.exit_code == 1
    assert "--kind must be one of" in result.stderr


def test_a_real_process_never_prints_a_traceback(notes_home: Path) -> None:
    (notes_home / "index").mkdir()
    (notes_home / "index" / "assistant.db").write_bytes(b"garbage" * 1000)
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "search", "x"],
        cwd=notes_home,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and "assistant index --rebuild" in proc.stderr


@pytest.mark.slow
def test_index_stopped_by_sigterm_rolls_back_and_resumes(notes_home: Path, cli) -> None:
    """`kill` (or a service manager) stops a long run like Ctrl-C: exit 130, one line, and
    the store is consistent; the next run indexes what is left."""
    for i in range(300):
        body = "\n\n".join(f"Paragraph {p} of note {i} about budgets, trips and bread." * 8
                           for p in range(6))
        (notes_home / "notes" / "bulk" / f"n{i:03d}.md").parent.mkdir(exist_ok=True)
        (notes_home / "notes" / "bulk" / f"n{i:03d}.md").write_text(f"# Note {i}\n\n{body}\n")
    db = notes_home / "index" / "assistant.db"
    writer = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index"],
        cwd=notes_home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell's background job ignores SIGINT; SIGTERM must still stop it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    deadline = time.monotonic() + 120
    while documents_in(db) < 5:  # it is embedding, well inside the run
        assert writer.poll() is None and time.monotonic() < deadline, writer.communicate()
        time.sleep(0.2)
    writer.send_signal(signal.SIGTERM)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 130
    # (this first run created the store: here, without a key store, with one warning)
    err = "\n".join(x for x in err.splitlines() if not x.startswith("warning: "))
    stopped_at = documents_in(db)
    assert 5 <= stopped_at < 304
    # what is stored is said, and how to go on (the 4 small notes may be in that count)
    (line,) = err.strip().splitlines()
    assert line.startswith("error: interrupted; this run stored ")
    assert line.endswith(
        f"; the index holds {stopped_at:,} documents; run `assistant index` again to resume"
    )

    assert cli(notes_home, "check").exit_code == 0
    result = cli(notes_home, "index")
    assert result.exit_code == 0
    assert documents_in(db) == 304


def documents_in(db: Path) -> int:
    """Documents committed so far (the stdlib module can read the plain tables)."""
    if not db.exists():
        return 0
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return int(con.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet
    finally:
        con.close()


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS writes a launchd agent")
def test_daemon_install_writes_a_user_unit_and_uninstall_removes_it(
    notes_home: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(notes_home / "xdg"))
    unit = notes_home / "xdg" / "systemd" / "user" / "assistant.service"

    result = cli(notes_home, "daemon", "install")
    assert result.exit_code == 0
    assert "systemctl --user enable --now assistant.service" in result.stdout
    exec_start = next(ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart="))
    assert exec_start.endswith(
        f"-m assistant --config {notes_home.resolve() / 'config.toml'} daemon run --quiet"
    )

    assert cli(notes_home, "daemon", "uninstall").exit_code == 0
    assert not unit.exists()
    again = cli(notes_home, "daemon", "uninstall")
    assert again.exit_code == 0 and "nothing to remove" in again.stdout
