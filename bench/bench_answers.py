"""End-to-end answers on a question set: correct, cited, honest, exact, and how fast.

For each question of a set (bench/answers/<set>/questions.yaml over that set's own corpus)
the answer counts as
- correct: a gold string is in it (any of the alternatives; case and spacing ignored);
  for an unanswerable question (gold null): it is refused (grounded false);
- cited: one of its citations is a gold source;
- calendar exact: its events are exactly the expected occurrences (title and start);
- wrongly grounded: presented as grounded but not correct (unanswerable questions above all).
Time per question is measured warm in-process, warm through the daemon, and cold (a
fresh `assistant ask` process per question, on a sample).

`--baseline REV` runs the same set with the code of git revision REV (extracted with
`git archive` into a temp folder) in the same run, so both columns share the machine.

Run: .venv/bin/python bench/bench_answers.py [--set dev] [--baseline REV] [--daemon] [--cold N]
     [--limit N] [--show]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, print_table, save  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SETS = Path(__file__).resolve().parent / "answers"
WORKER = Path(__file__).resolve().parent / "answers_worker.py"


def squash(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


def run_worker(code: Path, set_dir: Path, work: Path, mode: str, limit: int = 0
               ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, str(WORKER), str(set_dir), str(work), "--mode", mode]
    if limit:
        cmd += ["--limit", str(limit)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=work.parent)
    index: dict[str, Any] = {}
    answers: dict[str, dict[str, Any]] = {}
    for line in proc.stdout.splitlines():
        record = json.loads(line)
        if record["kind"] == "index":
            index = record
        else:
            answers[record["id"]] = record
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"the worker failed ({mode}, {code})")
    return index, answers


def same_start(got: str, want: str) -> bool:
    return got[: len(want)] == want if len(want) <= 10 else got[:16] == want[:16]


def judge(q: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
    text = squash(a["answer"])
    gold = q.get("answer")
    refused = not a["grounded"]
    correct = refused if gold is None else any(squash(str(g)) in text for g in gold)
    sources = q.get("sources") or []
    cited = any(c.endswith("/" + s) or c.endswith(s) for c in a["citations"] for s in sources)
    exact = None
    if "events" in q and q["category"] == "calendar":
        want = sorted((e["title"], str(e["start"])) for e in q["events"] or [])
        got = sorted((e["title"], e["start"]) for e in a["events"])
        exact = len(want) == len(got) and all(
            gt == wt and same_start(gs, ws) for (gt, gs), (wt, ws) in zip(got, want, strict=True)
        ) and a["route"] == "calendar"
    return {"correct": correct, "cited": cited, "exact": exact, "refused": refused,
            "wrongly_grounded": a["grounded"] and not correct,
            "unanswerable": q["category"] == "unanswerable", "seconds": a["seconds"]}


def summarise(questions: list[dict[str, Any]], answers: dict[str, dict[str, Any]]
              ) -> dict[str, Any]:
    per: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        a = answers.get(q["id"])
        if a is None:
            continue
        verdict = judge(q, a)
        per[q["category"]].append(verdict)
        per["all"].append(verdict)
    out: dict[str, Any] = {}
    for cat, rows in per.items():
        n = len(rows)
        sourced = [r for r in rows if not r["unanswerable"]]
        exact = [r["exact"] for r in rows if r["exact"] is not None]
        unans = [r for r in rows if r["unanswerable"]]
        out[cat] = {
            "n": n,
            "correct": 100 * sum(r["correct"] for r in rows) / n,
            "cited": 100 * sum(r["cited"] for r in sourced) / len(sourced) if sourced else None,
            "calendar_exact": 100 * sum(exact) / len(exact) if exact else None,
            "wrongly_grounded": sum(r["wrongly_grounded"] for r in unans),
            "false_refusals": sum(r["refused"] for r in sourced),
            "p50_s": percentile([r["seconds"] for r in rows], 50),
            "p95_s": percentile([r["seconds"] for r in rows], 95),
        }
    return out


def extract(rev: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "assistant"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="dev", help="a folder under bench/answers/ or a path")
    parser.add_argument("--baseline", help="a git revision to run the same set with")
    parser.add_argument("--daemon", action="store_true", help="also time answers via the daemon")
    parser.add_argument("--cold", type=int, default=0, help="time N questions cold (fresh process)")
    parser.add_argument("--show", action="store_true", help="print every wrong answer")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args()
    set_dir = (SETS / args.set) if (SETS / args.set).is_dir() else Path(args.set)
    spec = yaml.safe_load((set_dir / "questions.yaml").read_text(encoding="utf-8"))
    questions = spec["questions"][: args.limit or None]
    versions = {"shipped": ROOT}
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp:
        if args.baseline:
            versions[f"baseline {args.baseline}"] = extract(args.baseline, Path(tmp) / "base")
        results: dict[str, Any] = {"set": str(set_dir), "questions": len(questions)}
        for name, code in versions.items():
            work = Path(tmp) / name.replace(" ", "-") / "work"
            work.parent.mkdir(parents=True, exist_ok=True)
            index, answers = run_worker(code, set_dir, work, "inprocess", limit=args.limit)
            summary = summarise(questions, answers)
            results[name] = {"index": index, "warm_inprocess": summary}
            rows = [[cat, s["n"], _f(s["correct"]), _f(s["cited"]), _f(s["calendar_exact"]),
                     s["wrongly_grounded"], s["false_refusals"], f"{s['p50_s']:.2f}",
                     f"{s['p95_s']:.2f}"] for cat, s in sorted(summary.items())]
            print_table(f"{name}: {set_dir.name}, {len(questions)} questions (warm, in-process)",
                        ["category", "n", "correct %", "cited %", "cal exact %",
                         "wrong grounded", "false refusals", "p50 s", "p95 s"], rows)
            sys.stdout.flush()  # a long baseline run shows each figure as it comes
            modes = [("warm_daemon", "daemon", args.limit, questions)] if args.daemon else []
            if args.cold:
                modes.append(("cold", "cold", args.cold, questions[: args.cold]))
            for key, mode, limit, asked in modes:
                _, got = run_worker(code, set_dir, Path(tmp) / name.replace(" ", "-") / mode,
                                    mode, limit=limit)
                s = results[name][key] = summarise(asked, got)["all"]
                print(f"{key}: p50 {s['p50_s']:.2f} s, p95 {s['p95_s']:.2f} s, "
                      f"correct {s['correct']:.1f} % (n={s['n']})", flush=True)
            if args.show:
                for q in questions:
                    a = answers.get(q["id"])
                    verdict = judge(q, a) if a else None
                    if verdict and (not verdict["correct"] or verdict["exact"] is False):
                        print(f"- [{q['category']}] {q['id']}: {q['question']}\n"
                              f"    gold: {q.get('answer')}  route={a['route']} "
                              f"grounded={a['grounded']} exact={verdict['exact']}\n"
                              f"    got: {a['answer'][:300]!r}")
        save("answers", results)


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
