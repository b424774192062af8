"""The SQLite store: private file, migrations, extension loading, embedding guard."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import StoreError
from assistant.migrations import MIGRATIONS
from assistant.records import Chunk
from assistant.store import NewDocument, Store, pick_sqlite_module


def test_store_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        store = Store(tmp_path / "idx" / "a.db")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "idx" / "a.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "idx").stat().st_mode) == 0o700
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_migrations_are_recorded_and_run_once(tmp_path: Path) -> None:
    Store(tmp_path / "a.db").close()
    store = Store(tmp_path / "a.db")
    applied = store.db.execute("SELECT version FROM _migrations ORDER BY version").fetchall()
    assert [v for (v,) in applied] == [v for v, _, _ in MIGRATIONS]
    assert store.schema_version == MIGRATIONS[-1][0]


def test_no_sqlite_module_that_loads_extensions_gives_a_clear_error() -> None:
    with pytest.raises(StoreError, match="pip install sqlean-py"):
        pick_sqlite_module(("no_such_sqlite_module",))


def test_a_different_embedding_model_is_refused_with_rebuild_advice(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    store.ensure_embedding("model-a", 4)
    with pytest.raises(StoreError, match="assistant index --rebuild"):
        store.ensure_embedding("model-b", 8)


def test_a_corrupt_database_file_is_detected_at_open(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="assistant index --rebuild"):
        Store(path)


def test_replacing_a_document_leaves_no_orphan_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    store.ensure_embedding("m", 4)
    doc = NewDocument(path="/x.md", kind="notes", format="notes", hash="h", mtime=0, size=1)
    chunks = [Chunk(ordinal=i, kind="note", text=f"text {i}", locator=f"L{i}") for i in range(3)]
    vectors = np.eye(4, dtype=np.float32)[:3]
    store.write_document(doc, chunks, vectors)
    store.write_document(doc, chunks[:1], vectors[:1])
    count = store.db.execute
    assert count("SELECT count(*) FROM chunks").fetchone()[0] == 1
    assert count("SELECT count(*) FROM chunk_vecs").fetchone()[0] == 1
    assert count("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'text'").fetchone()[0] == 1
    store.delete_document("/x.md")
    assert count("SELECT count(*) FROM chunk_vecs").fetchone()[0] == 0
    assert count("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'text'").fetchone()[0] == 0


def test_a_failed_write_rolls_the_whole_document_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    store.ensure_embedding("m", 4)
    doc = NewDocument(path="/x.md", kind="notes", format="notes", hash="h", mtime=0, size=1)
    good = [Chunk(ordinal=0, kind="note", text="old text", locator="L1")]
    store.write_document(doc, good, np.ones((1, 4), dtype=np.float32))
    with pytest.raises(RuntimeError), store.writing(doc) as writer:
        writer.add_chunks(
            [Chunk(ordinal=0, kind="note", text="new", locator="L1")],
            np.ones((1, 4), dtype=np.float32),
        )
        raise RuntimeError("disk trouble")
    texts = [t for (t,) in store.db.execute("SELECT text FROM chunks")]
    assert texts == ["old text"]
