"""Shared helpers for the benchmarks: timing, percentiles, a synthetic notes corpus, tables."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

WORDS = (
    "project meeting design review budget flight hotel train dentist appointment rent landlord "
    "heating recipe bread flour starter garden tomato running race training pace book chapter "
    "author idea prototype release bug feature customer invoice tax refund insurance doctor "
    "museum ticket concert birthday gift ceramics whisky bike chain tyre climbing gym friend "
    "family mother visit station platform coffee tea office laptop backup router password "
    "sprint retro roadmap launch client contract deadline holiday weekend morning evening "
    "kitchen balcony plant water fertiliser movie series podcast episode notes summary plan"
).split()

RESULTS = Path(__file__).resolve().parent / "results"
LOCOMO = Path(__file__).resolve().parents[2] / "shared" / "bench-data" / "locomo" / "locomo10.json"


def real_turns_and_questions() -> tuple[list[str], list[str]] | None:
    """Dialogue turns and questions from the shared LoCoMo file (read in place), if present."""
    if not LOCOMO.exists():
        return None
    data = json.loads(LOCOMO.read_text(encoding="utf-8"))
    turns, questions = [], []
    for sample in data:
        conv = sample["conversation"]
        for key, value in conv.items():
            if key.startswith("session_") and isinstance(value, list):
                turns.extend(f"{t['speaker']}: {t['text']}" for t in value)
        questions.extend(q["question"] for q in sample["qa"] if q.get("category") != 5)
    return turns, questions


def sentence(rng: random.Random) -> str:
    n = rng.randint(8, 22)
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.3:
        words.insert(
            rng.randint(0, n), f"{rng.randint(1, 28)} {rng.choice(['May', 'June', 'July'])}"
        )
    if rng.random() < 0.2:
        words.insert(rng.randint(0, n), f"{rng.randint(10, 2000)} EUR")
    return " ".join(words).capitalize() + "."


def write_notes_corpus(root: Path, files: int, seed: int = 7) -> None:
    """Markdown notes with front matter and 2-6 sections of 1-3 paragraphs each."""
    rng = random.Random(seed)
    for i in range(files):
        folder = root / f"area{i % 8}"
        folder.mkdir(parents=True, exist_ok=True)
        parts = [
            f"---\ntitle: Note {i}\ntags: [t{i % 5}]\ndate: 2026-0{1 + i % 9}-1{i % 9}\n---",
            f"# Note {i}",
        ]
        for s in range(rng.randint(2, 6)):
            parts.append(f"## Section {s}")
            for _ in range(rng.randint(1, 3)):
                parts.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 7))))
        (folder / f"note-{i:05d}.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def latency(fn: Callable[[], object], repeat: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "mean_ms": statistics.fmean(samples),
    }


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def _proc_status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    """Resident memory of a live process now (Linux /proc)."""
    return _proc_status_mb(pid, "VmRSS")


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a live process's resident memory (Linux /proc)."""
    return _proc_status_mb(pid, "VmHWM")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
