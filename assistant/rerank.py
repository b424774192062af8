"""Ranking steps around the hybrid search: what ask's retrieval adds to one search.

- A second pass: the question's words that none of the top hits holds, searched again;
  the chat messages it finds are fused in at a lower weight. A question about two things
  ("which bakery and which florist") or whose answer does not repeat its words finds what
  the first pass, filled by the words it matched best, left out. Only messages gain: one
  message rarely holds every part of a question, while a note's section does (letting
  notes be reordered too cost 2 of the dev set's 183 answers; bench/bench_answers.py).
- A sender prior: a message by a sender the question names ranks a little higher.

LoCoMo (ask, single messages, 1,531 questions), recall within 5 / 10 messages read:
60.5 / 70.9 before, 62.7 / 72.7 with the second pass (weight 0.25; 0.15-0.35 and covering
the top 1-3 hits all within 0.7 points), 63.4 / 73.3 with the sender prior too
(bench/locomo_tune.py, which measures these knobs; bench/locomo.py agrees). README (LoCoMo
retrieval) lists what else was tried and did not pay (pseudo-relevance feedback, a
session prior, an entity query). Coverage compares keyword terms as English stems on both
sides, so it holds for any language; the pass itself searches like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Ranking:
    """Knobs of ask's ranking; the defaults are what ships (0: a step is off)."""

    second_weight: float = 0.25  # RRF weight of the pass for the words the top hits lack
    second_from: int = 2  # ... the top this many hits
    sender_boost: float = 0.3  # a candidate by a sender the question names: score * (1 + this)


def uncovered(question: str, covered_text: str, terms: Callable[[str], list[str]]) -> str:
    """The question's words whose keyword terms the ``covered_text`` does not hold."""
    have = set(terms(covered_text))
    return " ".join(w for w in _WORD.findall(question) if not set(terms(w)) & have)


def second_query(question: str, top_texts: list[str], terms: Callable[[str], list[str]]
                 ) -> str | None:
    """What the second pass searches for: the words none of ``top_texts`` holds, or None
    when that is nothing new (every word covered, or none)."""
    if not top_texts:
        return None
    rest = uncovered(question, "\n".join(top_texts), terms)
    return rest if rest and terms(rest) != terms(question) else None


def senders_in(query: str, senders: list[str]) -> tuple[str, ...]:
    """The known ``senders`` one of whose name words (3+ letters) the query holds."""
    asked = {w.lower() for w in _WORD.findall(query)}
    return tuple(s for s in senders
                 if {w.lower() for w in _WORD.findall(s) if len(w) > 2} & asked)
