"""Indexing: incremental by content hash, edits re-embedded, deletions gone, bad files skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import library


def test_first_index_adds_every_note(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    report = library.index(rt)
    assert (report.added, report.failed, report.errors) == (4, 0, [])
    assert rt.store.counts()["documents"] == {"notes": 4}


def test_unchanged_files_are_not_re_embedded(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    library.index(rt)
    again = library.index(rt)
    assert (again.added, again.updated, again.skipped) == (0, 0, 4)
    assert again.chunks_embedded == 0


def test_touched_but_identical_file_is_recognised_by_its_hash(
    notes_home: Path, make_runtime
) -> None:
    rt = make_runtime(notes_home)
    library.index(rt)
    os.utime(notes_home / "notes" / "ideas.txt", (1, 1))
    again = library.index(rt)
    assert again.skipped == 4 and again.updated == 0 and again.chunks_embedded == 0


def test_an_edited_note_is_re_embedded_and_searchable(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    library.index(rt)
    apt = notes_home / "notes" / "home" / "apartment.md"
    apt.write_text(
        apt.read_text() + "\n## Internet\nThe fibre contract with Glasfaser Nord ends in May.\n"
    )
    report = library.index(rt)
    assert report.updated == 1 and report.skipped == 3
    hits = library.search(rt, "Glasfaser Nord", k=1)
    assert hits and hits[0].path.endswith("apartment.md")
    assert "Glasfaser" in hits[0].text


def test_only_changed_chunks_of_an_edited_note_are_embedded(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    library.index(rt)
    big = notes_home / "notes" / "long.md"
    sections = "\n".join(
        f"## Part {i}\n" + f"Paragraph {i} about subject {i}. " * 60 for i in range(6)
    )
    big.write_text(f"# Long\n{sections}\n")
    first = library.index(rt)
    assert first.chunks_embedded >= 6
    big.write_text(f"# Long\n{sections}\n## Part 99\nA new closing remark.\n")
    second = library.index(rt)
    assert second.updated == 1
    assert 0 < second.chunks_embedded < first.chunks_embedded
    assert second.chunks_reused > 0


def test_a_deleted_note_disappears_from_search(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    library.index(rt)
    assert library.search(rt, "Gertrude sourdough starter", k=1)[0].path.endswith("sourdough.md")
    (notes_home / "notes" / "recipes" / "sourdough.md").unlink()
    report = library.index(rt)
    assert report.removed == 1
    assert all(not h.path.endswith("sourdough.md") for h in library.search(rt, "Gertrude", k=5))


def test_a_broken_file_is_reported_and_the_others_are_indexed(
    notes_home: Path, make_runtime
) -> None:
    (notes_home / "notes" / "broken.md").write_bytes(b"\xff\xfe\xfa not utf-8 \xc3\x28")
    rt = make_runtime(notes_home)
    report = library.index(rt)
    assert report.failed == 1 and report.added == 4
    (error,) = report.errors
    assert "broken.md" in error and "UTF-8" in error and "\n" not in error


def test_unreadable_file_is_reported_not_fatal(
    notes_home: Path, make_runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = notes_home / "notes" / "secret.md"
    secret.write_text("# Secret\nhidden\n")
    secret.chmod(0o000)
    if os.access(secret, os.R_OK):
        # Running as root, permission bits do not bind: the kernel's answer is simulated.
        real_open = Path.open

        def deny(self: Path, *args: object, **kwargs: object) -> object:
            if self == secret:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", deny)
    try:
        report = library.index(make_runtime(notes_home))
        assert report.failed == 1 and report.added == 4
        assert report.errors == [f"{secret}: cannot read (Permission denied)"]
    finally:
        secret.chmod(0o600)


def test_symlink_loops_are_not_followed(notes_home: Path, make_runtime) -> None:
    notes = notes_home / "notes"
    (notes / "loop").symlink_to(notes, target_is_directory=True)
    (notes / "self.md").symlink_to(notes / "self.md")  # a link to itself
    report = library.index(make_runtime(notes_home))
    assert (report.added, report.failed) == (4, 0)


def test_a_file_deleted_during_the_run_is_reported_and_the_run_goes_on(
    notes_home: Path, make_runtime
) -> None:
    doomed = notes_home / "notes" / "recipes" / "sourdough.md"

    def progress(path: str, done: int, total: int) -> None:
        if done == 0:  # the walk has listed every file; now one of them goes away
            doomed.unlink()

    rt = make_runtime(notes_home)
    report = library.index(rt, progress=progress)
    assert report.added == 3 and report.failed == 1
    assert report.errors[0].startswith(f"{doomed}: cannot read")
    assert library.check(rt)["ok"]


def test_an_empty_file_is_indexed_as_nothing(notes_home: Path, make_runtime) -> None:
    (notes_home / "notes" / "empty.md").write_bytes(b"")
    rt = make_runtime(notes_home)
    report = library.index(rt)
    assert (report.added, report.failed) == (5, 0)
    assert library.check(rt)["ok"]


def test_hidden_and_temp_files_are_not_indexed(notes_home: Path, make_runtime) -> None:
    (notes_home / "notes" / ".obsidian").mkdir()
    (notes_home / "notes" / ".obsidian" / "workspace.md").write_text("# ui state\n")
    (notes_home / "notes" / ".draft.md.swp").write_text("swap")
    report = library.index(make_runtime(notes_home))
    assert report.added == 4


def test_indexing_a_path_outside_every_source_is_refused(
    notes_home: Path, make_runtime, tmp_path_factory
) -> None:
    import pytest

    from assistant.errors import AssistantError

    elsewhere = tmp_path_factory.mktemp("elsewhere")
    with pytest.raises(AssistantError, match="not inside any configured source"):
        library.index(make_runtime(notes_home), [elsewhere])


def _chunk_rows(rt, name: str) -> list[tuple[int, int, str]]:
    return rt.store.db.execute(
        "SELECT c.id, c.ordinal, c.text FROM chunks c JOIN documents d ON d.id = c.doc_id "
        "WHERE d.path LIKE ? ORDER BY c.ordinal",
        (f"%{name}",),
    ).fetchall()


LONG = "# Long\n" + "\n".join(
    f"## Part {i}\n" + f"Paragraph {i} about subject {i}. " * 60 for i in range(6)
)


def test_an_appended_section_leaves_the_other_chunk_rows_untouched(
    notes_home: Path, make_runtime
) -> None:
    rt = make_runtime(notes_home)
    note = notes_home / "notes" / "long.md"
    note.write_text(LONG + "\n")
    library.index(rt)
    before = _chunk_rows(rt, "long.md")
    note.write_text(LONG + "\n## Part 99\nA new closing remark about kayaks.\n")
    report = library.index(rt)
    after = _chunk_rows(rt, "long.md")
    assert report.updated == 1 and report.chunks_embedded == 1
    assert after[: len(before) - 1] == before[:-1]  # same ids: not deleted and re-inserted
    assert library.search(rt, "closing remark about kayaks", k=1)[0].path == str(note)
    assert library.check(rt)["ok"]


def test_chunks_that_moved_keep_their_vectors(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    note = notes_home / "notes" / "long.md"
    note.write_text(LONG + "\n")
    library.index(rt)
    moved = len(_chunk_rows(rt, "long.md"))
    note.write_text("# Long\n## Preface\nA short preface about rivers.\n" + LONG[len("# Long\n") :])
    again = library.index(rt)
    assert (again.chunks_embedded, again.chunks_reused) == (1, moved)
    assert library.check(rt)["ok"]


def test_a_note_that_shrinks_loses_its_old_chunks(notes_home: Path, make_runtime) -> None:
    rt = make_runtime(notes_home)
    note = notes_home / "notes" / "long.md"
    note.write_text(LONG + "\n")
    library.index(rt)
    note.write_text("# Long\nOnly one short paragraph is left.\n")
    library.index(rt)
    rows = _chunk_rows(rt, "long.md")
    assert [(o, t) for _, o, t in rows] == [(0, "Only one short paragraph is left.")]
    assert all("subject 3" not in h.text for h in library.search(rt, "subject 3", k=5))
    report = library.check(rt)
    assert report["ok"] and report["chunks"] == report["fts_rows"]
