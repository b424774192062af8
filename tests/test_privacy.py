"""Privacy: nothing leaves the machine, forgotten text is really gone, files stay private."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import library
from assistant.ipc import DaemonClient
from conftest import NOW, write_config, write_tree

SECRET = "The vault combination is seventeen-zulu-orchid."
NETGUARD = Path(__file__).resolve().parent / "netguard"
DATA = Path(__file__).resolve().parent.parent / "data"


def raw_bytes(db: Path) -> bytes:
    return b"".join(
        Path(str(db) + s).read_bytes() for s in ("", "-wal", "-shm") if Path(str(db) + s).exists()
    )


def test_forget_removes_the_text_from_every_byte_of_the_store(
    notes_home: Path, make_runtime
) -> None:
    write_tree(notes_home / "notes", {"vault.md": f"# Vault\n{SECRET}\n"})
    rt = make_runtime(notes_home)
    library.index(rt)
    db = rt.config.store.path
    assert b"seventeen-zulu-orchid" in raw_bytes(db)
    result = library.forget(rt, [notes_home / "notes" / "vault.md"])
    assert result["removed"] == 1
    assert b"seventeen-zulu-orchid" not in raw_bytes(db)
    assert b"orchid" not in raw_bytes(db)
    assert library.check(rt)["ok"]
    # still on disk, but never indexed again
    library.index(rt)
    assert all("vault" not in h.path for h in library.search(rt, "vault combination", k=5))


def test_deleted_file_text_is_gone_from_the_store(notes_home: Path, make_runtime) -> None:
    write_tree(notes_home / "notes", {"vault.md": f"# Vault\n{SECRET}\n"})
    rt = make_runtime(notes_home)
    library.index(rt)
    (notes_home / "notes" / "vault.md").unlink()
    library.index(rt)
    rt.store.scrub()
    assert b"seventeen-zulu-orchid" not in raw_bytes(rt.config.store.path)


def test_removing_a_source_from_config_removes_its_documents(tmp_path: Path, make_runtime) -> None:
    write_tree(tmp_path / "a", {"one.md": "# One\nalpha note\n"})
    write_tree(tmp_path / "b", {"two.md": "# Two\nbeta note\n"})
    write_config(tmp_path, [("a", "notes"), ("b", "notes")])
    library.index(make_runtime(tmp_path))
    write_config(tmp_path, [("a", "notes")])
    rt = make_runtime(tmp_path)
    report = library.index(rt)
    assert report.removed == 1
    assert rt.store.counts()["documents"] == {"notes": 1}


def test_forget_all_wipes_the_store(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    library.index(rt)
    library.forget(rt, [], everything=True)
    assert rt.store.counts()["documents"] == {}


def test_a_socket_someone_else_could_open_is_never_used(tmp_path: Path) -> None:
    store = tmp_path / "index" / "assistant.db"
    store.parent.mkdir()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(store.parent / "daemon.sock"))
    server.listen(1)
    try:
        os.chmod(store.parent / "daemon.sock", 0o666)
        assert DaemonClient.connect(store) is None
    finally:
        server.close()


@pytest.mark.slow
def test_the_whole_path_runs_with_the_network_cut(notes_home: Path, tmp_path_factory) -> None:
    for kind in ("calendar", "messages"):  # every kind of source, as the sample corpus has them
        shutil.copytree(DATA / kind, notes_home / kind)
    write_config(notes_home, [("notes", "notes"), ("calendar", "calendar"), ("messages", "messages")])
    log = tmp_path_factory.mktemp("guard") / "violations.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(NETGUARD),
        "NETGUARD_LOG": str(log),
        "ASSISTANT_CONFIG": str(notes_home / "config.toml"),
    }
    # the user's environment does not matter: the package switches the libraries offline
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(key, None)

    def run(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", "--now", NOW, *args],
            cwd=notes_home,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    # the guard is really installed in the children
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('example.org', 443)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "blocked by the test guard" in probe.stderr
    log.unlink()

    assert "0 failed" in run("index")
    kinds = {k for k in json.loads(run("status", "--json"))["chunks"]}
    assert kinds == {"note", "event", "message", "email"}
    assert json.loads(run("search", "Lisbon hotel", "--json"))["hits"]
    assert json.loads(run("search", "plumber", "--kind", "email", "--json"))["hits"]
    assert json.loads(run("calendar", "tomorrow", "--json"))["events"]
    assert json.loads(run("ask", "How much is my rent?", "--json"))["grounded"]
    assert json.loads(run("ask", "What do I have tomorrow?", "--json"))["route"] == "calendar"
    run("doctor")
    run("daemon", "start")
    try:
        assert json.loads(run("search", "sourdough starter", "--json"))["hits"]
        assert json.loads(run("calendar", "free", "friday", "--json"))["free"]
        assert json.loads(run("ask", "What is my sourdough starter called?", "--json"))["answer"]
    finally:
        run("daemon", "stop")
    assert not log.exists(), log.read_text()
