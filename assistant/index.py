"""Sources -> chunks -> vectors -> store, incremental by content hash."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import numpy as np

from assistant.chunking import DEFAULT_OPTIONS, ChunkingOptions, chunk_records, embedding_text
from assistant.chunking import text_hash as chunk_hash
from assistant.config import SourceConfig
from assistant.embed import Embedder
from assistant.errors import AssistantError, SourceError
from assistant.progress import IndexProgress, OnUpdate
from assistant.records import Chunk, Event, Record
from assistant.sources import (
    HEAD_BYTES,
    ParseContext,
    all_formats,
    cannot_read,
    detect_format,
    is_ignored,
)
from assistant.store import DocumentInfo, NewDocument, Store

BATCH_CHUNKS = 256  # chunks embedded per encode() call, across small documents
STREAM_AFTER = 512  # a document with more chunks is written while it is parsed

Progress = Callable[[str, int, int], None]  # (path, done, total), before each file
SKIP_REPORTED = ("messages", "auto")  # source kinds whose unrecognised files are listed
UNRECOGNISED = "unrecognised format"


class Cancelled(Exception):
    """Raised inside a document's transaction when a stop was asked for: it rolls back."""


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: int = 0
    failed: int = 0
    ignored: int = 0  # files no format claims (images, PDFs, ...)
    chunks_embedded: int = 0
    chunks_reused: int = 0
    errors: list[str] = field(default_factory=list)  # "path: problem", one per failed file
    warnings: list[str] = field(default_factory=list)  # "path: line 12: problem"
    # Files skipped, listed and never silent, one line each: of a messages or auto source
    # that no format recognised ('skipped (unrecognised format): PATH (first line: "…")'),
    # or that look like a format but are not ("skipped (binary file): x.md"). Not failures.
    skipped_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.skipped} unchanged, {self.failed} failed"
        )


