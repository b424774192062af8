"""One run of a question set with one version of the code (bench_answers.py starts it).

Prints one JSON object per line: {"kind": "index", ...}, then per question
{"kind": "answer", "id": ..., "answer": ..., "route": ..., "grounded": ..., "citations": [...],
 "events": [...], "seconds": ...}. The code under test is whatever `assistant` imports
(bench_answers.py sets PYTHONPATH), so the same worker measures the shipped code and a
baseline revision.

Run: python bench/answers_worker.py SET_DIR WORK_DIR [--mode inprocess|daemon|cold] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml


def write_config(set_dir: Path, work: Path) -> Path:
    """The set's config with absolute source paths and the store in ``work``."""
    import tomllib

    data = tomllib.loads((set_dir / "config.toml").read_text(encoding="utf-8"))
    lines = [f'timezone = "{data.get("timezone", "")}"', "[store]",
             f'path = "{work / "index" / "assistant.db"}"']
    for src in data.get("sources", []):
        lines += ["[[sources]]", f'path = "{(set_dir / src["path"]).resolve()}"',
                  f'kind = "{src.get("kind", "auto")}"']
    config = work / "config.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def shape(data: dict[str, Any], seconds: float, qid: str) -> dict[str, Any]:
    return {"kind": "answer", "id": qid, "answer": data.get("answer", ""),
            "route": data.get("route"), "grounded": data.get("grounded"),
            "citations": [c["path"] for c in data.get("citations", [])],
            "events": [{"title": e["title"], "start": e["start"]} for e in data.get("events") or []],
            "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("set_dir", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("--mode", default="inprocess", choices=["inprocess", "daemon", "cold"])
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    spec = yaml.safe_load((args.set_dir / "questions.yaml").read_text(encoding="utf-8"))
    questions = spec["questions"][: args.limit or None]
    args.work.mkdir(parents=True, exist_ok=True)
    config = write_config(args.set_dir, args.work)

    from assistant import library
    from assistant.config import load_config
    from assistant.runtime import Runtime

    rt = Runtime(config=load_config(config), now_override=spec["now"])
    t0 = time.perf_counter()
    report = library.index(rt)
    emit({"kind": "index", "seconds": time.perf_counter() - t0, "failed": report.failed,
          "errors": report.errors[:20]})

    if args.mode == "inprocess":
        library.ask(rt, "warm-up: what is in my notes?")  # models loaded, caches filled
        for q in questions:
            rt.now_override = q.get("now", spec["now"])
            t = time.perf_counter()
            try:
                data = library.ask(rt, q["question"]).to_json(rt.tz)
            except Exception as exc:  # noqa: BLE001 - a crash is a result to report
                data = {"answer": f"ERROR {type(exc).__name__}: {exc}", "route": "error"}
            emit(shape(data, time.perf_counter() - t, q["id"]))
        rt.close()
        return

    env = {**os.environ, "ASSISTANT_CONFIG": str(config)}
    cmd = [sys.executable, "-m", "assistant"]
    rt.close()
    if args.mode == "daemon":
        from assistant.ipc import DaemonClient

        subprocess.run([*cmd, "daemon", "start"], env=env, check=True, capture_output=True)
        try:
            client = None
            for _ in range(600):
                client = DaemonClient.connect(config.parent / "index" / "assistant.db")
                if client is not None:
                    break
                time.sleep(0.2)
            assert client is not None, "the daemon did not come up"
            client.request("ask", {"question": "warm-up: what is in my notes?", "k": None},
                           now=spec["now"])
            for q in questions:
                t = time.perf_counter()
                try:
                    data = client.request("ask", {"question": q["question"], "k": None},
                                          now=q.get("now", spec["now"]))
                except Exception as exc:  # noqa: BLE001
                    data = {"answer": f"ERROR {type(exc).__name__}: {exc}", "route": "error"}
                emit(shape(data, time.perf_counter() - t, q["id"]))
        finally:
            subprocess.run([*cmd, "daemon", "stop"], env=env, capture_output=True)
        return
    for q in questions:  # cold: a fresh process per question, no daemon
        t = time.perf_counter()
        proc = subprocess.run([*cmd, "--now", q.get("now", spec["now"]), "ask", "--json",
                               q["question"]], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - t
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            data = {"answer": f"ERROR {proc.stderr.strip()[-200:]}", "route": "error"}
        emit(shape(data, seconds, q["id"]))


if __name__ == "__main__":
    main()
