"""Optional ranking steps over the hybrid search's candidates, each off unless a Ranking
turns it on: dense pseudo-relevance feedback, a session prior, an entity keyword query,
a second pass for what the top hit leaves uncovered, and hits read as message pairs.

bench/locomo_tune.py measures each against the shipped ranking in the same run; see README
(LoCoMo retrieval) for what paid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

_CAPITAL = re.compile(r"\b[A-Z][\w'’-]*")


@dataclass(frozen=True)
class Ranking:
    """Knobs of the search's ranking; the defaults are the shipped behaviour."""

    feedback_k: int = 0  # Rocchio: top dense hits whose mean vector joins the query (0: off)
    feedback_alpha: float = 0.5  # ... weight of that mean
    feedback_from: str = "dense"  # "dense" | "fused": which top hits feed back
    session_share: float = 0.0  # of its session's best other score a candidate gains (0: off)
    session_top: int = 1  # ... mean of this many best others
    entity_weight: float = 0.0  # RRF weight of a keyword query of the question's names
    second_weight: float = 0.0  # RRF weight of a pass with the words the top hit lacks
    second_from: int = 1  # ... the top this many hits
    second_passes: int = 1  # more passes: each for the words hit 2, 3, ... lacks
    sender_boost: float = 0.0  # a candidate by a sender the question names: score * (1 + this)


def rocchio(query: np.ndarray, matrix: np.ndarray, rows: Iterable[int], alpha: float) -> np.ndarray:
    """``query`` moved towards the mean of the vectors in ``rows``, unit length again."""
    picked = list(rows)
    if not picked or alpha <= 0:
        return query
    moved = query + alpha * matrix[picked].mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(np.float32) if norm > 0 else query


def sessions(prev: np.ndarray) -> np.ndarray:
    """A label per row naming its conversation (the run of rows linked by ``prev``); rows
    without links are their own conversation."""
    n = len(prev)
    label = np.arange(n, dtype=np.int64)
    # pointer jumping: each row's label becomes its conversation's first row
    up = np.where(prev >= 0, prev, np.arange(n))
    while True:
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    label[:] = up
    return label


def session_prior(
    scores: dict[int, float],
    row_of: Callable[[int], int | None],
    label: np.ndarray,
    share: float,
    top: int = 1,
) -> dict[int, float]:
    """Each candidate gains ``share`` of the mean of the ``top`` best scores of the other
    candidates in its conversation."""
    if share <= 0:
        return scores
    by_session: dict[int, list[tuple[float, int]]] = {}
    rows: dict[int, int] = {}
    for cid, score in scores.items():
        row = row_of(cid)
        if row is None:
            continue
        rows[cid] = row
        by_session.setdefault(int(label[row]), []).append((score, cid))
    for members in by_session.values():
        members.sort(reverse=True)
    out = dict(scores)
    for cid, row in rows.items():
        others = [s for s, c in by_session[int(label[row])] if c != cid][:top]
        if others:
            out[cid] += share * sum(others) / len(others)
    return out


def entities(question: str, exclude: frozenset[str] = frozenset()) -> list[str]:
    """Capitalised words of the question after its first word (names, places, titles),
    without those in ``exclude`` (lower case)."""
    words = _CAPITAL.findall(question)
    first = question.split()[0] if question.split() else ""
    out = []
    for i, w in enumerate(words):
        w = re.sub(r"['’]s$", "", w)
        if (i == 0 and first.startswith(w)) or w.lower() in exclude or len(w) < 2:
            continue
        out.append(w)
    return list(dict.fromkeys(out))


def uncovered(question: str, covered_text: str, terms: Callable[[str], list[str]]) -> str:
    """The question's words whose keyword terms the ``covered_text`` does not hold."""
    have = set(terms(covered_text))
    kept = [w for w in re.findall(r"\w+", question) if not set(terms(w)) & have]
    return " ".join(kept)


def pairs(
    ranked: list[int],
    prev: np.ndarray,
    nxt: np.ndarray,
    worth: Callable[[int], float],
    k: int,
) -> list[list[int]]:
    """The first ``k`` reading units of at most two messages from ``ranked`` rows (-1: not a
    chat message): a row next to a unit still alone joins it; a unit left alone at the end
    takes its neighbour that is ``worth`` more, when it has one."""
    units: list[list[int]] = []
    owner: dict[int, int] = {}
    for row in ranked:
        if row in owner:
            continue
        joined = False
        if row >= 0:
            for other in (int(prev[row]), int(nxt[row])):
                if other >= 0 and other in owner and len(units[owner[other]]) == 1:
                    units[owner[other]].append(row)
                    units[owner[other]].sort()
                    owner[row] = owner[other]
                    joined = True
                    break
        if joined:
            continue
        if len(units) == k:
            continue  # only units already taken may still grow
        owner[row] = len(units)
        units.append([row])
    for unit in units:
        row = unit[0]
        if len(unit) == 1 and row >= 0:
            options = [r for r in (int(prev[row]), int(nxt[row])) if r >= 0 and r not in owner]
            if options:
                best = max(options, key=worth)
                owner[best] = owner[row]
                unit.append(best)
                unit.sort()
    return units


def pairs_by_sum(
    scored: dict[int, float],
    prev: np.ndarray,
    nxt: np.ndarray,
    worth: Callable[[int], float],
    k: int,
) -> list[list[int]]:
    """The ``k`` best reading units of two adjacent messages (or one, without neighbours)
    by the sum of their ranking scores (``scored``, row -> score; a neighbour outside it
    counts ``worth`` as a tie-break), taken greedily without overlap."""
    options: list[tuple[float, tuple[int, ...]]] = []
    for row, score in scored.items():
        around = [r for r in (int(prev[row]), int(nxt[row])) if r >= 0] if row >= 0 else []
        if not around:
            options.append((score, (row,)))
        for other in around:
            value = score + scored.get(other, 1e-3 * worth(other))
            options.append((value, tuple(sorted((row, other)))))
    options.sort(key=lambda o: -o[0])
    taken: set[int] = set()
    units: list[list[int]] = []
    for _, unit in options:
        if taken.intersection(unit):
            continue
        taken.update(unit)
        units.append(list(unit))
        if len(units) == k:
            break
    return units
