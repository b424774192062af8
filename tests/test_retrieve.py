"""Hybrid retrieval: exact keywords, paraphrases, filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import library
from assistant.retrieve import fts_query


@pytest.fixture
def indexed(notes_home: Path, make_runtime):
    rt = make_runtime(notes_home)
    library.index(rt)
    return rt


def test_an_exact_code_is_found_by_keyword(indexed) -> None:
    hits = library.search(indexed, "LX-48213", k=3)
    assert hits[0].path.endswith("lisbon.md")


def test_a_paraphrase_is_found_by_meaning(indexed) -> None:
    hits = library.search(indexed, "what time does my plane take off to Portugal", k=3)
    assert hits[0].path.endswith("lisbon.md")


def test_hits_carry_title_locator_and_absolute_path(indexed) -> None:
    hit = library.search(indexed, "rent landlord", k=1)[0]
    assert hit.title == "Apartment"
    assert Path(hit.path).is_absolute()
    assert hit.locator.startswith("L")
    assert hit.rank == 1 and hit.score > 0


def test_kind_filter_excludes_other_kinds(indexed) -> None:
    assert library.search(indexed, "flight", k=5, kinds=["email"]) == []
    assert all(h.kind == "note" for h in library.search(indexed, "flight", k=5, kinds=["note"]))


def test_time_filter_keeps_only_dated_chunks_in_range(indexed) -> None:
    hits = library.search(indexed, "flight hotel", k=5, after="2026-11-01", before="2026-11-30")
    assert hits and all(h.path.endswith("lisbon.md") for h in hits)
    assert library.search(indexed, "flight", k=5, after="2026-12-01") == []


def test_fts_query_quotes_words_so_operators_cannot_be_injected() -> None:
    assert (
        fts_query('NEAR(flight) OR "hotel" AND -rent*') == '"near" OR "flight" OR "hotel" OR "rent"'
    )
    assert fts_query("the of and") is not None  # only stopwords: still a query


def test_the_vector_matrix_follows_adds_and_deletes_without_a_full_reload(
    notes_home: Path, make_runtime
) -> None:
    from assistant.retrieve import VectorIndex

    rt = make_runtime(notes_home)
    library.index(rt)
    vectors = library.searcher(rt).vectors
    vectors.refresh(rt.store)
    (notes_home / "notes" / "recipes" / "sourdough.md").unlink()
    (notes_home / "notes" / "kayak.md").write_text("# Kayak\nRent a kayak on the Spree in May.\n")
    library.index(rt)
    vectors.refresh(rt.store)

    fresh = VectorIndex()
    fresh.refresh(rt.store)
    assert list(vectors.ids) == list(fresh.ids)
    assert (vectors.matrix == fresh.matrix).all()
    assert vectors.senders == fresh.senders
    assert vectors.row_of == fresh.row_of
    hits = library.search(rt, "kayak on the river", k=1)
    assert hits[0].path.endswith("kayak.md")


def test_a_keyword_in_most_of_a_large_index_is_dropped_from_bm25(tmp_path: Path) -> None:
    import numpy as np

    from assistant.records import Chunk
    from assistant.retrieve import COMMON_DOCS, Searcher, SearchFilter
    from assistant.store import NewDocument, Store

    store = Store(tmp_path / "big.db")
    store.ensure_embedding("test", 4)
    n = COMMON_DOCS + 500
    texts = [f"weekly meeting, number {i}" for i in range(n)]
    texts[123] = "number one: the kayak rental"
    doc = NewDocument(path="/big.md", kind="notes", format="notes", hash="x", mtime=0, size=0)
    chunks = [Chunk(ordinal=i, kind="note", text=t, locator=f"L{i}") for i, t in enumerate(texts)]
    store.write_document(doc, chunks, np.ones((n, 4), dtype=np.float32) / 2)
    searcher = Searcher(store, embedder=None)  # type: ignore[arg-type] - keyword search only
    searcher.vectors.refresh(store)

    assert searcher.selective(["number", "kayak"]) == ["kayak"]
    assert searcher.selective(["number"]) == ["number"]  # the rarest term always stays
    # the index holds porter stems ("meet"): a word whose stem differs reads as rare
    assert searcher.selective(["meeting", "kayak"]) == ["meeting", "kayak"]
    (first,) = searcher.keyword("number kayak", 1, SearchFilter())
    assert store.db.execute("SELECT text FROM chunks WHERE id = ?", (first,)).fetchone() == (
        "number one: the kayak rental",
    )
    store.close()
