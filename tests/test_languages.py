"""Keyword search in every script: Chinese segmented, each language stemmed, old indexes upgraded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant import tokens
from assistant.migrations import MIGRATIONS
from assistant.records import Chunk
from assistant.retrieve import Searcher, SearchFilter
from assistant.store import NewDocument, Store

NOTES = {
    "/zh/dentist.md": "下周三下午三点在朝阳区的仁爱口腔诊所补牙，医生姓王。",
    "/ru/dentist.md": "Приём у стоматолога в клинике «Улыбка», врач Ирина Петровна.",
    "/de/dentist.md": "Die professionelle Zahnreinigung bei Dr. Weber kostet 95 Euro.",
    "/en/garden.md": "Plant the tulip bulbs before the first frost; the tomatoes were flying off.",
    "/mixed/chat.md": "Mum: 别忘了给爸爸买降压药 — and the Kinderarzt appointment is Monday.",
}


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "a.db")
    store.ensure_embedding("m", 4)
    for i, (path, text) in enumerate(NOTES.items()):
        doc = NewDocument(path=path, kind="notes", format="notes", hash=str(i), mtime=0, size=1)
        chunk = Chunk(ordinal=0, kind="note", text=text, locator="L1")
        store.write_document(doc, [chunk], np.eye(4, dtype=np.float32)[i % 4 : i % 4 + 1])
    return store


def _found(store: Store, query: str) -> list[str]:
    searcher = Searcher(store, None)  # type: ignore[arg-type]  # the keyword ranker needs no embedder
    ids = searcher.keyword(query, 5, SearchFilter())
    paths = {cid: p for cid, p in store.db.execute(
        "SELECT c.id, d.path FROM chunks c JOIN documents d ON d.id = c.doc_id")}
    return [paths[i] for i in ids]


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("补牙", "/zh/dentist.md"),  # a Chinese word inside a sentence
        ("口腔诊所在哪里", "/zh/dentist.md"),
        ("降压药", "/mixed/chat.md"),
        ("стоматологу", "/ru/dentist.md"),  # another case of the same noun
        ("клиника", "/ru/dentist.md"),
        ("Zahnreinigungen", "/de/dentist.md"),  # German plural, German stem
        ("tulips", "/en/garden.md"),  # English stemming as before
        ("frosts", "/en/garden.md"),
        ("kinderarzt", "/mixed/chat.md"),  # a German word in an English-Chinese chat
    ],
)
def test_a_word_is_found_in_its_own_language_and_form(tmp_path: Path, query: str, path: str) -> None:
    assert _found(_store(tmp_path), query)[:1] == [path]


def test_an_english_question_finds_a_german_word_by_its_german_stem(tmp_path: Path) -> None:
    assert _found(_store(tmp_path), "what does the professional Zahnreinigung cost")[0] == (
        "/de/dentist.md")


def test_each_chunk_language_is_detected_once_and_stored(tmp_path: Path) -> None:
    store = _store(tmp_path)
    langs = dict(store.db.execute(
        "SELECT d.path, t.lang FROM chunk_terms t JOIN chunks c ON c.id = t.chunk_id "
        "JOIN documents d ON d.id = c.doc_id"))
    assert langs == {"/zh/dentist.md": "zh", "/ru/dentist.md": "ru", "/de/dentist.md": "de",
                     "/en/garden.md": "en", "/mixed/chat.md": "zh"}


def test_deleting_a_document_removes_its_keyword_terms(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.delete_document("/zh/dentist.md")
    assert _found(store, "补牙") == []
    assert store.db.execute("SELECT count(*) FROM chunk_terms").fetchone()[0] == len(NOTES) - 1
    store.db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)")


def test_an_index_from_before_migration_7_is_upgraded_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.store.MIGRATIONS", [m for m in MIGRATIONS if m[0] <= 6])
    old = Store(tmp_path / "a.db")
    old.db.execute("INSERT INTO documents(path, kind, format, hash, mtime, size, indexed_at) "
                   "VALUES ('/zh/dentist.md', 'notes', 'notes', 'h', 0, 1, 0)")
    old.db.execute("INSERT INTO chunks(doc_id, ordinal, kind, text, locator, text_hash) "
                   "VALUES (1, 0, 'note', ?, 'L1', 'x')", (NOTES["/zh/dentist.md"],))
    old.db.commit()
    unsegmented = old.db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '补牙'")
    assert unsegmented.fetchone()[0] == 0  # unicode61 kept the whole clause as one token
    old.close()
    monkeypatch.undo()

    store = Store(tmp_path / "a.db")
    assert store.schema_version >= 7
    assert _found(store, "补牙") == ["/zh/dentist.md"]
    store.delete_document("/zh/dentist.md")
    assert _found(store, "补牙") == []


def test_chinese_is_segmented_by_jieba_or_else_into_bigrams() -> None:
    assert "牙医" in tokens.segment("我去看牙医", "jieba")
    assert tokens.segment("看牙医", "bigram") == ["看牙", "牙医"]


def test_russian_yo_is_read_as_ye_before_stemming() -> None:
    assert tokens.terms("Приём", "ru") == tokens.terms("прием", "ru")


def test_keywords_carry_a_question_in_a_language_the_embedder_does_not_cover(
    tmp_path: Path,
) -> None:
    from assistant.config import EmbeddingConfig
    from assistant.embed import Embedder
    from assistant.retrieve import UNCOVERED_DENSE_WEIGHT

    embedder = Embedder.from_config(EmbeddingConfig())  # the bundled, English-only MiniLM
    assert embedder.languages == frozenset({"en"})
    searcher = Searcher(_store(tmp_path), embedder)
    assert searcher._dense_weights("看牙医要带什么？", [1, 2]) == {1: UNCOVERED_DENSE_WEIGHT,
                                                                2: UNCOVERED_DENSE_WEIGHT}
    assert searcher._dense_weights("Сколько стоит пломба?", [1]) == {1: UNCOVERED_DENSE_WEIGHT}
    assert searcher._dense_weights("what does the cleaning cost", [1, 2]) == {}
