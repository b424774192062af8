"""LoCoMo ranking variants (assistant/rerank.py) against the shipped ranking, in one run.

Indexes the 10 conversations once (as bench/locomo.py does; kept under --cache between
runs) and asks every question of categories 1-4 through Answerer.retrieve with each
variant's Ranking. Reports what bench/locomo.py reports (R@k, Bn, multi-hop R@10, R@5 per
category); a variant ending in ``+pairs`` reads each hit as a message with its better
neighbour (rerank.pairs: at most 2 messages per hit).

Variants measured at commit 62e7684 / its successor and left out since (see README):
pseudo-relevance feedback (prfK-A), a session prior (sessS), an entity keyword query (entW),
several second passes, pairs ranked by the sum of their scores.

Run: .venv/bin/python bench/locomo_tune.py [--variants off,shipped,second0.3,off+pairs] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from locomo import CATEGORIES, KS, TZ, _no_llm, messages, score, turns_of  # noqa: E402

from assistant import rerank  # noqa: E402
from assistant.answer import Answerer  # noqa: E402
from assistant.config import EmbeddingConfig, RetrievalConfig  # noqa: E402
from assistant.embed import Embedder  # noqa: E402
from assistant.index import Indexer  # noqa: E402
from assistant.retrieve import Searcher  # noqa: E402
from assistant.store import Store  # noqa: E402
from common import LOCOMO, print_table, save  # noqa: E402

OFF = rerank.Ranking(second_weight=0.0, sender_boost=0.0)  # the ranking before issue 15c


def variant(name: str) -> tuple[rerank.Ranking, int]:
    """``name`` read as knobs: ``shipped`` (rerank.Ranking's defaults) or ``off`` (no step),
    then ``secondW[-F]`` / ``whoB`` overriding the second pass (weight, hits covered) and the
    sender prior, joined by '_', optionally ending in '+pairs' or '+pairsN' (reading units of
    two messages built from the top N ranked messages); the int is N (0: single messages)."""
    pairs = 0
    if "+pairs" in name:
        name, tail = name.split("+pairs")
        pairs = int(tail) if tail else 25
    ranking = rerank.Ranking()
    for part in name.split("_"):
        if part == "shipped":
            ranking = rerank.Ranking()
        elif part == "off":
            ranking = OFF
        elif part.startswith("who"):
            ranking = replace(ranking, sender_boost=float(part[3:]))
        elif part.startswith("second"):
            w, _, top = part[6:].partition("-")
            ranking = replace(ranking, second_weight=float(w))
            if top:
                ranking = replace(ranking, second_from=int(top))
        else:
            raise SystemExit(f"error: unknown variant part {part!r}")
    return ranking, pairs


def pairs(ranked: list[int], prev: np.ndarray, nxt: np.ndarray,
          worth: Callable[[int], float], k: int) -> list[list[int]]:
    """The first ``k`` reading units of at most two messages from ``ranked`` vector rows: a
    row next to a unit still alone joins it; a unit left alone at the end takes its
    neighbour that is ``worth`` more (the question's cosine similarity)."""
    units: list[list[int]] = []
    owner: dict[int, int] = {}
    for row in ranked:
        if row in owner:
            continue
        lone = [owner[o] for o in (int(prev[row]), int(nxt[row]))
                if o >= 0 and o in owner and len(units[owner[o]]) == 1]
        if lone:
            units[lone[0]].append(row)
            owner[row] = lone[0]
        elif len(units) < k:  # once k units are taken, only they may still grow
            owner[row] = len(units)
            units.append([row])
    for i, unit in enumerate(units):
        if len(unit) == 1:
            options = [r for r in (int(prev[unit[0]]), int(nxt[unit[0]]))
                       if r >= 0 and r not in owner]
            if options:
                best = max(options, key=worth)
                owner[best] = i
                unit.append(best)
    return units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="off,shipped,off+pairs,shipped+pairs")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--cache", default="/tmp/locomo_tune_cache")
    args = parser.parse_args()
    data = json.loads(LOCOMO.read_text(encoding="utf-8"))
    if args.limit:
        data = data[: args.limit]
    embedder = Embedder.from_config(EmbeddingConfig())
    embedder.encode(["warm up"])
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    stores = []
    for sample in data:
        path = cache / f"{sample['sample_id']}.db"
        fresh = not path.exists()
        store = Store(path)
        if fresh:
            Indexer(store, embedder, TZ, []).index_records(
                f"/locomo/{sample['sample_id']}.txt", messages(sample), kind="messages",
                format="locomo")
        stores.append(store)
    qcache: dict[str, object] = {}
    rows = []
    for name in args.variants.split(","):
        ranking, use_pairs = variant(name.split("/")[0])
        context = float(name.split("/ctx")[1]) if "/ctx" in name else None
        per_cat: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        per_hit: list[int] = []
        t0 = time.perf_counter()
        for sample, store in zip(data, stores, strict=True):
            searcher = Searcher(store, embedder)
            searcher.ranking = ranking
            if context is not None:  # the neighbours' share (assistant/neighbours.py)
                searcher.context = context
            msgs = messages(sample)
            valid = {m.id for m in msgs}
            asker = Answerer(searcher, _no_llm, TZ, msgs[-1].time, RetrievalConfig())
            locator = dict(store.db.execute("SELECT id, locator FROM chunks"))
            for qa in sample["qa"]:
                cat = qa.get("category")
                if cat not in CATEGORIES:
                    continue
                gold = {e for e in qa["evidence"] if e in valid}
                if not gold:
                    continue
                hits, _ = asker.retrieve(qa["question"], max(KS))
                if use_pairs:
                    v = searcher.vectors
                    key = qa["question"]
                    if key not in qcache:
                        qcache[key] = embedder.encode_query(key)
                    sims = v.matrix @ qcache[key]
                    ranked = [v.row_of[h.chunk_id] for h in hits]
                    units = pairs(ranked[:use_pairs], v.prev, v.next, sims.__getitem__, max(KS))
                    hit_turns = [set().union(*(turns_of(locator[int(v.ids[r])]) for r in u))
                                 for u in units]
                else:
                    hit_turns = [turns_of(h.locator) for h in hits]
                per_hit.extend(len(t) for t in hit_turns[:5])
                score(per_cat, cat, gold, hit_turns)
        row = {"variant": name, "turns_per_hit": sum(per_hit) / max(1, len(per_hit)),
               "seconds": time.perf_counter() - t0,
               "questions": len(per_cat["overall"]["R@5"])}
        for bucket, metrics in per_cat.items():
            row[bucket] = {m: 100 * sum(v) / len(v) for m, v in metrics.items()}
        rows.append(row)
        o = row["overall"]
        print(f"{name}: R@5 {o['R@5']:.1f} R@10 {o['R@10']:.1f} B5 {o['B5']:.1f} "
              f"B10 {o['B10']:.1f} mh R@10 {row['multi-hop']['R@10']:.1f} "
              f"turns/hit {row['turns_per_hit']:.2f} ({row['seconds']:.0f} s)", flush=True)
    print_table(
        f"LoCoMo ranking variants, {rows[0]['questions']} questions",
        ["variant", "turns/hit", "R@5", "R@10", "R@25", "B5", "B10", "multi-hop R@10",
         *(f"{c} R@5" for c in CATEGORIES.values())],
        [[r["variant"], f"{r['turns_per_hit']:.2f}",
          *(f"{r['overall'][m]:.1f}" for m in ("R@5", "R@10", "R@25", "B5", "B10")),
          f"{r['multi-hop']['R@10']:.1f}",
          *(f"{r[c]['R@5']:.1f}" for c in CATEGORIES.values())] for r in rows],
    )
    print(f"saved {save('locomo_tune', {'rows': rows})}")
    for store in stores:
        store.close()


if __name__ == "__main__":
    main()
