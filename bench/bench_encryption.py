"""Encryption at rest: what SQLCipher costs, against plain stores measured in the same run.

  index   `Indexer.run` over a notes corpus into a plain and an encrypted store, alternated
          (A B A B), chunks/s ratio (target: encrypted <= 1.05x the plain time)
  write   building a 100k-chunk store without embedding (the store side of indexing alone)
  search  hybrid p50/p95 at 100k chunks, queries interleaved over the stores (<= 1.10x)
  check   `assistant check` (integrity.check) on each store, alternated
  open    a CLI-like cold start: open the store and answer one hybrid query
          (raw key from the key store vs passphrase: the KDF runs once per connection)

Plain stores are opened by sqlcipher3 without a key, as the product does. (sqlean cannot
be measured in the same process: sqlite-vec keeps one SQLite API pointer per process, and
loading it into two SQLite libraries crashes.)

Run: .venv/bin/python bench/bench_encryption.py [--files 150] [--chunks 100000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_foundation import QUERIES, build_store  # noqa: E402

from assistant.config import EmbeddingConfig, SourceConfig  # noqa: E402
from assistant.embed import Embedder  # noqa: E402
from assistant.index import Indexer  # noqa: E402
from assistant.integrity import check  # noqa: E402
from assistant.keys import StoreKey  # noqa: E402
from assistant.retrieve import Searcher  # noqa: E402
from assistant.store import Store  # noqa: E402
from common import (  # noqa: E402
    percentile,
    print_table,
    real_turns_and_questions,
    save,
    timed,
    write_notes_corpus,
)

TZ = ZoneInfo("Europe/Berlin")
RAW = StoreKey("keyring", secrets.token_hex(32), "bench key")
PASSPHRASE = StoreKey("passphrase", "correct horse battery staple", "bench passphrase")


def bench_index(embedder: Embedder, files: int, rounds: int, work: Path) -> dict:
    corpus = work / "notes"
    write_notes_corpus(corpus, files)
    times: dict[str, list[float]] = {"plain": [], "encrypted": []}
    chunks = 0
    for r in range(rounds):
        for name, key in (("plain", None), ("encrypted", RAW))[:: 1 if r % 2 == 0 else -1]:
            path = work / f"index-{name}-{r}.db"
            store = Store(path, key=key)
            seconds, report = timed(
                Indexer(store, embedder, TZ, [SourceConfig(path=corpus, kind="notes")]).run
            )
            chunks = report.chunks_embedded
            times[name].append(seconds)
            store.close()
    plain, enc = statistics.median(times["plain"]), statistics.median(times["encrypted"])
    return {
        "files": files,
        "chunks": chunks,
        "plain_s": times["plain"],
        "encrypted_s": times["encrypted"],
        "plain_chunks_per_s": chunks / plain,
        "encrypted_chunks_per_s": chunks / enc,
        "time_ratio": enc / plain,
    }


def bench_store(embedder: Embedder, n: int, work: Path) -> dict:
    paths = {"plain": work / "plain.db", "encrypted": work / "encrypted.db"}
    build = {}
    for name, key in (("plain", None), ("encrypted", RAW)):
        build[name], _ = timed(
            lambda name=name, key=key: build_store(
                paths[name], n, embedder.dim, np.random.default_rng(0), key=key
            )
        )
    stores = {
        "plain": Store(paths["plain"]),
        "encrypted": Store(paths["encrypted"], key=RAW),
    }
    searchers = {name: Searcher(store, embedder) for name, store in stores.items()}
    for s in searchers.values():
        s.vectors.refresh(s.store)
    real = real_turns_and_questions()
    queries = real[1][::15][:60] if real else QUERIES
    qvecs = embedder.encode(queries)
    samples: dict[str, list[float]] = {name: [] for name in searchers}
    rounds = 240
    for r in range(rounds + 10):
        j = r % len(queries)
        order = list(searchers.items())
        for name, s in order if r % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            s.search_vector(queries[j], qvecs[j], 10)
            if r >= 10:  # warm-up
                samples[name].append((time.perf_counter() - t0) * 1000)
    search = {
        name: {"p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
        for name, v in samples.items()
    }
    checks: dict[str, list[float]] = {"plain": [], "encrypted": []}
    for r in range(3):
        for name in ("plain", "encrypted")[:: 1 if r % 2 == 0 else -1]:
            seconds, report = timed(lambda name=name: check(stores[name]))
            assert report.ok or report.missing_files, report.problems
            checks[name].append(seconds)
    for store in stores.values():
        store.close()
    return {
        "chunks": n,
        "build_s": build,
        "build_ratio": build["encrypted"] / build["plain"],
        "search": search,
        "search_p50_ratio": search["encrypted"]["p50_ms"] / search["plain"]["p50_ms"],
        "search_p95_ratio": search["encrypted"]["p95_ms"] / search["plain"]["p95_ms"],
        "check_s": {k: statistics.median(v) for k, v in checks.items()},
        "check_ratio": statistics.median(checks["encrypted"]) / statistics.median(checks["plain"]),
        "paths": {k: str(v) for k, v in paths.items()},
    }


def bench_open(embedder: Embedder, work: Path) -> dict:
    """Cold open + one query, as a CLI command does (10k-chunk stores)."""
    qvec = embedder.encode(["budget for the design review"])[0]
    out = {}
    for name, key in (("plain", None), ("raw key", RAW), ("passphrase", PASSPHRASE)):
        path = work / f"open-{name.replace(' ', '-')}.db"
        build_store(path, 10_000, embedder.dim, np.random.default_rng(0), key=key)
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            store = Store(path, key=key)
            Searcher(store, embedder).search_vector("budget for the design review", qvec, 5)
            runs.append((time.perf_counter() - t0) * 1000)
            store.close()
        out[name] = statistics.median(runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    embedder = Embedder.from_config(EmbeddingConfig())
    embedder.encode(["warm up"])
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results["index"] = ix = bench_index(embedder, args.files, args.rounds, work)
        print_table(
            "Indexing (notes corpus, warm model; A B A B)",
            ["measure", "plain", "encrypted", "ratio (time)", "target"],
            [
                [
                    f"{ix['chunks']} chunks, chunks/s",
                    f"{ix['plain_chunks_per_s']:.1f}",
                    f"{ix['encrypted_chunks_per_s']:.1f}",
                    f"{ix['time_ratio']:.3f}",
                    "<= 1.05",
                ]
            ],
        )
        results["store"] = st = bench_store(embedder, args.chunks, work)
        s = st["search"]
        print_table(
            f"{st['chunks']:,} chunks: write, hybrid search (interleaved), check",
            ["measure", "plain", "encrypted", "ratio", "target"],
            [
                [
                    "build (write only) s",
                    f"{st['build_s']['plain']:.1f}",
                    f"{st['build_s']['encrypted']:.1f}",
                    f"{st['build_ratio']:.3f}",
                    "",
                ],
                [
                    "hybrid p50 ms",
                    f"{s['plain']['p50_ms']:.1f}",
                    f"{s['encrypted']['p50_ms']:.1f}",
                    f"{st['search_p50_ratio']:.3f}",
                    "<= 1.10",
                ],
                [
                    "hybrid p95 ms",
                    f"{s['plain']['p95_ms']:.1f}",
                    f"{s['encrypted']['p95_ms']:.1f}",
                    f"{st['search_p95_ratio']:.3f}",
                    "<= 1.10",
                ],
                [
                    "check s",
                    f"{st['check_s']['plain']:.2f}",
                    f"{st['check_s']['encrypted']:.2f}",
                    f"{st['check_ratio']:.3f}",
                    "",
                ],
            ],
        )
        results["open"] = op = bench_open(embedder, work)
        print_table(
            "Cold open + one hybrid query (10k chunks), median of 5",
            ["store", "ms"],
            [[k, f"{v:.0f}"] for k, v in op.items()],
        )
    print(f"\nsaved {save('encryption', results)}")


if __name__ == "__main__":
    main()
