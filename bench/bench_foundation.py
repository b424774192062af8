"""Foundation benchmark: indexing throughput, re-index, search latency, ask decode speed.

Every figure is a ratio against a baseline measured in the same run:
  index    pipeline chunks/s vs bare SentenceTransformer.encode of the same chunks (>= 0.9)
  reindex  unchanged-corpus re-index vs the first index (>= 50x faster)
  search   p50/p95 at 10k and 100k chunks vs a numpy brute-force scan (p95 <= 2x)
  ask      decode tokens/s vs llama-cpp-python alone on the same prompt (>= 0.95), and TTFT

Run: .venv/bin/python bench/bench_foundation.py [--files 400] [--sizes 10000,100000] [--skip-llm]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistant.chunking import chunk_records, embedding_text  # noqa: E402
from assistant.config import EmbeddingConfig, LLMConfig, RetrievalConfig, SourceConfig  # noqa: E402
from assistant.embed import Embedder  # noqa: E402
from assistant.index import Indexer, walk  # noqa: E402
from assistant.keys import StoreKey  # noqa: E402
from assistant.records import Chunk  # noqa: E402
from assistant.retrieve import Searcher, SearchFilter  # noqa: E402
from assistant.sources import ParseContext  # noqa: E402
from assistant.sources.notes import parse  # noqa: E402
from assistant.store import NewDocument, Store  # noqa: E402
from common import (  # noqa: E402
    latency,
    print_table,
    real_turns_and_questions,
    save,
    sentence,
    timed,
    write_notes_corpus,
)

TZ = ZoneInfo("Europe/Berlin")
ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "when is the dentist appointment",
    "budget for the design review",
    "train to the station",
    "bread recipe with starter",
    "birthday gift ideas",
    "tax refund insurance",
    "climbing gym friend",
    "release deadline for the client",
    "router backup password",
    "museum tickets on holiday",
]


def bench_index(embedder: Embedder, files: int, work: Path) -> dict:
    corpus = work / "notes"
    write_notes_corpus(corpus, files)
    # Baseline: the bare encoder on exactly the chunks the pipeline will embed.
    texts: list[str] = []
    for path in walk(corpus):
        for chunk in chunk_records(parse(path, ParseContext(tz=TZ)), TZ):
            texts.append(embedding_text(chunk))
    embedder.encode(texts[:64])  # warm up both paths equally
    bare_s, _ = timed(lambda: embedder.encode(texts))

    store = Store(work / "index.db")
    indexer = Indexer(store, embedder, TZ, [SourceConfig(path=corpus, kind="notes")])
    first_s, report = timed(indexer.run)
    assert report.chunks_embedded == len(texts), (report.chunks_embedded, len(texts))
    again_s, again = timed(indexer.run)
    assert again.chunks_embedded == 0
    store.close()
    return {
        "files": files,
        "chunks": len(texts),
        "bare_encode_chunks_per_s": len(texts) / bare_s,
        "pipeline_chunks_per_s": len(texts) / first_s,
        "pipeline_vs_bare": bare_s / first_s,
        "first_index_s": first_s,
        "reindex_s": again_s,
        "reindex_speedup": first_s / again_s,
    }


def build_store(
    path: Path, n: int, dim: int, rng: np.random.Generator, key: StoreKey | None = None
) -> np.ndarray:
    """A store with ``n`` chunks of synthetic text and unit vectors; returns the matrix."""
    store = Store(path, key=key)
    store.ensure_embedding("bench", dim)
    matrix = rng.standard_normal((n, dim)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    py = __import__("random").Random(1)
    real = real_turns_and_questions()

    def text() -> str:
        if real:  # real dialogue: a Zipfian vocabulary, as in people's own data
            return "\n".join(py.choice(real[0]) for _ in range(4))
        return " ".join(sentence(py) for _ in range(4))

    per_doc = 1000
    for d in range(0, n, per_doc):
        doc = NewDocument(
            path=f"/bench/{d}.md", kind="notes", format="notes", hash=str(d), mtime=0, size=0
        )
        chunks = [
            Chunk(ordinal=i, kind="note", text=text(), locator=f"L{i}", title=f"Note {d}")
            for i in range(min(per_doc, n - d))
        ]
        store.write_document(
            doc,
            chunks,
            matrix[d : d + len(chunks)],
            text_hashes=[str(i) for i in range(len(chunks))],
        )
    store.close()
    return matrix


def bench_search(embedder: Embedder, sizes: list[int], work: Path) -> list[dict]:
    rng = np.random.default_rng(0)
    real = real_turns_and_questions()
    queries = real[1][::15][:60] if real else QUERIES
    qvecs = embedder.encode(queries)
    return [_search_row(embedder, n, work, rng, queries, qvecs) for n in sizes]


def _search_row(
    embedder: Embedder,
    n: int,
    work: Path,
    rng: np.random.Generator,
    queries: list[str],
    qvecs: np.ndarray,
) -> dict:
    path = work / f"search-{n}.db"
    t_build, matrix = timed(lambda: build_store(path, n, embedder.dim, rng))
    store = Store(path)
    searcher = Searcher(store, embedder)
    searcher.vectors.refresh(store)
    i = iter(range(10**9))

    def q() -> np.ndarray:
        return qvecs[next(i) % len(qvecs)]

    def numpy_scan() -> None:
        sims = matrix @ q()
        top = np.argpartition(-sims, 49)[:50]
        top[np.argsort(-sims[top])]

    def dense() -> None:
        searcher.dense(q(), 50, SearchFilter())

    def hybrid() -> None:
        j = next(i) % len(queries)
        searcher.search_vector(queries[j], qvecs[j], 10)

    def vec0() -> None:
        store.db.execute(
            "SELECT chunk_id, distance FROM chunk_vecs WHERE embedding MATCH ? AND k = 50",
            (q().tobytes(),),
        ).fetchall()

    repeat = 200 if n <= 20000 else 60
    base = latency(numpy_scan, repeat)
    row = {"chunks": n, "build_s": t_build, "numpy": base}
    for name, fn in (("dense", dense), ("hybrid", hybrid), ("sqlite_vec_knn", vec0)):
        row[name] = latency(fn, repeat if name != "sqlite_vec_knn" else max(20, repeat // 4))
        row[f"{name}_p95_vs_numpy"] = row[name]["p95_ms"] / base["p95_ms"]
    store.close()
    return row


def bench_ask(embedder: Embedder, work: Path) -> dict:
    from assistant.answer import Answerer
    from assistant.llm import load_llm

    store = Store(work / "ask.db")
    Indexer(store, embedder, TZ, [SourceConfig(path=ROOT / "data" / "notes", kind="notes")]).run()
    llm = load_llm(LLMConfig(), cache_dir=work)
    answerer = Answerer(
        Searcher(store, embedder),
        llm,
        TZ,
        now=__import__("datetime").datetime(2026, 11, 23, 9, tzinfo=TZ),
        retrieval=RetrievalConfig(),
    )
    question = "When does my flight to Lisbon leave?"
    captured: dict[str, str] = {}
    original = llm.complete_stream_with_grammar

    def spy(prompt: str, grammar: str):  # record the exact prompt for the baseline
        captured.update(prompt=prompt, grammar=grammar)
        return original(prompt, grammar)

    llm.complete_stream_with_grammar = spy  # type: ignore[method-assign]
    answerer.ask(question)  # warm: model loaded, caches filled

    def run_ours() -> tuple[float, float, int]:
        llm.llama.reset()
        stamps: list[float] = []
        t0 = time.perf_counter()
        answerer.ask(question, on_token=lambda _t: stamps.append(time.perf_counter()))
        return stamps[0] - t0, (len(stamps) - 1) / (stamps[-1] - stamps[0]), len(stamps)

    def run_raw(grammar: bool) -> tuple[float, float, int]:
        from llama_cpp import LlamaGrammar

        raw = llm.llama  # the same weights; reset() drops the prompt cache
        raw.reset()
        kwargs = (
            {"grammar": LlamaGrammar.from_string(captured["grammar"], verbose=False)}
            if grammar
            else {}
        )
        stamps: list[float] = []
        t0 = time.perf_counter()
        for part in raw.create_completion(
            captured["prompt"],
            stream=True,
            max_tokens=160,
            temperature=0.0,
            top_k=1,
            repeat_penalty=1.1,
            stop=["\n"],
            **kwargs,
        ):
            if part["choices"][0].get("text"):
                stamps.append(time.perf_counter())
        return stamps[0] - t0, (len(stamps) - 1) / max(1e-9, stamps[-1] - stamps[0]), len(stamps)

    ours = [run_ours() for _ in range(5)]
    raw_g = [run_raw(True) for _ in range(5)]
    raw_free = [run_raw(False) for _ in range(5)]
    med = lambda xs, i: float(np.median([x[i] for x in xs]))  # noqa: E731
    store.close()
    return {
        "question": question,
        "ours_ttft_s": med(ours, 0),
        "ours_tok_s": med(ours, 1),
        "raw_same_prompt_grammar_ttft_s": med(raw_g, 0),
        "raw_same_prompt_grammar_tok_s": med(raw_g, 1),
        "raw_same_prompt_free_tok_s": med(raw_free, 1),
        "decode_ratio_vs_raw_same_grammar": med(ours, 1) / med(raw_g, 1),
        "tokens": int(med(ours, 2)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--skip-llm", action="store_true")
    args = parser.parse_args()
    embedder = Embedder.from_config(EmbeddingConfig())
    embedder.encode(["warm up"])
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results["index"] = ix = bench_index(embedder, args.files, work)
        print_table(
            "Indexing (notes corpus, warm model)",
            ["measure", "value", "target"],
            [
                ["chunks", ix["chunks"], ""],
                ["bare encode chunks/s", f"{ix['bare_encode_chunks_per_s']:.1f}", "baseline"],
                ["pipeline chunks/s", f"{ix['pipeline_chunks_per_s']:.1f}", ""],
                ["pipeline / bare", f"{ix['pipeline_vs_bare']:.3f}", ">= 0.9"],
                ["first index s", f"{ix['first_index_s']:.2f}", ""],
                ["unchanged re-index s", f"{ix['reindex_s']:.3f}", ""],
                ["re-index speed-up", f"{ix['reindex_speedup']:.0f}x", ">= 50x"],
            ],
        )
        sizes = [int(s) for s in args.sizes.split(",") if s]
        results["search"] = rows = bench_search(embedder, sizes, work)
        table = []
        for r in rows:
            for name in ("numpy", "dense", "hybrid", "sqlite_vec_knn"):
                ratio = "1.00 (baseline)" if name == "numpy" else f"{r[f'{name}_p95_vs_numpy']:.2f}"
                table.append(
                    [
                        r["chunks"],
                        name,
                        f"{r[name]['p50_ms']:.2f}",
                        f"{r[name]['p95_ms']:.2f}",
                        ratio,
                    ]
                )
        print_table(
            "Search latency (top-50 dense; hybrid = dense + FTS5 + fusion + rows)",
            ["chunks", "method", "p50 ms", "p95 ms", "p95 / numpy"],
            table,
        )
        if not args.skip_llm:
            results["ask"] = a = bench_ask(embedder, work)
            print_table(
                "Ask (bundled Gemma 3 270M, grammar-constrained)",
                ["measure", "value", "target"],
                [
                    ["ours decode tok/s", f"{a['ours_tok_s']:.1f}", ""],
                    [
                        "llama-cpp alone, same prompt+grammar tok/s",
                        f"{a['raw_same_prompt_grammar_tok_s']:.1f}",
                        "baseline",
                    ],
                    ["ratio", f"{a['decode_ratio_vs_raw_same_grammar']:.3f}", ">= 0.95"],
                    [
                        "llama-cpp alone, same prompt, free tok/s",
                        f"{a['raw_same_prompt_free_tok_s']:.1f}",
                        "reference",
                    ],
                    ["ours time to first token s (incl. retrieval)", f"{a['ours_ttft_s']:.2f}", ""],
                    [
                        "llama-cpp alone time to first token s",
                        f"{a['raw_same_prompt_grammar_ttft_s']:.2f}",
                        "",
                    ],
                ],
            )
    print(f"\nsaved {save('foundation', results)}")


if __name__ == "__main__":
    main()
