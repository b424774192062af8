"""Encrypted at rest: nothing in the store folder is readable without the person's key."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import numpy as np
import pytest

from assistant import encryption, library
from assistant.cipher import file_state
from assistant.errors import ConfigError, StoreError
from assistant.integrity import check
from assistant.records import Chunk
from assistant.store import NewDocument, Store
from conftest import write_config, write_tree
from keyring_file import FILE_ENV, LOCKED_ENV, FileKeyring

TESTS = Path(__file__).resolve().parent
PASSPHRASE = "correct horse battery staple"

# Distinctive sentences, names and numbers; none appears in a file name or path.
SECRETS = [
    "Zebulon Quartermaine",
    "Wilhelmina Okonkwo",
    "marmalade cipher under the third floorboard",
    "Aurelian lighthouse",
    "48213-7719",
    "0151 2290 4471",
]
CORPUS = {
    "notes/trip.md": """\
        # Trip
        Zebulon Quartermaine paid 48213-7719 for the Aurelian lighthouse tour.
        """,
    "notes/house.md": """\
        # House
        The spare key is with the neighbour; the marmalade cipher under the third floorboard.
        """,
    "chats/WhatsApp Chat with W.txt": """\
        22/11/2026, 09:14 - Wilhelmina Okonkwo: Call me on 0151 2290 4471 about the boat
        22/11/2026, 09:15 - Sam Keller: Will do
        """,
    "mail/1.eml": """\
        From: Wilhelmina Okonkwo <w@example.org>
        To: Sam Keller <sam@example.org>
        Subject: The boat
        Date: Sun, 22 Nov 2026 10:00:00 +0100
        Message-ID: <boat-1@example.org>

        Zebulon Quartermaine says the Aurelian lighthouse is closed on Mondays.
        """,
}
QUERIES = ["lighthouse tour", "boat phone number", "spare key neighbour", "Okonkwo"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_tree(tmp_path, CORPUS)
    write_config(tmp_path, [("notes", "notes"), ("chats", "messages"), ("mail", "messages")])
    return tmp_path


@pytest.fixture
def key_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A usable OS key store, kept in a file of this test (here and in child processes)."""
    path = tmp_path / "keyring.json"
    monkeypatch.setenv(FILE_ENV, str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring_file.FileKeyring")
    keyring.set_keyring(FileKeyring())
    return path


def store_of(home: Path) -> Path:
    return home / "index" / "assistant.db"


def leaks(folder: Path) -> dict[str, list[str]]:
    """Which secrets can be read, in any case, in which file of the store folder."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        hits = [s for s in SECRETS if s.lower().encode() in data]
        if hits:
            found[path.name] = hits
    return found


def results(rt) -> list[list[tuple[str, str]]]:
    """Top hits of each query; the runtime is closed after (a swap needs the file alone)."""
    found = [
        [(h["path"], h["locator"]) for h in library.search_json(rt, q, k=5)["hits"]]
        for q in QUERIES
    ]
    rt.close()
    rt._searcher = None
    return found


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "ASSISTANT_CONFIG": str(home / "config.toml"), **extra}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), env.get("PYTHONPATH")) if p)
    env.pop("ASSISTANT_NOW", None)
    return env


def run(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=home,
        env=cli_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def fingerprint(folder: Path) -> dict[str, bytes]:
    """The store's bytes: the database and its WAL (-shm is only a shared-memory index)."""
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and not p.name.endswith("-shm")
    }


# --- a new store ----------------------------------------------------------------------------


def test_a_new_store_is_encrypted_with_a_random_key_in_the_os_key_store(
    home: Path, key_store: Path, make_runtime
) -> None:
    rt = make_runtime(home)
    library.index(rt)
    assert file_state(store_of(home)) == "encrypted"
    assert leaks(store_of(home).parent) == {}
    entries = json.loads(key_store.read_text())
    assert list(entries) == [f"assistant/store:{store_of(home)}"]
    assert len(bytes.fromhex(next(iter(entries.values())))) == 32  # 256 random bits
    assert results(rt)[0][0][0].endswith("trip.md")
    status = library.status(rt)["store"]["encryption"]
    assert status["encrypted"] and status["key"]["kind"] == "keyring"
    assert "SQLCipher" in status["cipher"] and "FileKeyring" in status["key"]["where"]


