"""`forget` that stays forgotten, through the real command: a rebuild, `--all` and a typo
never bring a forgotten file back or exclude something silently."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliproc import assistant, ok

from conftest import NOTES, write_config, write_tree

SECRET = "The vault combination is seventeen-zulu-orchid."


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A home indexed once, and a pristine copy of it (paths in the index are absolute, so
    each test gets the same folder back rather than a copy elsewhere)."""
    root = tmp_path_factory.mktemp("forget")
    home = root / "home"
    write_tree(home / "notes", {**NOTES, "private/vault.md": f"# Vault\n{SECRET}\n",
                                "private/diary.md": "# Diary\nA quiet Sunday.\n"})
    write_config(home, [("notes", "notes")])
    assert "6 added" in ok(assistant(home, "index")).stdout
    shutil.copytree(home, root / "pristine")
    yield home, root / "pristine"


@pytest.fixture
def home(indexed: tuple[Path, Path]) -> Path:
    home, pristine = indexed
    shutil.rmtree(home)
    shutil.copytree(pristine, home)
    return home


def documents(home: Path) -> int:
    return sum(json.loads(ok(assistant(home, "status", "--json")).stdout)["documents"].values())


def test_a_forgotten_file_stays_out_after_a_rebuild(home: Path) -> None:
    vault = home / "notes" / "private" / "vault.md"
    assert ok(assistant(home, "forget", str(vault))).stdout.startswith("forgot 1 document;")
    assert ok(assistant(home, "forget", "--list")).stdout.splitlines() == [str(vault)]
    assert json.loads(ok(assistant(home, "status", "--json")).stdout)["forgotten"] == [str(vault)]

    rebuilt = ok(assistant(home, "index", "--rebuild"))
    assert "5 added" in rebuilt.stdout  # 4 notes and the diary; not the vault
    assert ok(assistant(home, "forget", "--list")).stdout.splitlines() == [str(vault)]
    assert b"seventeen-zulu-orchid" not in (home / "index" / "assistant.db").read_bytes()
    assert "0 added" in ok(assistant(home, "index")).stdout  # and the next run keeps it out


def test_forget_wording_counts_documents_right(home: Path) -> None:
    out = ok(assistant(home, "forget", str(home / "notes" / "private"))).stdout
    assert out.startswith("forgot 2 documents;")
    again = ok(assistant(home, "forget", str(home / "notes" / "ideas.txt"))).stdout
    assert again.startswith("forgot 1 document;")


def test_forgetting_a_path_neither_indexed_nor_in_a_source_is_an_error(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "notes.md"
    typo = home / "notes" / "privat" / "vault.md"  # inside a source, never indexed: fine
    proc = assistant(home, "forget", str(outside))
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"error: {outside}: neither indexed nor inside a configured source; nothing was forgotten"
    )
    assert ok(assistant(home, "forget", str(typo))).stdout.startswith("forgot 0 documents;")
    assert ok(assistant(home, "forget", "--list")).stdout.splitlines() == [str(typo)]


def test_forget_all_wipes_the_index_and_says_it_keeps_the_list(home: Path) -> None:
    vault = home / "notes" / "private" / "vault.md"
    ok(assistant(home, "forget", str(vault)))
    out = ok(assistant(home, "forget", "--all")).stdout.strip()
    assert out == (
        "the index was wiped; the forget list was kept "
        "(1 path stays excluded: assistant forget --list)"
    )
    assert documents(home) == 0
    assert "5 added" in ok(assistant(home, "index")).stdout  # everything but the vault


def test_unforget_lets_a_path_be_indexed_again(home: Path) -> None:
    vault = home / "notes" / "private" / "vault.md"
    ok(assistant(home, "forget", str(vault)))
    out = ok(assistant(home, "forget", "--unforget", str(vault))).stdout
    assert out.startswith("1 path taken off the forget list")
    assert ok(assistant(home, "forget", "--list")).stdout == ""
    assert "1 added" in ok(assistant(home, "index")).stdout
    assert documents(home) == 6
    proc = assistant(home, "forget", "--unforget", str(vault))
    assert proc.returncode == 1 and "is not on the forget list" in proc.stderr
