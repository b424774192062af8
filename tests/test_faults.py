"""Disk and database faults: a full disk keeps the previous index, a broken file says how to rebuild."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, write_tree

pytestmark = pytest.mark.slow


def run(home: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def cap() -> None:  # a size-limited file system, as far as SQLite can tell
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "assistant", "--now", NOW, *args], cwd=home,
        env={**os.environ, "ASSISTANT_CONFIG": str(home / "config.toml")},
        capture_output=True, text=True, timeout=600, preexec_fn=cap if limit else None,
    )


def test_a_full_disk_during_indexing_keeps_the_previous_index(notes_home: Path) -> None:
    assert run(notes_home, "index").returncode == 0
    db = notes_home / "index" / "assistant.db"
    before = json.loads(run(notes_home, "search", "Gertrude", "--json").stdout)["hits"]
    bulk = {f"bulk/n{i}.md": f"# N{i}\n" + f"Long paragraph {i} about many things. " * 300
            for i in range(40)}
    write_tree(notes_home / "notes", bulk)
    proc = run(notes_home, "index", limit=db.stat().st_size + 64 * 1024)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "the index could not be written" in proc.stderr and "previous index is intact" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    # without the limit: intact, consistent, and the next run completes the job
    check = json.loads(run(notes_home, "check", "--json").stdout)
    assert check["ok"], check["problems"]
    # every document indexed before is intact (those committed before the disk filled, too)
    after = json.loads(run(notes_home, "search", "Gertrude", "--json").stdout)["hits"]
    assert after[0] == before[0]
    assert check["documents"] >= 4
    assert run(notes_home, "index").returncode == 0
    assert json.loads(run(notes_home, "check", "--json").stdout)["documents"] == 4 + len(bulk)


def test_a_corrupted_database_says_how_to_rebuild(notes_home: Path) -> None:
    assert run(notes_home, "index").returncode == 0
    db = notes_home / "index" / "assistant.db"
    data = bytearray(db.read_bytes())
    data[:100] = os.urandom(100)  # the header is gone
    db.write_bytes(bytes(data))
    for path in (Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        path.unlink(missing_ok=True)
    proc = run(notes_home, "status")
    assert proc.returncode == 1
    assert "assistant index --rebuild" in proc.stderr and "Traceback" not in proc.stderr
    assert run(notes_home, "index", "--rebuild").returncode == 0
    assert json.loads(run(notes_home, "check", "--json").stdout)["ok"]
