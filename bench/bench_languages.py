"""Keyword search in every script: gold source in the top 5, per language, old vs new tokenizer.

The multilingual sample corpus (tests/fixtures/multilingual: notes in zh/ru/de/en, three
chat exports, 68 questions with the file that answers each) is indexed once per Chinese
segmenter through the product's own Indexer. In the same run each question is searched
with:

- ``unicode61``: the keyword index before migration 7 (FTS5 ``porter unicode61`` over the
  raw text, the query's raw words), built beside the new one in the same store;
- ``jieba`` / ``bigram``: the prepared terms of assistant/tokens.py, Chinese segmented by
  jieba or by character bigrams;

each as keyword-only and as hybrid (the bundled embedder's dense ranking fused by RRF).
Index throughput: the share of indexing time spent preparing terms.

Run: .venv/bin/python bench/bench_languages.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistant import retrieve, tokens  # noqa: E402
from assistant.config import EmbeddingConfig, SourceConfig  # noqa: E402
from assistant.embed import Embedder  # noqa: E402
from assistant.index import Indexer  # noqa: E402
from assistant.retrieve import CANDIDATES, RRF_K, Searcher, SearchFilter  # noqa: E402
from assistant.store import Store  # noqa: E402
from common import print_table, save  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "multilingual"
TZ = ZoneInfo("Europe/Berlin")
K = 5
GROUPS = ("zh", "ru", "de", "en", "cross")
_WORD = re.compile(r"\w+")


class Unicode61Searcher(Searcher):
    """Keyword search as it was before migration 7: Porter over the raw text."""

    def build(self) -> None:
        db = self.store.db
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS old_fts USING fts5(title, text, senders, "
            "content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        db.execute("INSERT INTO old_fts(old_fts) VALUES ('rebuild')")
        db.commit()

    def keyword(self, query: str, n: int, flt: SearchFilter) -> list[int]:
        words = [w for w in _WORD.findall(query.lower())
                 if w not in retrieve.STOPWORDS and len(w) > 1] or _WORD.findall(query.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in dict.fromkeys(words))
        return [row[0] for row in self.store.db.execute(
            "SELECT rowid FROM old_fts WHERE old_fts MATCH ? "
            "ORDER BY bm25(old_fts, 2.0, 1.0, 0.5) LIMIT ?", (match, n))]


def build(folder: Path, embedder: Embedder, how: tokens.Segmenter) -> tuple[Store, dict]:
    """Index the corpus with Chinese segmented ``how``; time spent preparing terms."""
    real_segmenter = tokens.segmenter
    tokens.segmenter = lambda: how  # type: ignore[assignment]
    prepared = [0.0]
    real_entry = tokens.entry

    def timed_entry(*args: object) -> tuple[str, str, str, str]:
        t0 = time.perf_counter()
        out = real_entry(*args)  # type: ignore[arg-type]
        prepared[0] += time.perf_counter() - t0
        return out

    import assistant.store as store_module

    store_module.entry = timed_entry  # type: ignore[assignment]
    try:
        store = Store(folder / f"{how}.db")
        sources = [SourceConfig(path=CORPUS / "notes", kind="notes"),
                   SourceConfig(path=CORPUS / "chats", kind="messages")]
        t0 = time.perf_counter()
        Indexer(store, embedder, TZ, sources).run()
        total = time.perf_counter() - t0
    finally:
        store_module.entry = real_entry  # type: ignore[assignment]
    chunks = store.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    langs = dict(store.db.execute("SELECT lang, count(*) FROM chunk_terms GROUP BY lang"))
    tokens.segmenter = real_segmenter  # type: ignore[assignment]
    return store, {"index_s": total, "prepare_s": prepared[0], "chunks": chunks, "langs": langs}


def gold_rank(hits: list, gold: Path) -> int | None:
    for hit in hits:
        if Path(hit.path) == gold:
            return hit.rank
    return None


def main() -> None:
    questions = tomllib.loads((CORPUS / "questions.toml").read_text("utf-8"))["questions"]
    embedder = Embedder.from_config(EmbeddingConfig())
    embedder.encode(["warm up"])
    t0 = time.perf_counter()
    tokens.segment("预热", "jieba")  # jieba reads its dictionary once per process
    jieba_load = time.perf_counter() - t0
    misses: list[str] = []
    weight = retrieve.UNCOVERED_DENSE_WEIGHT
    results: dict[str, dict[str, float]] = {}
    top1: dict[str, dict[str, float]] = {}
    builds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for how in ("jieba", "bigram"):
            store, info = build(Path(tmp), embedder, how)
            builds[how] = info
            variants: list[tuple[str, Searcher]] = [(how, Searcher(store, embedder))]
            if how == "jieba":
                old = Unicode61Searcher(store, embedder)
                old.build()
                variants.insert(0, ("unicode61", old))
            real_segmenter = tokens.segmenter
            tokens.segmenter = lambda how=how: how  # type: ignore[assignment]
            try:
                for name, searcher in variants:
                    for mode in ("keyword", "hybrid", "hybrid, dense equal"):
                        # "dense equal": the dense ranker weighs as much on languages the
                        # embedder does not cover (as before UNCOVERED_DENSE_WEIGHT)
                        retrieve.UNCOVERED_DENSE_WEIGHT = 1.0 if "equal" in mode else weight
                        found: dict[str, list[int]] = defaultdict(list)
                        first: dict[str, list[int]] = defaultdict(list)
                        for q in questions:
                            hits = searcher.search(q["question"], k=K, mode=mode.split(",")[0])
                            rank = gold_rank(hits, CORPUS / q["gold"])
                            ok = rank is not None
                            found[q["lang"]].append(ok)
                            first[q["lang"]].append(rank == 1)
                            if not ok and mode == "hybrid" and name == "jieba":
                                misses.append(f"{q['question']} -> {q['gold']} "
                                              f"(got {[Path(h.path).name for h in hits]})")
                        results[f"{name} {mode}"] = {
                            g: 100.0 * sum(found[g]) / len(found[g]) for g in GROUPS if found[g]
                        } | {"all": 100.0 * sum(sum(v) for v in found.values()) / len(questions)}
                        top1[f"{name} {mode}"] = {
                            g: 100.0 * sum(first[g]) / len(first[g]) for g in GROUPS if first[g]
                        } | {"all": 100.0 * sum(sum(v) for v in first.values()) / len(questions)}
            finally:
                tokens.segmenter = real_segmenter  # type: ignore[assignment]
            store.close()
    rows = [[name, *(f"{r.get(g, 0):.0f}" for g in (*GROUPS, "all"))]
            for name, r in results.items()]
    counts = defaultdict(int)
    for q in questions:
        counts[q["lang"]] += 1
    print_table(f"gold source in top {K} (%), {len(questions)} questions "
                f"({', '.join(f'{g} {counts[g]}' for g in GROUPS)}); RRF k={RRF_K}, "
                f"{CANDIDATES} candidates per ranker",
                ["tokenizer / mode", *GROUPS, "all"], rows)
    print_table("gold source first (%)", ["tokenizer / mode", *GROUPS, "all"],
                [[name, *(f"{r.get(g, 0):.0f}" for g in (*GROUPS, "all"))]
                 for name, r in top1.items()])
    print_table("indexing", ["segmenter", "chunks", "index s", "preparing terms s", "share"],
                [[h, b["chunks"], f"{b['index_s']:.2f}", f"{b['prepare_s']:.3f}",
                  f"{100 * b['prepare_s'] / b['index_s']:.1f}%"] for h, b in builds.items()])
    print(f"jieba dictionary load (once per process, not in the above): {jieba_load:.2f} s")
    print("chunk languages:", builds["jieba"]["langs"])
    print("jieba hybrid misses:", *misses, sep="\n  ")
    print("saved", save("languages", {"top5": results, "top1": top1, "indexing": builds,
                                       "jieba_load_s": jieba_load, "misses": misses}))


if __name__ == "__main__":
    main()
