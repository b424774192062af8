"""Soak: index a 50k-file synthetic corpus in one process while another queries it.

A real `assistant index` process (the writer) works through the corpus while this
process (the reader) runs hybrid searches against the same SQLite file for a fixed
time, as the CLI does while the daemon catches up. Reported: queries served, errors
(target 0: never "database is locked", never a half-written document), query latency
under load as a ratio of the same queries on the idle index afterwards, peak RSS of
the writer and the reader, and `assistant check` after the writer is stopped mid-run.

Run: .venv/bin/python bench/bench_soak.py [--files 50000] [--seconds 300]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistant import library  # noqa: E402
from assistant.config import load_config  # noqa: E402
from assistant.runtime import Runtime  # noqa: E402
from common import peak_rss_mb, percentile, print_table, save, write_notes_corpus  # noqa: E402

QUERIES = [
    "dentist appointment",
    "budget for the design review",
    "bread recipe with starter",
    "birthday gift ideas",
    "tax refund insurance",
    "router backup password",
]


def cli(home: Path, *args: str) -> subprocess.Popen[str]:
    """`assistant ARGS` in the background; its output goes to files (a pipe nobody reads
    for minutes would fill and stall it)."""
    env = {**os.environ, "ASSISTANT_CONFIG": str(home / "config.toml")}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", *args],
        cwd=home,
        env=env,
        text=True,
        stdout=(home / "writer.out").open("w"),
        stderr=(home / "writer.err").open("w"),
    )


def query_loop(rt: Runtime, seconds: float, alive: subprocess.Popen[str] | None) -> dict:
    served, errors, samples, documents = 0, [], [], []
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline and (alive is None or alive.poll() is None):
        q = QUERIES[i % len(QUERIES)]
        i += 1
        t0 = time.perf_counter()
        try:
            library.search(rt, q, k=5, after="2026-01-01" if i % 3 == 0 else None)
            served += 1
            samples.append((time.perf_counter() - t0) * 1000)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            errors.append(f"{type(exc).__name__}: {exc}")
        if i % 20 == 0:
            documents.append(sum(rt.store.counts()["documents"].values()))
    return {"served": served, "errors": errors, "ms": samples, "documents_seen": documents}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=300.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        home = Path(tmp)
        t0 = time.perf_counter()
        write_notes_corpus(home / "notes", args.files)
        corpus_s = time.perf_counter() - t0
        (home / "config.toml").write_text(
            'timezone = "Europe/Berlin"\n[store]\npath = "index/assistant.db"\n'
            '[[sources]]\npath = "notes"\nkind = "notes"\n'
        )
        rt = Runtime(config=load_config(home / "config.toml"))
        library.searcher(rt).embedder.encode(["warm up"])  # load MiniLM before the clock

        writer = cli(home, "index")
        writer_peak = 0.0
        # Let the writer create the schema before the first read.
        while not (home / "index" / "assistant.db").exists() and writer.poll() is None:
            time.sleep(0.1)
        under_load = query_loop(rt, args.seconds, writer)
        finished = writer.poll() is not None
        if not finished:
            writer_peak = peak_rss_mb(writer.pid)
            # Stop mid-run as `kill` would: the document in progress rolls back. (SIGTERM,
            # not SIGINT: a shell ignores SIGINT for background jobs, and so would the writer.)
            writer.send_signal(signal.SIGTERM)
        writer.wait(timeout=120)
        writer_err = (home / "writer.err").read_text()
        documents = sum(rt.store.counts()["documents"].values())

        idle = query_loop(rt, min(30.0, args.seconds / 4), None)
        check = subprocess.run(
            [sys.executable, "-m", "assistant", "check", "--json"],
            cwd=home,
            env={**os.environ, "ASSISTANT_CONFIG": str(home / "config.toml")},
            capture_output=True,
            text=True,
        )
        report = json.loads(check.stdout)
        # files deleted by nobody: check's only allowed finding would be a real problem
        reader_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rt.close()

    seen = under_load["documents_seen"]
    results = {
        "files": args.files,
        "corpus_write_s": round(corpus_s, 1),
        "seconds": args.seconds,
        "writer_finished": finished,
        "writer_exit": writer.returncode,
        "writer_stderr_tail": writer_err.strip().splitlines()[-1:] if writer_err else [],
        "documents_indexed": documents,
        "queries_served": under_load["served"],
        "errors": len(under_load["errors"]) + len(idle["errors"]),
        "error_samples": (under_load["errors"] + idle["errors"])[:5],
        "documents_seen_monotonic": all(a <= b for a, b in zip(seen, seen[1:], strict=False)),
        "load_p50_ms": percentile(under_load["ms"], 50) if under_load["ms"] else None,
        "load_p95_ms": percentile(under_load["ms"], 95) if under_load["ms"] else None,
        "idle_p50_ms": percentile(idle["ms"], 50) if idle["ms"] else None,
        "idle_p95_ms": percentile(idle["ms"], 95) if idle["ms"] else None,
        "writer_peak_rss_mb": round(writer_peak, 1),
        "reader_peak_rss_mb": round(reader_peak, 1),
        "check_ok": report["ok"],
        "check_problems": report["problems"],
    }
    ratio = (
        results["load_p95_ms"] / results["idle_p95_ms"]
        if results["load_p95_ms"] and results["idle_p95_ms"]
        else float("nan")
    )
    print_table(
        f"Soak: {args.files} files, queries for {args.seconds:.0f} s while `assistant index` runs",
        ["figure", "value", "target"],
        [
            ["documents indexed when stopped", documents, ""],
            ["queries served under load", results["queries_served"], ""],
            ["errors", results["errors"], "0"],
            ["document count never went back", results["documents_seen_monotonic"], "True"],
            ["search p50 / p95 under load (ms)",
             f"{results['load_p50_ms']:.0f} / {results['load_p95_ms']:.0f}", ""],
            ["search p50 / p95 idle (ms)",
             f"{results['idle_p50_ms']:.0f} / {results['idle_p95_ms']:.0f}", ""],
            ["p95 under load / p95 idle", f"{ratio:.2f}x", ""],
            ["writer peak RSS (MB)", results["writer_peak_rss_mb"], ""],
            ["reader peak RSS (MB)", results["reader_peak_rss_mb"], ""],
            ["assistant check after the stop", "ok" if report["ok"] else report["problems"], "ok"],
        ],
    )
    print(f"\nsaved {save('soak', results)}")


if __name__ == "__main__":
    main()
