"""What a person watching `assistant index` is told: files stored, chunks embedded (between
embedding batches, not only between files), a rate and an ETA."""

from __future__ import annotations

import time
from pathlib import Path

from assistant import library
from assistant.progress import IndexProgress
from assistant.terminal import progress_text
from conftest import write_tree


def test_progress_moves_during_embedding_and_counts_only_stored_files(
    notes_home: Path, make_runtime
) -> None:
    # 100 small notes are embedded in one flush (< 256 chunks): the old bar froze on it
    write_tree(
        notes_home / "notes",
        {f"bulk/n{i:03d}.md": f"# Note {i}\nBread, trips and budgets, part {i}.\n" for i in range(100)},
    )
    seen: list[tuple[int, int, int, float, float | None]] = []

    def watch(p: IndexProgress) -> None:
        seen.append((p.files_done, p.documents_stored, p.chunks_embedded, p.bytes_done,
                     p.eta_seconds))

    report = library.index(make_runtime(notes_home), on_update=watch)
    assert report.added == 104

    chunks = [c for _, _, c, _, _ in seen]
    assert chunks == sorted(chunks) and chunks[-1] == report.chunks_embedded
    # the embedding batch size (32) is the step: progress before any file of the batch is stored
    assert (0, 0, 32) in {(f, s, c) for f, s, c, _, _ in seen}
    # partway through a batch, its bytes count as partly done: the ETA does not freeze
    assert any(b > 0 for f, _, c, b, _ in seen if f == 0 and c > 0)
    # never "532/2000 files" while 405 are stored: a file counts once it is written
    assert all(files == stored for files, stored, _, _, _ in seen)
    last = seen[-1]
    assert last[0] == last[1] == 104


def test_the_progress_line_says_files_chunks_rate_and_eta() -> None:
    p = IndexProgress(files_total=2000, files_done=532, chunks_embedded=4210,
                      bytes_total=1_000_000, bytes_done=250_000, current="/n/notes/trip.md")
    p.embedding_started = p.started = time.monotonic() - 100
    text = progress_text(p)
    assert text == "532/2,000 files · 4,210 chunks · 42.1 chunks/s · ETA 5:00 · trip.md"
    assert progress_text(IndexProgress(files_total=3)) == "0/3 files · 0 chunks · ETA …"
