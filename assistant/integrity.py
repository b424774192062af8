"""Integrity of the index: every chunk has its vector and FTS row and vice versa."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.store import Store


@dataclass
class CheckReport:
    documents: int = 0
    chunks: int = 0
    chunks_without_vector: int = 0
    vectors_without_chunk: int = 0
    duplicate_chunks: int = 0
    fts_ok: bool = True
    fts_rows: int = 0
    missing_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {**self.__dict__, "ok": self.ok}


def check(store: Store) -> CheckReport:
    db = store.db
    report = CheckReport()
    report.documents = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    report.chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    if store.has_vectors():
        report.chunks_without_vector = db.execute(
            "SELECT count(*) FROM chunks c WHERE NOT EXISTS "
            "(SELECT 1 FROM chunk_vecs v WHERE v.chunk_id = c.id)"
        ).fetchone()[0]
        report.vectors_without_chunk = db.execute(
            "SELECT count(*) FROM chunk_vecs v WHERE NOT EXISTS "
            "(SELECT 1 FROM chunks c WHERE c.id = v.chunk_id)"
        ).fetchone()[0]
    elif report.chunks:
        report.chunks_without_vector = report.chunks
    report.duplicate_chunks = db.execute(
        "SELECT count(*) FROM (SELECT doc_id, ordinal FROM chunks "
        "GROUP BY doc_id, ordinal HAVING count(*) > 1)"
    ).fetchone()[0]
    try:
        db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)")
    except store.module.DatabaseError as exc:
        report.fts_ok = False
        report.problems.append(f"the keyword index does not match the chunks ({exc})")
    # count(*) on an external-content table reads the content; _docsize counts indexed rows
    report.fts_rows = db.execute("SELECT count(*) FROM chunks_fts_docsize").fetchone()[0]
    orphan_events = db.execute(
        "SELECT count(*) FROM events e WHERE NOT EXISTS "
        "(SELECT 1 FROM documents d WHERE d.id = e.doc_id)"
    ).fetchone()[0]
    for (path,) in db.execute("SELECT path FROM documents"):
        if not Path(path).exists():
            report.missing_files.append(path)

    if report.chunks_without_vector:
        report.problems.append(f"{report.chunks_without_vector} chunks have no vector")
    if report.vectors_without_chunk:
        report.problems.append(f"{report.vectors_without_chunk} vectors belong to no chunk")
    if report.duplicate_chunks:
        report.problems.append(f"{report.duplicate_chunks} chunks are duplicated")
    if report.fts_rows != report.chunks:
        report.problems.append(
            f"the keyword index has {report.fts_rows} rows for {report.chunks} chunks"
        )
    if orphan_events:
        report.problems.append(f"{orphan_events} events belong to no document")
    if report.missing_files:
        report.problems.append(
            f"{len(report.missing_files)} indexed files no longer exist on disk "
            "(run: assistant index)"
        )
    return report
