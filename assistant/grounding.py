"""Grounding checks: which names, numbers and dates an answer states that no source contains."""

from __future__ import annotations

import re
from collections.abc import Iterable

_CITATION = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]*)*")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
]
_DAYS = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
]
# Capitalised words that are sentence furniture, not claims.
_COMMON = frozenset(
    [
        "i",
        "the",
        "a",
        "an",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "they",
        "we",
        "you",
        "he",
        "she",
        "my",
        "your",
        "our",
        "their",
        "on",
        "in",
        "at",
        "by",
        "for",
        "from",
        "to",
        "of",
        "and",
        "or",
        "but",
        "not",
        "no",
        "yes",
        "if",
        "when",
        "where",
        "what",
        "who",
        "which",
        "how",
        "why",
        "sources",
        "source",
        "answer",
        "note",
        "notes",
        "question",
        "today",
        "tomorrow",
        "yesterday",
        "am",
        "pm",
    ]
)


def citations(text: str) -> list[int]:
    return [int(n) for n in dict.fromkeys(_CITATION.findall(text))]


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def claims(answer: str) -> list[str]:
    """Numbers, dates and proper names an answer asserts (citations excluded)."""
    text = strip_citations(answer)
    found: list[str] = [m.group(0) for m in _NUMBER.finditer(text)]
    for match in _CAPITALISED.finditer(text):
        words = [w for w in match.group(0).split() if w.lower() not in _COMMON]
        for word in words:
            if word.lower() in _MONTHS or word.lower() in _DAYS or len(word) > 1:
                found.append(word)
    return list(dict.fromkeys(found))


def _number_variants(claim: str) -> Iterable[str]:
    yield claim
    yield claim.replace(",", "")
    yield claim.replace(".", ",")
    yield claim.replace(",", ".")
    if ":" in claim:  # 7:10 vs 07:10
        h, _, m = claim.partition(":")
        yield f"{int(h):02d}:{m}" if h.isdigit() else claim
        yield f"{int(h)}:{m}" if h.isdigit() else claim
    if claim.isdigit():
        yield str(int(claim))


def unsupported(answer: str, sources: Iterable[str]) -> list[str]:
    """The claims of ``answer`` that appear in none of ``sources``."""
    corpus = _normalise(" ".join(sources))
    missing = []
    for claim in claims(answer):
        lowered = claim.lower()
        if claim[0].isdigit():
            ok = any(v.lower() in corpus for v in _number_variants(claim))
        elif lowered in _MONTHS or lowered in _DAYS:
            ok = lowered[:3] in corpus
        else:
            ok = lowered in corpus or lowered.rstrip("s'’") in corpus
        if not ok:
            missing.append(claim)
    return missing
