"""CLI benchmark: what a person waits for at the prompt, and what indexing speed to expect.

  client   `assistant search` from a fresh process with the daemon up, end to end (process
           start included), against `python -c pass` (target <= 0.3 s); modules it loads
  start    auto-start: the first search starting the daemon vs a cold in-process search;
           spawn-to-socket time (the client's wait); first vs second `ask` after
           `daemon start` (time to first token)
  threads  llama.cpp decode tok/s with 1 vs 2 threads, idle and with one core kept busy
  index    embedding chunks/s by torch threads x batch size x chunk length, idle and with
           one core kept busy; the indexer's batch-by-batch embedding vs one encode() call

Run: .venv/bin/python bench/bench_cli.py [--only client,start,threads,index] [--repeat 20]
Figures are ratios against baselines measured in the same run (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, print_table, save, sentence  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T09:00"
QUESTION = "When does my flight to Lisbon leave?"
SECOND = "What is my sourdough starter called?"  # another prompt: no KV cache to reuse
HEAVY = ("torch", "sentence_transformers", "transformers", "llama_cpp", "numpy", "sqlite_vec")


def env(home: Path, autostart: bool = False) -> dict[str, str]:
    e = {**os.environ, "ASSISTANT_CONFIG": str(home / "config.toml")}
    e["ASSISTANT_AUTOSTART"] = "1" if autostart else "0"
    e.pop("ASSISTANT_NOW", None)
    return e


def run(home: Path, *args: str, autostart: bool = False) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=home, env=env(home, autostart), capture_output=True, text=True, check=True,
    )
    return time.perf_counter() - t0, proc.stdout


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def make_home(tmp: Path) -> Path:
    home = tmp / "home"
    shutil.copytree(ROOT / "data" / "notes", home / "notes")
    (home / "config.toml").write_text(
        'timezone = "Europe/Berlin"\n[store]\npath = "index/assistant.db"\n'
        '[[sources]]\npath = "notes"\nkind = "notes"\n'
    )
    run(home, "index")
    return home


@contextmanager
def busy_core(on: bool) -> Iterator[None]:
    """One process spinning on a core: what another program does to a 2-core machine."""
    if not on:
        yield
        return
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        hog.send_signal(signal.SIGKILL)
        hog.wait()


# --- client ----------------------------------------------------------------------------------


def bench_client(home: Path, repeat: int) -> dict:
    run(home, "daemon", "start")
    try:
        args = ["search", "Lisbon hotel", "-k", "3", "--json"]
        run(home, *args)  # first request: vectors and caches warm in the daemon
        base, ours = [], []
        for _ in range(repeat):  # interleaved, so both see the same load
            base.append(wall([sys.executable, "-c", "pass"]))
            ours.append(run(home, *args)[0])
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "assistant", *args],
            cwd=home, env=env(home), capture_output=True, text=True, check=True,
        )
        loaded = sorted(
            {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()}
            & set(HEAVY)
        )
    finally:
        run(home, "daemon", "stop")
    return {
        "python_pass_p50_s": percentile(base, 50),
        "search_via_daemon_p50_s": percentile(ours, 50),
        "search_via_daemon_p95_s": percentile(ours, 95),
        "heavy_modules_loaded": loaded,
    }


# --- start -----------------------------------------------------------------------------------


def daemon_answers(home: Path) -> bool:
    from assistant.ipc import DaemonClient

    return DaemonClient.connect(home / "index" / "assistant.db") is not None


def bench_start(home: Path) -> dict:
    from assistant.ipc import DaemonClient

    args = ["search", "Lisbon hotel", "-k", "3", "--json"]
    cold_s, _ = run(home, "--no-daemon", *args)
    auto_s, _ = run(home, *args, autostart=True)  # starts the daemon and is served by it
    run(home, "daemon", "stop")

    # Spawn-to-socket: how long a client that started the daemon waits before it can talk.
    t0 = time.perf_counter()
    daemon = subprocess.Popen(
        [sys.executable, "-m", "assistant", "daemon", "run", "--quiet"],
        cwd=home, env=env(home), start_new_session=True,
    )
    while not daemon_answers(home):
        time.sleep(0.01)
    socket_s = time.perf_counter() - t0
    client = DaemonClient.connect(home / "index" / "assistant.db")
    assert client is not None
    while not client.request("status", {})["models_loaded"]:
        time.sleep(0.1)
    models_s = time.perf_counter() - t0

    def ask(question: str) -> tuple[float, float]:
        stamps: list[float] = []
        t = time.perf_counter()
        client.request("ask", {"question": question}, now=NOW,
                       on_token=lambda _t: stamps.append(time.perf_counter()))
        return stamps[0] - t, time.perf_counter() - t

    first = ask(QUESTION)
    second = ask(SECOND)
    third = ask(QUESTION)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=120)
    return {
        "cold_in_process_search_s": cold_s,
        "autostart_first_search_s": auto_s,
        "spawn_to_socket_s": socket_s,
        "spawn_to_models_loaded_s": models_s,
        "first_ask_after_start_ttft_s": first[0],
        "first_ask_after_start_total_s": first[1],
        "second_ask_other_question_ttft_s": second[0],
        "second_ask_other_question_total_s": second[1],
        "first_question_again_ttft_s": third[0],
        "first_question_again_total_s": third[1],
    }


# --- threads ---------------------------------------------------------------------------------

LLM_SCRIPT = """
import json, sys, time
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=2048, n_threads=int(sys.argv[2]),
            n_threads_batch=int(sys.argv[2]), verbose=False, seed=0)