def test_a_new_store_is_encrypted_with_a_passphrase_from_the_environment(
    home: Path, make_runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PASSPHRASE", PASSPHRASE)
    rt = make_runtime(home)
    library.index(rt)
    assert file_state(store_of(home)) == "encrypted"
    assert leaks(store_of(home).parent) == {}
    info = library.doctor(rt)["encryption"]
    assert info["key"] == {"kind": "passphrase", "where": "passphrase ($ASSISTANT_PASSPHRASE)"}


def test_without_key_store_or_passphrase_a_new_store_is_plain_with_one_warning(
    home: Path, cli
) -> None:
    """A fresh server or CI: the set-up commands keep working, and say so once."""
    first = cli(home, "index")
    assert first.exit_code == 0
    assert first.stderr.splitlines() == [
        f"warning: {store_of(home)} is created unencrypted: no OS key store and no "
        "$ASSISTANT_PASSPHRASE here; encrypt it later with: assistant store encrypt"
    ]
    assert file_state(store_of(home)) == "plain"
    again = cli(home, "status")
    assert again.stderr == "" and "NOT encrypted" in again.stdout
    doctor = json.loads(cli(home, "doctor", "--json").stdout)["encryption"]
    assert doctor["encrypted"] is False and "assistant store encrypt" in doctor["summary"]
    assert "store: plain file, NOT encrypted" in cli(home, "doctor").stdout


def test_encryption_none_keeps_a_plain_file_without_a_warning(
    home: Path, key_store: Path, cli
) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text().replace("[store]\n", '[store]\nencryption = "none"\n'))
    result = cli(home, "index")
    assert result.exit_code == 0 and result.stderr == ""
    assert file_state(store_of(home)) == "plain"
    summary = json.loads(cli(home, "doctor", "--json").stdout)["encryption"]["summary"]
    assert summary.startswith('plain file, as [store] encryption = "none" asks')


def test_an_unknown_encryption_mode_is_a_one_line_config_error(tmp_path: Path) -> None:
    from assistant.config import parse_config

    with pytest.raises(ConfigError, match="key 'store.encryption' must be one of auto, keyring"):
        parse_config({"store": {"encryption": "rot13"}}, base=tmp_path)


# --- the wrong key, or none ---------------------------------------------------------------


