"""Never silent: a file in a messages (or auto) source that no format recognises is named
in the index summary and listed by `assistant status` until it is indexed or removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import library
from assistant.index import describe_head
from conftest import write_config

CHAT = "15/01/2020 à 02:22 - Léa Martin: Tu dors ?\n15/01/2020 à 02:23 - Sam: Non\n"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "chat.txt").write_text(CHAT, encoding="utf-8")
    (folder / "export.csv").write_text("date;sender;text\n2020-01-15;Léa;Tu dors ?\n")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    write_config(tmp_path, [("messages", "messages")])
    return tmp_path


def test_an_unrecognised_file_is_named_with_its_first_line(home: Path, make_runtime) -> None:
    report = library.index(make_runtime(home))
    folder = home / "messages"
    assert report.added == 1 and report.ignored == 2
    assert report.skipped_files == [
        f'skipped (unrecognised format): {folder / "export.csv"} (first line: "date;sender;text")',
        f"skipped (unrecognised format): {folder / 'photo.jpg'} (binary data)",
    ]


def test_status_keeps_the_list_until_the_file_is_indexed_or_removed(
    home: Path, make_runtime
) -> None:
    rt = make_runtime(home)
    library.index(rt)
    folder = home / "messages"
    listed = library.status(rt)["skipped_files"]
    assert [e["path"] for e in listed] == [str(folder / "export.csv"), str(folder / "photo.jpg")]
    assert listed[0] == {
        "path": str(folder / "export.csv"),
        "reason": "unrecognised format",
        "detail": 'first line: "date;sender;text"',
    }
    (folder / "photo.jpg").unlink()
    (folder / "export.csv").write_text(CHAT, encoding="utf-8")  # now a WhatsApp export
    report = library.index(rt)
    assert report.skipped_files == [] and report.added == 1
    assert library.status(rt)["skipped_files"] == []


def test_a_file_removed_from_a_folder_leaves_the_list_on_a_partial_run(
    home: Path, make_runtime
) -> None:
    rt = make_runtime(home)
    library.index(rt)
    (home / "messages" / "photo.jpg").unlink()
    library.index(rt, [home / "messages"])
    assert [Path(e["path"]).name for e in library.status(rt)["skipped_files"]] == ["export.csv"]


def test_forgetting_a_file_takes_it_off_the_list(home: Path, make_runtime) -> None:
    rt = make_runtime(home)
    library.index(rt)
    library.forget(rt, [home / "messages" / "export.csv"])
    assert [Path(e["path"]).name for e in library.status(rt)["skipped_files"]] == ["photo.jpg"]


def test_notes_sources_stay_quiet_about_pictures(tmp_path: Path, make_runtime) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# A\ntext\n")
    (tmp_path / "notes" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    write_config(tmp_path, [("notes", "notes")])
    report = library.index(make_runtime(tmp_path))
    assert report.skipped_files == [] and report.ignored == 1


def test_the_cli_prints_the_list_and_json_has_the_new_key(home: Path, cli) -> None:
    result = cli(home, "index", "--json")
    data = json.loads(result.stdout)
    assert len(data["skipped_files"]) == 2 and data["ignored"] == 2  # old keys stay
    result = cli(home, "status", "--json")
    assert len(json.loads(result.stdout)["skipped_files"]) == 2
    text = cli(home, "status").stdout
    assert "skipped (unrecognised format): " in text and "export.csv" in text


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"", "empty file"),
        (b"\xef\xbb\xbf\n\nHello world\n", 'first line: "Hello world"'),
        (b"\xff\xfe1\x005\x00/\x00", "UTF-16 text; save it as UTF-8 to have it read"),
        (b"%PDF-1.7\n\x00\x01", "binary data"),
        (b"x" * 200, 'first line: "' + "x" * 79 + '…"'),
        (b"\n \n", "only blank lines"),
    ],
)
def test_what_a_skipped_file_looks_like(head: bytes, expected: str) -> None:
    assert describe_head(head, len(head)) == expected


def test_an_index_from_before_the_list_gains_it_on_open(tmp_path: Path) -> None:
    from assistant.store import Store

    with Store(tmp_path / "old.db") as store:  # as an index from before the list was
        store.db.execute("DROP TABLE skipped_files")
        store.db.execute("DELETE FROM _migrations WHERE version = 5")
    with Store(tmp_path / "old.db") as store:
        reapplied = store.db.execute("SELECT count(*) FROM _migrations WHERE version = 5")
        assert reapplied.fetchone()[0] == 1 and store.skipped_files() == []
        store.set_skipped("/x/a.csv", "unrecognised format", 'first line: "a"')
        assert [e["path"] for e in store.skipped_files()] == ["/x/a.csv"]


def test_the_daemons_file_by_file_sync_keeps_the_list_current(home: Path, make_runtime) -> None:
    from assistant.index import Indexer

    rt = make_runtime(home)
    indexer = Indexer(rt.store, rt.embedder, rt.tz, rt.config.sources)
    notes = home / "messages" / "notes.csv"
    notes.write_text("a;b\n")
    assert indexer.sync_path(notes).skipped_files == [
        f'skipped (unrecognised format): {notes} (first line: "a;b")'
    ]
    assert [e["path"] for e in rt.store.skipped_files()] == [str(notes)]
    notes.unlink()
    indexer.sync_path(notes)
    assert rt.store.skipped_files() == []
