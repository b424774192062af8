"""LoCoMo retrieval benchmark: the product's own pipeline on a public data set.

Each of the 10 LoCoMo conversations becomes a chat export (one Message per turn, each
session's date as the messages' time) indexed through the product's library API into
its own store, as a person's own data would be. Every non-adversarial question
(categories 1-4) is searched with the product's search, ``now`` = the end of the
conversation. Reported: recall@5/@10/@25 of the gold evidence turns (a retrieved chunk
counts for every turn it contains), the mean turns per retrieved chunk, and recall at an
equal budget of 5/10/25 turns (so bigger windows cannot win by size alone), per category
and overall.

Modes: dense / keyword / hybrid rank the question as it is; `ask` is exactly what
`assistant ask` retrieves (Answerer.retrieve: the question's time window and sender as
filters, a time phrase that names when something happened ranking instead of filtering),
with each message ranked with its neighbours (assistant/neighbours.py) and the steps of
assistant/rerank.py (a second pass, a sender prior); `ask-before` is `ask` without those
steps, `ask-alone` without the neighbours. By default it measures the shipped
configuration (single messages, `ask`) beside the ones before (`ask-before`, windows of 6
messages) in the same run.

Published reference (LoCoMo paper, Table 3, DRAGON over turns): R@5 56.7, R@10 66.2, R@25 76.7.

Run: .venv/bin/python bench/locomo.py [--windows 1,6] [--modes ask,ask-before,ask-alone] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistant.answer import Answerer  # noqa: E402
from assistant.chunking import DEFAULT_OPTIONS  # noqa: E402
from assistant.config import EmbeddingConfig, RetrievalConfig  # noqa: E402
from assistant.embed import Embedder  # noqa: E402
from assistant.index import Indexer  # noqa: E402
from assistant.records import Message  # noqa: E402
from assistant.rerank import Ranking  # noqa: E402
from assistant.retrieve import Searcher  # noqa: E402
from assistant.store import Store  # noqa: E402
from common import LOCOMO, print_table, save  # noqa: E402

TZ = ZoneInfo("UTC")
KS = (5, 10, 25)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
_LOCATOR = re.compile(r"D(\d+):(\d+)")


def session_time(text: str) -> datetime:
    return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y").replace(tzinfo=TZ)


def messages(sample: dict) -> list[Message]:
    conv = sample["conversation"]
    out: list[Message] = []
    n = 1
    while f"session_{n}" in conv:
        start = session_time(conv[f"session_{n}_date_time"])
        for i, turn in enumerate(conv[f"session_{n}"]):
            text = turn["text"]
            if turn.get("blip_caption"):
                text += f" [shares a photo: {turn['blip_caption']}]"
            out.append(
                Message(
                    id=turn["dia_id"],
                    chat=sample["sample_id"],
                    sender=turn["speaker"],
                    time=start + timedelta(seconds=30 * i),
                    text=text,
                )
            )
        n += 1
    return out


def turns_of(locator: str) -> set[str]:
    ids = _LOCATOR.findall(locator)
    if not ids:
        return set()
    (s1, a), (s2, b) = ids[0], ids[-1]
    if s1 != s2:
        return {f"D{s}:{t}" for s, t in ids}
    return {f"D{s1}:{t}" for t in range(int(a), int(b) + 1)}


def score(per_cat: dict[str, dict[str, list[float]]], category: int, gold: set[str],
          hit_turns: list[set[str]], turns: bool = False) -> None:
    """One question's recall, for its category and overall: of ``gold`` in the first k
    hits (R@k) and within k turns read (Bk); ``turns``: also how many turns k hits hold."""
    for bucket in (CATEGORIES[category], "overall"):
        for k in KS:
            got = set().union(*hit_turns[:k]) if hit_turns else set()
            per_cat[bucket][f"R@{k}"].append(len(gold & got) / len(gold))
            if turns:
                per_cat[bucket][f"turns@{k}"].append(float(len(got)))
            per_cat[bucket][f"B{k}"].append(budget_recall(hit_turns, gold, k))


def budget_recall(hit_turns: list[set[str]], gold: set[str], budget: int) -> float:
    """Recall of ``gold`` when only ``budget`` turns may be read, hits in rank order.

    The chunk that crosses the budget counts pro rata (reading part of a window finds
    each of its gold turns with that chance), so a 6-turn window is not worth zero at a
    budget of 5 and is worth no more than 5 single turns."""
    found = 0.0
    seen: set[str] = set()
    left = float(budget)
    for turns in hit_turns:
        new = turns - seen
        if not new:
            continue
        share = min(1.0, left / len(new))
        found += share * len(new & gold)
        seen |= new
        left -= share * len(new)
        if left <= 0:
            break
    return found / len(gold)


def _no_llm() -> None:
    raise AssertionError("retrieval only: the language model is never needed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shipped = DEFAULT_OPTIONS.window_messages
    parser.add_argument(
        "--windows", default=f"{shipped},6", help=f"messages per window (shipped: {shipped})"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N conversations")
    parser.add_argument("--modes", default="ask,ask-before,ask-alone",
                        help="of dense, keyword, hybrid, ask, ask-before, ask-alone")
    args = parser.parse_args()
    if not LOCOMO.exists():
        sys.exit(f"error: {LOCOMO} not found (the shared bench data)")
    data = json.loads(LOCOMO.read_text(encoding="utf-8"))
    if args.limit:
        data = data[: args.limit]
    modes = args.modes.split(",")

    embedder = Embedder.from_config(EmbeddingConfig())
    embedder.encode(["warm up"])
    rows, summary = [], {}
    unresolved = 0
    with tempfile.TemporaryDirectory() as tmp:
        for window in [int(w) for w in args.windows.split(",")]:
            options = replace(DEFAULT_OPTIONS, window_messages=window)
            stores, index_s, n_chunks = [], 0.0, 0
            for sample in data:
                store = Store(Path(tmp) / f"w{window}-{sample['sample_id']}.db")
                t0 = time.perf_counter()
                Indexer(store, embedder, TZ, [], options=options).index_records(
                    f"/locomo/{sample['sample_id']}.txt",
                    messages(sample),
                    kind="messages",
                    format="locomo",
                )
                index_s += time.perf_counter() - t0
                n_chunks += store.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
                stores.append(store)
            for mode in modes:
                per_cat: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
                q_time, turns_per_hit = 0.0, []
                for sample, store in zip(data, stores, strict=True):
                    searcher = Searcher(store, embedder)
                    if mode == "ask-alone" or not mode.startswith("ask"):
                        searcher.context = 0.0
                    if mode == "ask-before":  # without the second pass and sender prior
                        searcher.ranking = Ranking(second_weight=0.0, sender_boost=0.0)
                    msgs = messages(sample)
                    valid = {m.id for m in msgs}
                    now = msgs[-1].time
                    asker = Answerer(searcher, _no_llm, TZ, now, RetrievalConfig())
                    for qa in sample["qa"]:
                        cat = qa.get("category")
                        if cat not in CATEGORIES:
                            continue
                        gold = {e for e in qa["evidence"] if e in valid}
                        if not gold or len(gold) != len(qa["evidence"]):
                            unresolved += window == 1 and mode == modes[0] and not gold
                            if not gold:
                                continue
                        t0 = time.perf_counter()
                        if mode.startswith("ask"):
                            hits, _ = asker.retrieve(qa["question"], max(KS))
                        else:
                            hits = searcher.search(qa["question"], max(KS), mode=mode)
                        q_time += time.perf_counter() - t0
                        hit_turns = [turns_of(h.locator) for h in hits]
                        turns_per_hit.extend(len(t) for t in hit_turns[:5])
                        score(per_cat, cat, gold, hit_turns, turns=True)
                n_q = len(per_cat["overall"]["R@5"])
                row = {
                    "window": window,
                    "mode": mode,
                    "chunks": n_chunks,
                    "turns_per_hit": sum(turns_per_hit) / max(1, len(turns_per_hit)),
                    "index_s": index_s,
                    "query_ms": 1000 * q_time / max(1, n_q),
                    "questions": n_q,
                }
                for bucket, metrics in per_cat.items():
                    row[bucket] = {m: 100 * sum(v) / len(v) for m, v in metrics.items()}
                rows.append(row)
                print(
                    f"window={window} mode={mode}: R@5 {row['overall']['R@5']:.1f} "
                    f"B5 {row['overall']['B5']:.1f} turns/hit {row['turns_per_hit']:.2f}",
                    flush=True,
                )
            for store in stores:
                store.close()

    table = [
        [
            r["window"],
            r["mode"],
            f"{r['turns_per_hit']:.2f}",
            *(f"{r['overall'][f'R@{k}']:.1f}" for k in KS),
            *(f"{r['overall'][f'B{k}']:.1f}" for k in KS),
            f"{r['multi-hop']['R@10']:.1f}",
            f"{r['multi-hop']['B10']:.1f}",
            *(f"{r[c]['R@5']:.1f}" for c in CATEGORIES.values()),
            f"{r['index_s']:.0f}",
            f"{r['query_ms']:.1f}",
        ]
        for r in rows
    ]
    table.append(
        [
            "turns",
            "DRAGON (paper)",
            "1.00",
            "56.7",
            "66.2",
            "76.7",
            "56.7",
            "66.2",
            "76.7",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    print_table(
        f"LoCoMo retrieval, {rows[0]['questions'] if rows else 0} questions (categories 1-4)",
        [
            "window",
            "mode",
            "turns/hit",
            "R@5",
            "R@10",
            "R@25",
            "B5",
            "B10",
            "B25",
            "multi-hop R@10",
            "multi-hop B10",
            *(f"{c} R@5" for c in CATEGORIES.values()),
            "index s",
            "query ms",
        ],
        table,
    )
    print(
        "R@k: recall of gold evidence turns in the top k chunks; Bn: recall within a budget "
        f"of n turns read in rank order (the chunk crossing it counts pro rata). Questions skipped for unresolvable evidence ids: {unresolved}."
    )
    summary = {"rows": rows, "unresolved": unresolved}
    print(f"saved {save('locomo', summary)}")


if __name__ == "__main__":
    main()