@dataclass
class _Pending:
    doc: NewDocument
    chunks: list[Chunk]
    hashes: list[str]
    vectors: list[np.ndarray | None]
    events: list[Event]
    problems: list[str]
    is_new: bool


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` (or ``root`` itself), skipping hidden/temp files; no symlink loops."""
    if root.is_file():
        if not is_ignored(root):
            yield root
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not is_ignored(Path(d)))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not is_ignored(Path(name)) and path.is_file():
                yield path


def source_for(path: Path, sources: Sequence[SourceConfig]) -> SourceConfig | None:
    """The configured source containing ``path`` (the deepest one wins)."""
    best: SourceConfig | None = None
    for src in sources:
        inside = path == src.path or src.path in path.parents
        if inside and (best is None or len(src.path.parts) > len(best.path.parts)):
            best = src
    return best


class Indexer:
    """Keeps a store in step with configured sources. Also used, file by file, by the daemon."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        tz: ZoneInfo,
        sources: Sequence[SourceConfig],
        options: ChunkingOptions = DEFAULT_OPTIONS,
        cancel: Callable[[], bool] | None = None,
    ) -> None:
        self.cancel = cancel or (lambda: False)
        self.store = store
        self.embedder = embedder
        self.tz = tz
        self.sources = tuple(sources)
        self.options = options
        self._pending: list[_Pending] = []
        self._pending_chunks = 0
        self._report = IndexReport()
        self._ready = False
        self._known: dict[str, DocumentInfo] | None = None
        self._forgotten: list[str] | None = None
        self._skipped: set[str] | None = None  # paths listed as skipped in the store
        self.progress = IndexProgress()
        self._on_update: OnUpdate | None = None
        self._todo_bytes: dict[str, int] = {}  # path -> size, for files counted in bytes_total
        self._flushing_bytes = 0  # bytes of the documents whose chunks are being embedded

    def _ensure_vectors(self) -> None:
        if not self._ready:
            self.store.ensure_embedding(self.embedder.model_id, self.embedder.dim)
            self._ready = True

    # -- whole runs ---------------------------------------------------------------

    def run(
        self,
        paths: Sequence[Path] | None = None,
        progress: Progress | None = None,
        on_update: OnUpdate | None = None,
    ) -> IndexReport:
        """Index every configured source, or only ``paths`` (which must lie inside one).

        ``on_update`` is told how far the run is after every file and embedding batch.
        """
        self._report = report = IndexReport()
        self.progress = IndexProgress()
        self._on_update = on_update
        roots: list[tuple[Path, SourceConfig]] = []
        if paths:
            for p in paths:
                p = p.expanduser().resolve()
                src = source_for(p, self.sources)
                if src is None:
                    raise AssistantError(
                        f"{p} is not inside any configured source; add it to [[sources]] in "
                        "config.toml"
                    )
                if not p.exists():
                    roots.append((p, src))  # gone: only its removal is left to do
                    continue
                roots.append((p, src))
        else:
            roots = [(src.path, src) for src in self.sources]

        files: list[tuple[Path, SourceConfig]] = []
        for root, src in roots:
            if root.exists():
                files.extend((f, src) for f in walk(root))
        # A whole source folder that is not there (an unmounted drive): skipped with a
        # warning, and what was indexed from it is kept until it comes back.
        missing = set() if paths else {root for root, _ in roots if not root.exists()}
        for root in sorted(missing):
            kept = len(self.store.documents(under=root))
            report.warnings.append(
                f"{root}: source folder not found; skipped"
                + (
                    f" (its {kept} indexed document{' is' if kept == 1 else 's are'} kept)"
                    if kept
                    else ""
                )
            )
        seen = {str(f) for f, _ in files}
        self._known = self.store.documents()
        self._forgotten = self.store.forgotten()
        self._plan(files)

        for i, (path, src) in enumerate(files):
            if self.cancel():
                self._pending.clear()
                raise Cancelled()
            if progress:
                progress(str(path), i, len(files))
            self.progress.current = str(path)
            if self.index_file(path, src) != "queued":
                self._settled(str(path))
        self.flush()
        self._known = None
        self.progress.current = ""
        self._notify()
        if progress:
            progress("", len(files), len(files))

        # Documents whose file is gone, or that no configured source covers any more.
        for root, _ in roots:
            if root in missing:
                continue
            for doc_path in self.store.documents(under=root):
                if doc_path not in seen:
                    self.remove(doc_path)
        if not paths:
            for doc_path in self.store.documents():
                if source_for(Path(doc_path), self.sources) is None:
                    self.remove(doc_path)
        self._forget_skipped(seen, [root for root, _ in roots], everywhere=not paths)
        return report

    def _forget_skipped(self, seen: set[str], roots: list[Path], *, everywhere: bool) -> None:
        """Skipped files that are gone, or no source covers any more, leave the list."""
        for entry in self.store.skipped_files():
            path = Path(entry["path"])
            under_root = any(path == r or r in path.parents for r in roots)
            gone = under_root and entry["path"] not in seen
            if gone or (everywhere and source_for(path, self.sources) is None):
                self.store.clear_skipped(entry["path"])
        self._skipped = None
    def _plan(self, files: Sequence[tuple[Path, SourceConfig]]) -> None:
        """Count the files and the bytes this run will have to read and embed."""
        known = self._known or {}
        self.progress.files_total = len(files)
        self._todo_bytes = {}
        for path, _ in files:
            try:
                st = path.stat()
            except OSError:
                continue
            before = known.get(str(path))
            if before is None or before.mtime != st.st_mtime or before.size != st.st_size:
                self._todo_bytes[str(path)] = st.st_size
        self.progress.bytes_total = sum(self._todo_bytes.values())

    def _settled(self, path: str, stored: bool = False) -> None:
        self.progress.files_done += 1
        self.progress.documents_stored += stored
        self.progress.bytes_done = min(
            self.progress.bytes_total, self.progress.bytes_done + self._todo_bytes.pop(path, 0)
        )
        self._notify()

    def _notify(self) -> None:
        if self._on_update is not None:
            self._on_update(self.progress)

    def sync_path(self, path: Path) -> IndexReport:
        """Bring one changed path in step: a file or folder, created, edited or gone."""
        self._report = report = IndexReport()
        self._forgotten = None  # `assistant forget` may have run since the last change
        source = source_for(path, self.sources)
        if source is None or is_ignored(path.relative_to(source.path)):
            return report
        if path.is_file():
            self.index_file(path, source)
        elif path.is_dir():
            seen = set()
            for f in walk(path):
                if self.cancel():
                    self._pending.clear()
                    raise Cancelled()
                seen.add(str(f))
                self.index_file(f, source)
            self.flush()
            for doc_path in self.store.documents(under=path):
                if doc_path not in seen:
                    self.remove(doc_path)
            self._forget_skipped(seen, [path], everywhere=False)
        else:  # deleted or moved away: the file, or everything under the folder
            for doc_path in self.store.documents(under=path):
                self.remove(doc_path)
            self.store.clear_skipped(str(path), under=True)
            self._skipped = None
        self.flush()
        return report

    def index_records(
        self, path: str, records: Iterable[Record], *, kind: str, format: str
    ) -> IndexReport:
        """Index records that come from an importer rather than a file (same chunking and
        embedding as files; the benchmark feeds LoCoMo conversations through here)."""
        self._report = report = IndexReport()
        self._ensure_vectors()
        records = list(records)
        digest = hashlib.sha256(repr(records).encode()).hexdigest()
        doc = NewDocument(path=path, kind=kind, format=format, hash=digest, mtime=0.0, size=0)
        events = [r for r in records if isinstance(r, Event)]
        stream = iter(chunk_records(records, self.tz, self.options))
        self._stream(doc, [], stream, events, ParseContext(tz=self.tz), None, is_new=True, title=[])
        return report

    def remove(self, doc_path: str) -> bool:
        removed = self.store.delete_document(doc_path)
        if removed:
            self._report.removed += 1
        return removed

    # -- one file -----------------------------------------------------------------

    def index_file(self, path: Path, source: SourceConfig) -> str:
        """Queue ``path`` for (re)indexing; returns "skipped" | "queued" | "failed" | "ignored"."""
        report = self._report
        key = str(path)
        if self._is_forgotten(key):
            report.ignored += 1
            return "ignored"
        try:
            st = path.stat()
            known: DocumentInfo | None = (
                self._known.get(key)
                if self._known is not None
                else self.store.documents(under=path).get(key)
            )
            if known and known.mtime == st.st_mtime and known.size == st.st_size:
                report.skipped += 1
                return "skipped"
            with path.open("rb") as fh:
                head = fh.read(HEAD_BYTES)
            fmt = detect_format(path, head, source.kind)
            if fmt is None:
                if known:  # it used to be indexable; it is not any more
                    self.remove(key)
                reason = skip_reason(path, head, source.kind)
                if reason:  # the line shape of the message parsers' unrecognised files
                    report.skipped_files.append(f"skipped ({reason}): {path}")
                report.ignored += 1
                if source.kind in SKIP_REPORTED:
                    self._skip(key, head, st.st_size)
                return "ignored"
            self._unskip(key)
            digest = file_hash(path)
            if known and known.hash == digest:
                self.store.touch_document(key, st.st_mtime)
                report.skipped += 1
                return "skipped"
            self._ensure_vectors()
            self._parse_and_queue(path, source, fmt, digest, st, known)
            return "queued"
        except SourceError as exc:
            self._fail(str(exc))
        except OSError as exc:
            self._fail(str(cannot_read(path, exc)))
        except (AssistantError, Cancelled):
            raise  # store or model trouble, or a stop: the whole run cannot go on
        except self.store.module.DatabaseError as exc:
            raise _store_failure(self.store, exc) from None
        except Exception as exc:  # noqa: BLE001 - one broken file never stops a run
            self._fail(f"{path}: could not be parsed ({type(exc).__name__}: {exc})")
        return "failed"

    def _skip(self, key: str, head: bytes, size: int) -> None:
        detail = describe_head(head, size)
        self._report.skipped_files.append(f"skipped ({UNRECOGNISED}): {key} ({detail})")
        self.store.set_skipped(key, UNRECOGNISED, detail)
        if self._skipped is not None:
            self._skipped.add(key)

    def _unskip(self, key: str) -> None:
        if self._skipped is None:
            self._skipped = {e["path"] for e in self.store.skipped_files()}
        if key in self._skipped:
            self.store.clear_skipped(key)
            self._skipped.discard(key)

    def _is_forgotten(self, key: str) -> bool:
        if self._forgotten is None:
            self._forgotten = self.store.forgotten()
        return any(key == p or key.startswith(p.rstrip(os.sep) + os.sep) for p in self._forgotten)

    def _fail(self, message: str) -> None:
        self._report.failed += 1
        self._report.errors.append(message.splitlines()[0] if message else "unknown error")

    def _parse_and_queue(
        self,
        path: Path,
        source: SourceConfig,
        fmt: ModuleType,
        digest: str,
        st: os.stat_result,
        known: DocumentInfo | None,
    ) -> None:
        ctx = ParseContext(tz=self.tz)
        events: list[Event] = []
        title: list[str] = []

        def records() -> Iterator[Record]:
            for rec in fmt.parse(path, ctx):
                if isinstance(rec, Event):
                    events.append(rec)
                elif not title and hasattr(rec, "title"):
                    title.append(rec.title)
                yield rec

        doc = NewDocument(
            path=str(path),
            kind=source.kind if source.kind != "auto" else fmt.FAMILY,
            format=fmt.NAME,
            hash=digest,
            mtime=st.st_mtime,
            size=st.st_size,
        )
        reuse = known.id if known else None  # whose vectors may be reused
        stream = chunk_records(records(), self.tz, self.options)
        first: list[Chunk] = []
        for chunk in stream:
            first.append(chunk)
            if len(first) > STREAM_AFTER:
                break
        else:
            doc = _with_title(doc, title)
            self._queue(doc, first, events, ctx, reuse, is_new=known is None)
            return
        # A large document: write it batch by batch inside its own transaction.
        self.flush()
        self._stream(doc, first, stream, events, ctx, reuse, is_new=known is None, title=title)

    def _vectors_for(
        self, chunks: Sequence[Chunk], reuse: int | None
    ) -> tuple[list[str], list[np.ndarray | None]]:
        """Text hashes of ``chunks`` and the vectors document ``reuse`` already has for
        them (None where a chunk must be embedded)."""
        hashes = [chunk_hash(c) for c in chunks]
        known = self.store.vectors_by_hash(reuse, hashes) if reuse is not None else {}
        return hashes, [known.get(h) for h in hashes]

    def _queue(
        self,
        doc: NewDocument,
        chunks: list[Chunk],
        events: list[Event],
        ctx: ParseContext,
        reuse: int | None,
        *,
        is_new: bool,
    ) -> None:
        hashes, vectors = self._vectors_for(chunks, reuse)
        self._pending.append(
            _Pending(doc, chunks, hashes, vectors, events, list(ctx.problems), is_new)
        )
        self._pending_chunks += sum(v is None for v in vectors)
        if self._pending_chunks >= BATCH_CHUNKS:
            self.flush()

    def _embed_missing(self, chunks: Sequence[Chunk], vectors: list[np.ndarray | None]) -> None:
        todo = [i for i, v in enumerate(vectors) if v is None]
        self._report.chunks_reused += len(vectors) - len(todo)
        if not todo:
            return
        encoded = self._encode([embedding_text(chunks[i]) for i in todo])
        for i, vec in zip(todo, encoded, strict=True):
            vectors[i] = vec
        self._report.chunks_embedded += len(todo)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Embed batch by batch, longest texts first as encode() orders them itself (same
        padding, same speed), so a watcher sees progress between batches and a stop
        does not wait for hundreds of chunks."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.embedder.dim), dtype=np.float32)  # loads the model
        if self.progress.embedding_started is None:
            self.progress.embedding_started = time.monotonic()
        step = max(1, int(getattr(self.embedder, "batch_size", 32)))
        flushing, base = self._flushing_bytes, self.progress.bytes_done
        for start in range(0, len(order), step):
            if self.cancel():
                raise Cancelled()
            part = order[start : start + step]
            out[part] = self.embedder.encode([texts[i] for i in part])
            self.progress.chunks_embedded += len(part)
            if flushing:  # the documents of this batch are this far along
                done = min(len(order), start + step) / len(order)
                self.progress.bytes_done = min(self.progress.bytes_total, base + flushing * done)
            self._notify()
        if flushing:
            self.progress.bytes_done = base
        return out

    def flush(self) -> None:
        """Embed every queued chunk (batch by batch), then write each document in its own
        transaction."""
        try:
            self._flush()
        except self.store.module.DatabaseError as exc:
            raise _store_failure(self.store, exc) from None

    def _flush(self) -> None:
        pending, self._pending, self._pending_chunks = self._pending, [], 0
        if not pending:
            return
        all_chunks: list[Chunk] = []
        all_vectors: list[np.ndarray | None] = []
        for p in pending:
            all_chunks.extend(p.chunks)
            all_vectors.extend(p.vectors)
        self._flushing_bytes = sum(self._todo_bytes.get(p.doc.path, 0) for p in pending)
        try:
            self._embed_missing(all_chunks, all_vectors)
        finally:
            self._flushing_bytes = 0
        offset = 0
        for p in pending:
            n = len(p.chunks)
            vectors = np.array(all_vectors[offset : offset + n], dtype=np.float32).reshape(
                n, self.embedder.dim
            )
            offset += n
            with self.store.writing(p.doc) as writer:
                writer.add_chunks(p.chunks, vectors, p.hashes)
                writer.add_events(p.events)
                writer.set_problems(p.problems)
            self._count(p.doc, p.is_new, p.problems)

    def _stream(
        self,
        doc: NewDocument,
        first: list[Chunk],
        rest: Iterable[Chunk],
        events: list[Event],
        ctx: ParseContext,
        reuse: int | None,
        *,
        is_new: bool,
        title: list[str],
    ) -> None:
        with self.store.writing(_with_title(doc, title)) as writer:
            batch = first
            for chunk in rest:
                if self.cancel():
                    raise Cancelled()  # rolls the whole document back
                batch.append(chunk)
                if len(batch) >= BATCH_CHUNKS:
                    self._write_batch(writer, batch, reuse)
                    batch = []
            self._write_batch(writer, batch, reuse)
            writer.add_events(events)
            writer.set_problems(ctx.problems)
        self._count(doc, is_new, ctx.problems)

    def _write_batch(
        self, writer: object, batch: list[Chunk], reuse: int | None
    ) -> None:
        if not batch:
            return
        hashes, vectors = self._vectors_for(batch, reuse)
        self._embed_missing(batch, vectors)
        matrix = np.array(vectors, dtype=np.float32).reshape(len(batch), self.embedder.dim)
        writer.add_chunks(batch, matrix, hashes)  # type: ignore[attr-defined]

    def _count(self, doc: NewDocument, is_new: bool, problems: list[str]) -> None:
        if is_new:
            self._report.added += 1
        else:
            self._report.updated += 1
        self._report.warnings.extend(f"{doc.path}: {p}" for p in problems)
        self._settled(doc.path, stored=True)


def skip_reason(path: Path, head: bytes, source_kind: str) -> str | None:
    """Why a file no format accepted looks like one anyway (a binary ``.md``), or None
    for files nobody claims (images, PDFs): formats may say so with ``skip_reason``."""
    for fmt in all_formats():
        if source_kind not in ("auto", fmt.FAMILY):
            continue
        why = getattr(fmt, "skip_reason", None)
        reason = why(path, head) if why is not None else None
        if reason:
            return str(reason)
    return None


def describe_head(head: bytes, size: int) -> str:
    """What a skipped file looks like, for a person deciding what it is: its first line."""
    if not head:
        return "empty file"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text; save it as UTF-8 to have it read"
    if b"\x00" in head[:8192]:
        return f"binary data, {size / 1e6:.1f} MB" if size >= 100_000 else "binary data"
    text = head[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) > 80:
        first = first[:79] + "…"
    return f'first line: "{first}"' if first else "only blank lines"


def _store_failure(store: Store, exc: Exception) -> AssistantError:
    from assistant.errors import StoreError

    reason = str(exc)
    hint = "free some disk space and run assistant index again" if "full" in reason or (
        "disk" in reason) else "run: assistant check"
    return StoreError(
        f"{store.path}: the index could not be written ({reason}); the previous index is "
        f"intact; {hint}"
    )


def _with_title(doc: NewDocument, title: list[str]) -> NewDocument:
    if not title:
        return doc
    return NewDocument(
        path=doc.path,
        kind=doc.kind,
        format=doc.format,
        hash=doc.hash,
        mtime=doc.mtime,
        size=doc.size,
        title=title[0],
        problems=doc.problems,
    )