prompt = "The history of the city of Lisbon " * 60
rates, firsts = [], []
for _ in range(3):
    llm.reset()
    t0 = time.perf_counter(); first = None; n = 0
    for part in llm.create_completion(prompt, max_tokens=48, stream=True, temperature=0, top_k=1):
        first = first or time.perf_counter(); n += 1
    rates.append(n / (time.perf_counter() - first)); firsts.append(first - t0)
print(json.dumps({"decode_tok_s": sorted(rates)[1], "prompt_s": sorted(firsts)[1]}))
"""


def bench_threads() -> dict:
    from assistant.config import user_cache_dir
    from assistant.embed import default_threads, physical_cores
    from assistant.llm import bundled_model_path

    gguf = bundled_model_path(user_cache_dir())
    out: dict = {"physical_cores": physical_cores(), "default_threads": default_threads()}
    for busy in (False, True):
        for threads in (1, 2):
            with busy_core(busy):
                proc = subprocess.run(
                    [sys.executable, "-c", LLM_SCRIPT, str(gguf), str(threads)],
                    capture_output=True, text=True, check=True,
                )
            out[f"{'busy' if busy else 'idle'}_{threads}t"] = json.loads(proc.stdout.splitlines()[-1])
    return out


# --- index -----------------------------------------------------------------------------------


def texts_of(tokens: int, n: int, embedder: object) -> list[str]:
    """``n`` note-like texts of about ``tokens`` MiniLM tokens each."""
    rng = random.Random(tokens)
    tok = embedder.model.tokenizer  # type: ignore[attr-defined]
    out = []
    for _ in range(n):
        text = ""
        while len(tok(text)["input_ids"]) < tokens:
            text += sentence(rng) + " "
        out.append(text.strip())
    return out


def bench_index(chunks: int) -> dict:
    import torch

    from assistant.config import EmbeddingConfig
    from assistant.embed import Embedder, default_threads
    from assistant.index import Indexer
    from assistant.progress import IndexProgress

    embedder = Embedder.from_config(EmbeddingConfig())
    embedder.encode(["warm up"])
    queries = {}  # one short text, as a search embeds it
    for busy in (False, True):
        with busy_core(busy):
            for threads in (1, 2):
                torch.set_num_threads(threads)
                samples = []
                for _ in range(20):
                    t0 = time.perf_counter()
                    embedder.encode(["Lisbon hotel booking reference"])
                    samples.append(time.perf_counter() - t0)
                queries[f"{'busy' if busy else 'idle'}_{threads}t_ms"] = 1000 * percentile(samples, 50)
    print(queries, flush=True)
    rows = []
    for tokens in (60, 250):
        texts = texts_of(tokens, chunks, embedder)
        embedder.encode(texts[:16])
        for busy in (False, True):
            with busy_core(busy):
                for threads in (1, 2):
                    torch.set_num_threads(threads)
                    for batch in (16, 32, 64) if tokens == 250 else (32,):
                        embedder.batch_size = batch
                        t0 = time.perf_counter()
                        embedder.encode(texts)
                        rate = len(texts) / (time.perf_counter() - t0)
                        rows.append({"tokens": tokens, "busy_core": busy, "threads": threads,
                                     "batch": batch, "chunks_per_s": rate})
                        print(rows[-1], flush=True)
    torch.set_num_threads(default_threads())
    embedder.batch_size = 32
    # The indexer embeds batch by batch (progress between batches) instead of one call.
    texts = texts_of(120, chunks, embedder)
    indexer = Indexer.__new__(Indexer)
    indexer.embedder, indexer.cancel = embedder, (lambda: False)
    indexer.progress, indexer._on_update, indexer._flushing_bytes = IndexProgress(), None, 0
    one, split = [], []
    for _ in range(4):  # alternated, so both see the same load
        t0 = time.perf_counter()
        embedder.encode(texts)
        one.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        indexer._encode(texts)
        split.append(time.perf_counter() - t0)
    return {"rows": rows, "query_p50": queries, "one_call_s": percentile(one, 50),
            "batch_by_batch_s": percentile(split, 50)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="client,start,threads,index")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--chunks", type=int, default=128)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    results: dict = {"load_average": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        home = make_home(Path(tmp)) if parts & {"client", "start"} else Path(tmp)
        if "client" in parts:
            r = results["client"] = bench_client(home, args.repeat)
            print_table("search from a fresh shell, daemon up", ["measure", "value", "target"], [
                ["python -c pass, p50 s", f"{r['python_pass_p50_s']:.3f}", "baseline"],
                ["assistant search --json, p50 s", f"{r['search_via_daemon_p50_s']:.3f}", "<= 0.3"],
                ["assistant search --json, p95 s", f"{r['search_via_daemon_p95_s']:.3f}", ""],
                ["search / python start",
                 f"{r['search_via_daemon_p50_s'] / r['python_pass_p50_s']:.1f}x", ""],
                ["heavy modules loaded", ", ".join(r["heavy_modules_loaded"]) or "none", "none"],
            ])
        if "start" in parts:
            r = results["start"] = bench_start(home)
            print_table("starting", ["measure", "s"], [[k, f"{v:.2f}"] for k, v in r.items()])
        if "threads" in parts:
            r = results["threads"] = bench_threads()
            print_table("llama.cpp decode by threads", ["setting", "decode tok/s", "prompt s"], [
                [k, f"{v['decode_tok_s']:.1f}", f"{v['prompt_s']:.2f}"]
                for k, v in r.items() if isinstance(v, dict)
            ])
        if "index" in parts:
            r = results["index"] = bench_index(args.chunks)
            print_table("embedding chunks/s", ["tokens", "busy core", "threads", "batch", "chunks/s"],
                        [[x["tokens"], x["busy_core"], x["threads"], x["batch"],
                          f"{x['chunks_per_s']:.1f}"] for x in r["rows"]])
            print(f"query embedding p50 ms: {r['query_p50']}")
            print(f"batch-by-batch / one encode() call: {r['batch_by_batch_s'] / r['one_call_s']:.3f}")
    results["load_average_after"] = os.getloadavg()
    print(f"\nsaved {save('cli', results)}")


if __name__ == "__main__":
    main()
