"""The one SQLite file: connection (extension loading), applying migrations, writes."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.chunking import keyword_fields
from assistant.errors import StoreError
from assistant.migrations import MIGRATIONS
from assistant.records import Chunk, Event
from assistant.tokens import entry

if TYPE_CHECKING:
    from assistant.keys import StoreKey

# Modules tried in order: each is a drop-in for sqlite3 that may load extensions.
# sqlcipher3 (SQLCipher) opens plain files too, so one module serves both kinds of store.
SQLITE_MODULES = ("sqlcipher3", "sqlean", "pysqlite3.dbapi2", "sqlite3")
CIPHER_MODULES = ("sqlcipher3",)


def _load_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def pick_sqlite_module(candidates: Sequence[str] = SQLITE_MODULES) -> ModuleType:
    """The first SQLite module that can load the sqlite-vec extension."""
    import sqlite_vec

    tried: list[str] = []
    for name in candidates:
        mod = _load_module(name)
        if mod is None:
            tried.append(f"{name} (not installed)")
            continue
        try:
            conn = mod.connect(":memory:")
            conn.enable_load_extension(True)
            sqlite_vec.load(conn)
            conn.enable_load_extension(False)
            conn.close()
            return mod
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot use this one"
            tried.append(f"{name} ({type(exc).__name__}: {exc})")
    raise StoreError(
        "no SQLite module here can load extensions (tried "
        + "; ".join(tried)
        + "); install one with: pip install "
        + ("sqlcipher3" if "sqlcipher3" in candidates else "sqlean-py")
    )


# --- the store ---------------------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    path: str
    kind: str
    format: str
    hash: str
    mtime: float
    size: int


@dataclass(frozen=True)
class NewDocument:
    path: str
    kind: str
    format: str
    hash: str
    mtime: float
    size: int
    title: str | None = None
    problems: tuple[str, ...] = ()


def to_epoch(value: datetime | date | None) -> float | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def _row_digest(row: Sequence[Any]) -> bytes:
    return hashlib.blake2b(repr(tuple(row)).encode("utf-8"), digest_size=16).digest()


_ROW_COLUMNS = "kind, title, text, locator, time, time_end, senders, text_hash, meta"


class DocumentWriter:
    """Writes one document's chunks, vectors and events inside its transaction.

    A document indexed before is updated, not rewritten: a chunk whose row is unchanged
    at its ordinal is kept as it is (a grown chat export touches only its new windows);
    a changed one is parked under a negative ordinal, so its vector can still be reused
    by a chunk that moved, and ``finish`` drops what was parked or is gone.
    """

    def __init__(self, store: Store, doc_id: int, previous: dict[int, tuple[int, bytes]]) -> None:
        self.store = store
        self.doc_id = doc_id
        self.previous = previous  # ordinal -> (chunk id, row digest) before this write
        self.chunks = 0  # chunks of the new version, kept or written
        self.written = 0  # chunks actually inserted
        self.problems: list[str] = []

    def add_chunks(
        self,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        text_hashes: Sequence[str] | None = None,
    ) -> None:
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        from assistant.chunking import text_hash as _hash

        hashes = list(text_hashes) if text_hashes is not None else [_hash(c) for c in chunks]
        db = self.store.db
        for chunk, vector, h in zip(chunks, vectors, hashes, strict=True):
            row = (
                chunk.kind,
                chunk.title,
                chunk.text,
                chunk.locator,
                to_epoch(chunk.time),
                to_epoch(chunk.time_end),
                "\n".join(chunk.senders),
                h,
                json.dumps(chunk.meta, default=str) if chunk.meta else None,
            )
            self.chunks += 1
            before = self.previous.get(chunk.ordinal)
            if before is not None:
                if before[1] == _row_digest(row):
                    continue  # unchanged: keep the row, its vector and its keyword entry
                db.execute("UPDATE chunks SET ordinal = -1 - ordinal WHERE id = ?", (before[0],))
            cur = db.execute(
                f"INSERT INTO chunks(doc_id, ordinal, {_ROW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (self.doc_id, chunk.ordinal, *row),
            )
            db.execute(  # its keyword-index row (migration 7)
                "INSERT INTO chunk_terms(chunk_id, lang, title, text, senders) VALUES (?,?,?,?,?)",
                (cur.lastrowid, *entry(*keyword_fields(chunk, row[6]))),
            )
            db.execute(
                "INSERT INTO chunk_vecs(chunk_id, embedding) VALUES (?, ?)",
                (cur.lastrowid, np.ascontiguousarray(vector, dtype=np.float32).tobytes()),
            )
            self.written += 1

    def add_events(self, events: Sequence[Event]) -> None:
        for ev in events:
            cur = self.store.db.execute(
                "INSERT INTO events(doc_id, uid, title, location, description, attendees, "
                "all_day, recurring, first_start, last_end, ics, locator, cancelled) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    self.doc_id,
                    ev.uid,
                    ev.title,
                    ev.location,
                    ev.description,
                    json.dumps(list(ev.attendees)),
                    int(ev.all_day),
                    int(ev.recurring),
                    to_epoch(ev.first_start),
                    to_epoch(ev.last_end),
                    ev.ics,
                    ev.locator,
                    int(ev.cancelled),
                ),
            )
            self.add_occurrences(int(cur.lastrowid), ev)

    def add_occurrences(self, event_id: int, ev: Event) -> None:
        """The occurrences expanded at index time and the range they cover (migrations 3, 4)."""
        if ev.covered is None:
            return  # not expanded: calendar queries expand this event from its ics
        db = self.store.db
        db.executemany(
            "INSERT INTO occurrences(event_id, start_at, end_at, all_day, busy, title, location, "
            "recurrence_id) VALUES (?,?,?,?,?,?,?,?)",
            [
                (event_id, to_epoch(s.start), to_epoch(s.end), int(s.all_day), int(s.busy),
                 s.title, s.location, to_epoch(s.recurrence_id))
                for s in ev.occurrences
            ],
        )
        db.execute(
            "INSERT INTO event_coverage(event_id, covered_from, covered_until) VALUES (?,?,?)",
            (event_id, to_epoch(ev.covered[0]), to_epoch(ev.covered[1])),
        )

    def set_problems(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)

    def finish(self) -> None:
        # Chunks are numbered 0..n-1: rows parked (negative) or beyond the new end are gone.
        self.store.db.execute(
            "DELETE FROM chunks WHERE doc_id = ? AND (ordinal < 0 OR ordinal >= ?)",
            (self.doc_id, self.chunks),
        )
        if self.problems:
            self.store.db.execute(
                "UPDATE documents SET problems = ? WHERE id = ?",
                (json.dumps(self.problems[:200]), self.doc_id),
            )


def apply_key(db: Any, key: StoreKey | None) -> None:
    """Give SQLCipher the key before anything reads the file (and keep its log off stderr)."""
    if key is not None:
        db.execute("PRAGMA cipher_log_level = NONE")
        db.execute(f"PRAGMA key = {key.pragma()}")
        db.execute("PRAGMA temp_store = MEMORY")  # sorts and VACUUM copies never touch disk


class Store:
    """The index database. One instance per thread; cheap to open.

    ``key`` opens an encrypted file (assistant/cipher.py finds it); without one the
    file is plain SQLite.
    """

    def __init__(
        self, path: Path, *, module: ModuleType | None = None, key: StoreKey | None = None
    ) -> None:
        self.path = Path(path)
        self.key = key
        self.module = module or pick_sqlite_module(CIPHER_MODULES if key else SQLITE_MODULES)
        _create_private_file(self.path)
        try:
            self.db = self.module.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=30.0
            )
            apply_key(self.db, key)
            self.db.enable_load_extension(True)
            import sqlite_vec

            sqlite_vec.load(self.db)
            self.db.enable_load_extension(False)
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA secure_delete = ON")
            self.migrate()
        except self.module.DatabaseError as exc:
            from assistant.cipher import open_error

            raise open_error(self.path, key, exc) from None
        for suffix in ("-wal", "-shm"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                os.chmod(side, 0o600)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------

    def migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
        )
        done = {row[0] for row in self.db.execute("SELECT version FROM _migrations")}
        for version, name, fn in MIGRATIONS:
            if version in done:
                continue
            with self.transaction():
                fn(self.db)
                self.db.execute(
                    "INSERT INTO _migrations VALUES (?, ?, ?)", (version, name, time.time())
                )

    @property
    def schema_version(self) -> int:
        row = self.db.execute("SELECT max(version) FROM _migrations").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def has_vectors(self) -> bool:
        row = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunk_vecs'").fetchone()
        return row is not None

    def ensure_embedding(self, model_id: str, dim: int) -> None:
        """Create the vector table for this embedder, or refuse a different one."""
        stored_model = self.get_meta("embedding_model")
        stored_dim = self.get_meta("embedding_dim")
        if stored_model is not None and (stored_model != model_id or stored_dim != str(dim)):
            raise StoreError(
                f"{self.path}: the index was built with embedding model {stored_model} "
                f"({stored_dim} dims), but the config now uses {model_id} ({dim} dims); "
                "rebuild it with: assistant index --rebuild"
            )
        if stored_model is None or not self.has_vectors():
            with self.transaction():
                self.db.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vecs USING vec0("
                    f"chunk_id INTEGER PRIMARY KEY, embedding float[{dim}] distance_metric=cosine)"
                )
                self.db.execute(
                    "CREATE TRIGGER IF NOT EXISTS chunks_vec_ad AFTER DELETE ON chunks BEGIN "
                    "DELETE FROM chunk_vecs WHERE chunk_id = old.id; END"
                )
                self._set_meta("embedding_model", model_id)
                self._set_meta("embedding_dim", str(dim))
                (vec_version,) = self.db.execute("SELECT vec_version()").fetchone()
                self._set_meta("sqlite_vec_version", vec_version)

    # -- documents ----------------------------------------------------------

    def documents(self, under: Path | None = None) -> dict[str, DocumentInfo]:
        sql = "SELECT id, path, kind, format, hash, mtime, size FROM documents"
        args: tuple[Any, ...] = ()
        if under is not None:
            prefix = str(under).rstrip(os.sep) + os.sep
            sql += " WHERE path = ? OR substr(path, 1, ?) = ?"
            args = (str(under), len(prefix), prefix)
        return {row[1]: DocumentInfo(*row) for row in self.db.execute(sql, args)}

    def vectors_by_hash(self, doc_id: int, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors this document already has for chunk texts of these hashes (to skip
        re-embedding). Asked per batch, so a large document's vectors are never all
        held at once."""
        if not self.has_vectors() or not hashes:
            return {}
        out: dict[str, np.ndarray] = {}
        wanted = list(dict.fromkeys(hashes))
        for i in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            part = wanted[i : i + 500]
            for text_hash, blob in self.db.execute(
                "SELECT c.text_hash, v.embedding FROM chunks c "
                "JOIN chunk_vecs v ON v.chunk_id = c.id "
                f"WHERE c.doc_id = ? AND c.text_hash IN ({','.join('?' * len(part))})",
                (doc_id, *part),
            ):
                out[text_hash] = np.frombuffer(blob, dtype=np.float32)
        return out

    @contextmanager
    def writing(self, doc: NewDocument) -> Iterator[DocumentWriter]:
        """One transaction that brings everything known about ``doc.path`` to this version
        (rows that did not change are kept; see DocumentWriter).

        Readers (WAL) keep seeing the previous version until the commit; an
        exception, a crash or a kill rolls the whole document back.
        """
        values = (
            doc.kind,
            doc.format,
            doc.hash,
            doc.mtime,
            doc.size,
            doc.title,
            time.time(),
            json.dumps(list(doc.problems)) if doc.problems else None,
        )
        with self.transaction():
            row = self.db.execute("SELECT id FROM documents WHERE path = ?", (doc.path,)).fetchone()
            previous: dict[int, tuple[int, bytes]] = {}
            if row is None:
                cur = self.db.execute(
                    "INSERT INTO documents(path, kind, format, hash, mtime, size, title, "
                    "indexed_at, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc.path, *values),
                )
                doc_id = int(cur.lastrowid)
            else:
                doc_id = int(row[0])
                self.db.execute(
                    "UPDATE documents SET kind = ?, format = ?, hash = ?, mtime = ?, size = ?, "
                    "title = ?, indexed_at = ?, problems = ? WHERE id = ?",
                    (*values, doc_id),
                )
                self.db.execute("DELETE FROM events WHERE doc_id = ?", (doc_id,))
                for chunk_id, ordinal, *rest in self.db.execute(
                    f"SELECT id, ordinal, {_ROW_COLUMNS} FROM chunks WHERE doc_id = ?", (doc_id,)
                ):
                    previous[ordinal] = (chunk_id, _row_digest(rest))
            writer = DocumentWriter(self, doc_id, previous)
            yield writer
            writer.finish()
            self._bump_generation()

    def write_document(
        self,
        doc: NewDocument,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        events: Sequence[Event] = (),
        text_hashes: Sequence[str] | None = None,
    ) -> int:
        """Replace everything known about ``doc.path`` in one transaction."""
        with self.writing(doc) as writer:
            writer.add_chunks(chunks, vectors, text_hashes)
            writer.add_events(events)
        return writer.doc_id

    def touch_document(self, path: str, mtime: float) -> None:
        """Same content, new mtime: remember it so the next run skips without hashing."""
        self.db.execute("UPDATE documents SET mtime = ? WHERE path = ?", (mtime, path))

    def delete_document(self, path: str) -> bool:
        with self.transaction():
            cur = self.db.execute("DELETE FROM documents WHERE path = ?", (path,))
            if cur.rowcount:
                self._bump_generation()
        return bool(cur.rowcount)

    def forget(self, path: str) -> int:
        """Remove every document at or under ``path`` and never index it again."""
        removed = 0
        with self.transaction():
            for doc_path in self.documents(under=Path(path)):
                self.db.execute("DELETE FROM documents WHERE path = ?", (doc_path,))
                removed += 1
            self.db.execute(
                "INSERT OR REPLACE INTO forgotten(path, at) VALUES (?, ?)", (path, time.time())
            )
            self.clear_skipped(path, under=True)
            self._bump_generation()
        self.scrub()
        return removed

    def senders(self) -> list[str]:
        """Distinct sender names of message and email chunks (to spot "what did Ada say")."""
        names: dict[str, None] = {}
        for (joined,) in self.db.execute(
            "SELECT DISTINCT senders FROM chunks WHERE kind IN ('message', 'email') "
            "AND senders != ''"
        ):
            for name in joined.split("\n"):
                if name:
                    names.setdefault(name, None)
        return list(names)

    # -- files no format recognised ----------------------------------------

    def set_skipped(self, path: str, reason: str, detail: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO skipped_files(path, reason, detail, at) VALUES (?, ?, ?, ?)",
            (path, reason, detail, time.time()),
        )

    def clear_skipped(self, path: str, *, under: bool = False) -> None:
        """Forget that ``path`` (with ``under``: anything at or below it) was skipped."""
        if not under:
            self.db.execute("DELETE FROM skipped_files WHERE path = ?", (path,))
            return
        prefix = path.rstrip(os.sep) + os.sep
        self.db.execute(
            "DELETE FROM skipped_files WHERE path = ? OR substr(path, 1, ?) = ?",
            (path, len(prefix), prefix),
        )

    def skipped_files(self) -> list[dict[str, str]]:
        rows = self.db.execute("SELECT path, reason, detail FROM skipped_files ORDER BY path")
        return [{"path": p, "reason": r, "detail": d} for p, r, d in rows]

    def forgotten(self) -> list[str]:
        return [p for (p,) in self.db.execute("SELECT path FROM forgotten ORDER BY path")]

    def keep_forgotten(self, paths: Sequence[str]) -> None:
        """Carry a forget list over into this store (a rebuilt index keeps its exclusions)."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO forgotten(path, at) VALUES (?, ?)",
                [(p, time.time()) for p in paths],
            )

    def unforget(self, path: str) -> list[str]:
        """Drop the exclusions at or under ``path``: those files are indexed again."""
        prefix = path.rstrip(os.sep) + os.sep
        gone = [p for p in self.forgotten() if p == path or p.startswith(prefix)]
        with self.transaction():
            self.db.executemany("DELETE FROM forgotten WHERE path = ?", [(p,) for p in gone])
        return gone

    def is_forgotten(self, path: str) -> bool:
        for prefix in self.forgotten():
            if path == prefix or path.startswith(prefix.rstrip(os.sep) + os.sep):
                return True
        return False

    def scrub(self) -> None:
        """Push deleted text out of the WAL and free pages (secure_delete zeroes them)."""
        self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def delete_all(self) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM documents")
            self.db.execute("DELETE FROM skipped_files")
            self._bump_generation()

    def _bump_generation(self) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def generation(self) -> int:
        value = self.get_meta("generation")
        return int(value) if value else 0

    # -- reporting ----------------------------------------------------------

    def counts(self) -> dict[str, Any]:
        per_kind = dict(
            self.db.execute("SELECT kind, count(*) FROM chunks GROUP BY kind").fetchall()
        )
        docs = dict(
            self.db.execute("SELECT kind, count(*) FROM documents GROUP BY kind").fetchall()
        )
        (events,) = self.db.execute("SELECT count(*) FROM events").fetchone()
        with_problems = self.db.execute(
            "SELECT count(*) FROM documents WHERE problems IS NOT NULL"
        ).fetchone()[0]
        return {
            "documents": docs,
            "chunks": per_kind,
            "events": events,
            "documents_with_problems": with_problems,
        }

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                total += p.stat().st_size
        return total