def test_a_wrong_passphrase_is_one_line_and_leaves_the_store_intact(
    home: Path, make_runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PASSPHRASE", PASSPHRASE)
    library.index(make_runtime(home))
    before = fingerprint(store_of(home).parent)

    wrong = run(home, "search", "lighthouse", ASSISTANT_PASSPHRASE="not the passphrase")
    assert wrong.returncode == 1
    assert wrong.stderr.splitlines() == [
        f"error: {store_of(home)}: the passphrase in $ASSISTANT_PASSPHRASE does not open this "
        "index (wrong passphrase?); the index is unchanged: set the right one and try again"
    ]
    assert fingerprint(store_of(home).parent) == before

    right = run(home, "search", "lighthouse", "--json")
    assert right.returncode == 0 and "trip.md" in right.stdout


def test_a_missing_key_or_a_locked_key_store_is_one_line_never_a_plain_store(
    home: Path, key_store: Path, make_runtime, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.index(make_runtime(home))
    before = fingerprint(store_of(home).parent)

    monkeypatch.setenv(LOCKED_ENV, "1")
    locked = cli(home, "search", "lighthouse")
    assert locked.exit_code == 1
    assert locked.stderr.startswith(f"error: {store_of(home)} is encrypted, but the OS key store")
    assert "KeyringLocked" in locked.stderr and "unlock it and try again" in locked.stderr
    monkeypatch.delenv(LOCKED_ENV)

    key_store.write_text("{}")  # a new machine, or the entry deleted
    missing = cli(home, "search", "lighthouse")
    assert missing.exit_code == 1 and "holds no key for it" in missing.stderr
    assert "assistant store import-key FILE" in missing.stderr

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.set_keyring(keyring.backends.fail.Keyring())
    absent = cli(home, "status")
    assert absent.exit_code == 1 and "no usable OS key store" in absent.stderr

    for result in (locked, missing, absent):
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert fingerprint(store_of(home).parent) == before
    assert file_state(store_of(home)) == "encrypted"


def test_a_store_opened_without_its_key_is_refused_not_called_damaged(
    home: Path, make_runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PASSPHRASE", PASSPHRASE)
    library.index(make_runtime(home))
    with pytest.raises(StoreError, match="is encrypted and was opened without its key"):
        Store(store_of(home))


# --- what is on disk ------------------------------------------------------------------------


def test_forget_leaves_nothing_readable_before_or_after(
    home: Path, key_store: Path, make_runtime
) -> None:
    rt = make_runtime(home)
    library.index(rt)
    assert leaks(store_of(home).parent) == {}
    library.forget(rt, [home / "mail"])
    assert leaks(store_of(home).parent) == {}
    hits = library.search_json(rt, "Aurelian lighthouse closed on Mondays", k=10)["hits"]
    assert all("/mail/" not in h["path"] for h in hits)


@pytest.mark.slow
def test_kill_9_in_the_middle_of_indexing_leaves_no_plaintext_and_a_usable_store(
    home: Path,
) -> None:
    for i in range(120):
        body = f"Note {i}: Zebulon Quartermaine paid 48213-7719 for the Aurelian lighthouse. " * 40
        (home / "notes" / "bulk" / f"n{i:03d}.md").parent.mkdir(exist_ok=True)
        (home / "notes" / "bulk" / f"n{i:03d}.md").write_text(f"# Bulk {i}\n\n{body}\n")
    wal = Path(str(store_of(home)) + "-wal")
    writer = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index"],
        cwd=home,
        env=cli_env(home, ASSISTANT_PASSPHRASE=PASSPHRASE),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while not (wal.exists() and wal.stat().st_size > 200_000):  # some documents committed
        assert writer.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert wal.stat().st_size > 0  # the WAL (with its frames) survived the kill
    assert leaks(store_of(home).parent) == {}

    check_run = run(home, "check", "--json", ASSISTANT_PASSPHRASE=PASSPHRASE)
    assert check_run.returncode == 0, check_run.stderr
    assert json.loads(check_run.stdout)["ok"] is True


# --- encrypt, decrypt, rekey ---------------------------------------------------------------


def test_encrypt_decrypt_rekey_round_trips_keep_search_results_identical(
    home: Path, key_store: Path, make_runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.set_keyring(keyring.backends.fail.Keyring())
    rt = make_runtime(home)  # headless: a plain store
    library.index(rt)
    assert file_state(store_of(home)) == "plain"
    expected = results(rt)
    assert expected[0]

    monkeypatch.setenv("ASSISTANT_PASSPHRASE", PASSPHRASE)
    encryption.encrypt(rt)
    assert file_state(store_of(home)) == "encrypted"
    assert leaks(store_of(home).parent) == {}
    assert results(make_runtime(home)) == expected

    keyring.set_keyring(FileKeyring())  # a key store appears: move the key into it
    encryption.rekey(make_runtime(home), "keyring")
    monkeypatch.delenv("ASSISTANT_PASSPHRASE")
    rt = make_runtime(home)
    assert rt.store_key.kind == "keyring"
    assert leaks(store_of(home).parent) == {}
    assert results(rt) == expected  # the same runtime opens again below, with its key
    first_key = json.loads(key_store.read_text())

    encryption.rekey(rt)  # a fresh random key; the old one no longer opens the store
    assert json.loads(key_store.read_text()) != first_key
    assert leaks(store_of(home).parent) == {}
    assert results(make_runtime(home)) == expected
    second_key = json.loads(key_store.read_text())
    key_store.write_text(json.dumps(first_key))
    with pytest.raises(StoreError, match="does not open it"):
        make_runtime(home).store  # noqa: B018
    key_store.write_text(json.dumps(second_key))

    rt = make_runtime(home)
    encryption.decrypt(rt)
    assert file_state(store_of(home)) == "plain"
    assert json.loads(key_store.read_text()) == {}
    assert results(make_runtime(home)) == expected
    assert sorted(p.name for p in store_of(home).parent.iterdir()) == ["assistant.db"]


def plain_store_with(path: Path, chunks: int) -> None:
    """A plain store big enough that copying it takes a moment (a kill lands mid-way)."""
    rng = np.random.default_rng(0)
    with Store(path) as store:
        store.ensure_embedding("test", 8)
        for d in range(0, chunks, 1000):
            (path.parent / f"{d}.md").write_text("stands in for a note")  # check: files exist
            doc = NewDocument(
                path=str(path.parent / f"{d}.md"),
                kind="notes",
                format="notes",
                hash=str(d),
                mtime=0,
                size=0,
            )
            texts = [
                f"{d + i} {SECRETS[i % len(SECRETS)]} and filler words " * 12 for i in range(1000)
            ]
            store.write_document(
                doc,
                [
                    Chunk(ordinal=i, kind="note", text=t, locator=f"L{i}")
                    for i, t in enumerate(texts)
                ],
                rng.standard_normal((1000, 8)).astype(np.float32),
                text_hashes=[str(i) for i in range(1000)],
            )


def kill_encrypt_after(home: Path, line: str, **env: str) -> None:
    """Run `assistant store encrypt` and kill -9 it right after it prints ``line``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "store", "encrypt"],
        cwd=home,
        env=cli_env(home, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for out in proc.stderr:
        seen.append(out)
        if out.startswith(line):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert any(s.startswith(line) for s in seen), seen


def usable(home: Path, rt) -> tuple[int, list[tuple[int]]]:
    """The store opens (with whatever key it needs now) and is whole."""
    store = rt.store
    assert check(store).to_json()["ok"]
    found = (
        store.db.execute("SELECT count(*) FROM chunks").fetchone()[0],
        store.db.execute(
            "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH 'marmalade' ORDER BY rowid"
        ).fetchall(),
    )
    rt.close()
    return found


@pytest.mark.slow
@pytest.mark.parametrize("point", ["copying", "copy verified", "replaced"])
def test_store_encrypt_killed_at_any_point_leaves_a_usable_store(
    home: Path, key_store: Path, make_runtime, point: str
) -> None:
    plain_store_with(store_of(home), 20_000)
    expected = usable(home, make_runtime(home))
    kill_encrypt_after(home, point)
    state = file_state(store_of(home))  # right after "copy verified" the swap may be done
    assert (
        state
        in {
            "copying": {"plain"},
            "copy verified": {"plain", "encrypted"},
            "replaced": {"encrypted"},
        }[point]
    )
    if state == "encrypted":  # swapped before its key became the current entry
        assert list(json.loads(key_store.read_text())) == [f"assistant/store-next:{store_of(home)}"]
        assert leaks(store_of(home).parent) == {}
    else:
        tmp = Path(str(store_of(home)) + encryption.TMP_SUFFIX)
        assert not tmp.exists() or leaks(store_of(home).parent).keys() <= {"assistant.db"}
    assert usable(home, make_runtime(home)) == expected
    if state == "encrypted":  # opening finished the job
        assert list(json.loads(key_store.read_text())) == [f"assistant/store:{store_of(home)}"]
    else:
        done = run(home, "store", "encrypt")
        assert done.returncode == 0, done.stderr
        assert usable(home, make_runtime(home)) == expected
    assert file_state(store_of(home)) == "encrypted"
    assert leaks(store_of(home).parent) == {}
    assert not [
        p for p in store_of(home).parent.iterdir() if ".db" in p.name and p.name != "assistant.db"
    ]


def test_export_and_import_key_move_a_store_to_another_machine(
    home: Path, key_store: Path, make_runtime, cli, tmp_path: Path
) -> None:
    rt = make_runtime(home)
    library.index(rt)
    rt.close()  # the index is one file again (WAL checkpointed), ready to copy
    exported = cli(home, "store", "export-key", str(tmp_path / "key.txt"))
    assert exported.exit_code == 0, exported.stderr
    assert oct((tmp_path / "key.txt").stat().st_mode & 0o777) == "0o600"
    assert (tmp_path / "key.txt").read_text().startswith("assistant-store-key-v1 ")

    other = tmp_path / "laptop"  # the same index copied to a new machine: an empty key store
    write_tree(other, CORPUS)
    write_config(other, [("notes", "notes"), ("chats", "messages"), ("mail", "messages")])
    store_of(other).parent.mkdir()
    store_of(other).write_bytes(store_of(home).read_bytes())
    key_store.write_text("{}")
    assert "import-key" in cli(other, "status").stderr

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("assistant-store-key-v1 " + "ab" * 32 + "\n")
    refused = cli(other, "store", "import-key", str(wrong))
    assert refused.exit_code == 1 and "this key does not open" in refused.stderr
    assert json.loads(key_store.read_text()) == {}

    imported = cli(other, "store", "import-key", str(tmp_path / "key.txt"))
    assert imported.exit_code == 0, imported.stderr
    assert json.loads(cli(other, "search", "lighthouse", "--json").stdout)["hits"]


def test_a_passphrase_store_has_no_key_to_export(
    home: Path, make_runtime, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PASSPHRASE", PASSPHRASE)
    library.index(make_runtime(home))
    result = cli(home, "store", "export-key")
    assert result.exit_code == 1 and "unlocked by a passphrase" in result.stderr


# --- the daemon -----------------------------------------------------------------------------


@pytest.fixture
def encrypted_daemon(home: Path) -> Iterator[Path]:
    assert run(home, "index", ASSISTANT_PASSPHRASE=PASSPHRASE).returncode == 0
    started = run(home, "daemon", "start", ASSISTANT_PASSPHRASE=PASSPHRASE)
    assert started.returncode == 0, started.stderr
    yield home
    run(home, "daemon", "stop")


@pytest.mark.slow
def test_the_daemon_unlocks_once_and_serves_an_encrypted_store(encrypted_daemon: Path) -> None:
    home = encrypted_daemon
    # no passphrase in this client: the daemon holds the key
    found = run(home, "search", "Aurelian lighthouse", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["hits"][0]["path"].endswith(("trip.md", "1.eml"))
    (home / "notes" / "new.md").write_text("# New\nZebulon Quartermaine sold the boat.\n")
    deadline = time.monotonic() + 60
    while "new.md" not in run(home, "search", "sold the boat", "--json").stdout:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert leaks(store_of(home).parent) == {}  # the database, WAL, log, pid, socket


@pytest.mark.slow
def test_the_daemon_refuses_to_start_with_the_wrong_passphrase(home: Path) -> None:
    assert run(home, "index", ASSISTANT_PASSPHRASE=PASSPHRASE).returncode == 0
    started = run(home, "daemon", "start", ASSISTANT_PASSPHRASE="wrong passphrase")
    assert started.returncode == 1
    assert started.stderr.splitlines() == [
        f"error: {store_of(home)}: the passphrase in $ASSISTANT_PASSPHRASE does not open this "
        "index (wrong passphrase?); the index is unchanged: set the right one and try again"
    ]
