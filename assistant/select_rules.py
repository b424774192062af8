"""Rules the selector applies between statements that all hold a value: the new value
against the current one, a value against a statement that only says where the fact is,
and month names as one word whatever their spelling.

A value often changes ("Rent now $2,450" / "the new rent from September 1 will be
$2,523.50"): the question says which one it wants, by its words ("the new rent", "what
is it going up to", "rent right now") or by a date ahead ("rent in September"), and a
statement says which one it holds. The tables are per language (phrases/<lang>.toml,
[change]).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from assistant import answer_types
from assistant.phrases import Phrases, find, words
from assistant.timeparse import MONTHS, WEEKDAYS
from assistant.vocab import plain

if TYPE_CHECKING:
    from assistant.plan import Plan
    from assistant.select import Scored

Tense = Literal["new", "now", "ahead"] | None  # "ahead": only a date ahead was named

CHANGE_BONUS = 0.2  # a statement holding the value the question asks for (new or current)
CHANGE_PENALTY = 0.1  # ... holding the other one

_MONTH_WORDS = {m[:3]: m for m in MONTHS} | {"sept": "september"}
_DAY_WORDS = {d[:3]: d for d in WEEKDAYS} | {"tues": "tuesday", "thur": "thursday",
                                             "thurs": "thursday"}
# every spelling of a month or weekday name, for telling them from people's names
MONTH_AND_DAY_WORDS = frozenset((*MONTHS, *WEEKDAYS, *_MONTH_WORDS, *_DAY_WORDS))


def canonical(word: str) -> str:
    """A month or weekday as its full name ("sept" -> "september"); other words as they are."""
    return _MONTH_WORDS.get(word) or _DAY_WORDS.get(word) or word


def asked_tense(plan: Plan, phrases: Phrases, now: datetime | None) -> Tense:
    """Does the question ask for a new (changed, future) value, the current one, or
    neither? Its words decide; else a time it names that lies ahead asks for the value
    that will hold then."""
    tokens = words(plan.question)
    table = phrases.change
    if find(tokens, table.get("asks_new", ())):  # "it got moved, what time is it now": new
        return "new"
    if find(tokens, table.get("asks_now", ())):
        return "now"
    if now is not None and plan.window is not None and plan.window.start > now:
        return "ahead"
    return None


def names_month(plan: Plan, held: set[str]) -> bool:
    """The statement names the month of the time the question names ("September")."""
    if plan.window is None:
        return False
    return MONTHS[plan.window.start.month - 1] in held


_FROM_TO = re.compile(r"\b(?:to|→|->|until|bis)\b|→|->")


def stated_tense(text: str, kind: str, phrases: Phrases) -> Tense:
    """Does the statement give a new value ("will be", "new rent", "from $X to $Y"), the
    current one ("Rent now $2,450"), or neither?"""
    tokens = words(text)
    table = phrases.change
    if find(tokens, table.get("states_new", ())):
        return "new"
    found = answer_types.values(kind, text) if kind in answer_types.STRICT else []
    if len(found) >= 2:  # "from $2,450 to $2,523.50": a change, the later value the new one
        first, last = text.find(found[0]), text.rfind(found[-1])
        if 0 <= first < last and _FROM_TO.search(text[first + len(found[0]):last]):
            return "new"
    if find(tokens, table.get("states_now", ())):
        return "now"
    return None


def tense_bonus(asked: Tense, stated: Tense, names_month: bool = False) -> float:
    """How much a statement's tense adds to its score for a question asking ``asked``. A
    question that only names a date ahead ("rent in September") asks for a new value
    only from a statement that names that month ("new rent from September 1"): in July
    the rent may still be the one now."""
    if asked is None or stated is None:
        return 0.0
    if asked == "ahead":
        return CHANGE_BONUS if stated == "new" and names_month else 0.0
    return CHANGE_BONUS if asked == stated else -CHANGE_PENALTY


def value_elsewhere(pointer: Scored, answers: Sequence[Scored], held: Callable[[Scored], set[str]],
                    attributes: dict[str, float], holds: Callable[[set[str], str], bool]) -> bool:
    """Another source holds a value of the asked type about what ``pointer`` (a statement
    that only says where the fact is: "jersey order (see Telegram)") is about: its
    heaviest focus word. Then the value answers, not the pointer. A value in the
    pointer's own source does not count: that note tells the two apart ("the admin
    password is on the label" beside the wifi's "Password: ...")."""
    words_of_pointer = held(pointer)
    present = [f for f in attributes if holds(words_of_pointer, f)]
    if not present:
        return False
    # the rarest word; of equals, the later one ("team jerseys": a noun phrase ends on its head)
    key = max(reversed(present), key=lambda f: attributes[f])
    return any(s.unit.hit != pointer.unit.hit and holds(held(s), key) for s in answers)


# --- who or what a question names ---------------------------------------------------------


def unknown_names(asked: Sequence[str], texts: Sequence[str]) -> set[str]:
    """Words of the question the sources write only capitalised and no dictionary has
    ("arjun" asked, "**Arjun Mehta**" at the start of a list item): names, even where
    they open a line. Words under five letters are left alone: the dictionary does not
    list them, so "Team" opening a line could not be told from a name."""
    from assistant.phrases import english_words

    known = english_words()
    if not known:
        return set()
    out = set()
    for word in asked:
        if len(word) < 5 or not word.isalpha():
            continue
        pattern = re.compile(
            rf"(?P<before>[\w,;)] )?(?<!\w)(?P<word>(?i:{re.escape(word)}))(?!\w)"
            rf"(?:\s+(?P<next>[A-Z][A-Za-z'’-]{{2,}}))?")
        seen = [m for t in texts for m in pattern.finditer(t)]
        if not seen or not all(m["word"][0].isupper() for m in seen):
            continue
        surnames = [m["next"] for m in seen if m["next"] and m["next"].lower() not in
                    MONTH_AND_DAY_WORDS]
        if word in known:  # a first name the dictionary knows, before a surname it does not
            if any(len(n) >= 5 and n.lower() not in known for n in surnames):
                out.add(plain(word))
        elif surnames or any(m["before"] for m in seen):  # inside a sentence or before a surname
            out.add(plain(word))
    return out


_POSSESSIVE = re.compile(r"\b(\w+)['’]s\s+(?=(\w+))")


def possessors(question: str, texts: Sequence[str], stopwords: frozenset[str],
               value_nouns: frozenset[str]) -> set[str]:
    """Whose value is asked, when it is someone's name: "lena's mobile" asks for Lena's,
    and the sources write "Lena" only capitalised. "The plumber's number" names no one
    ("Plumber can come…" opens a sentence, "the plumber" does not), and in "owen's mom
    phone" the phone is his mum's, not Owen's: the word after the name must be a value
    noun (phrases: value_nouns)."""
    out = set()
    for word, thing in _POSSESSIVE.findall(plain(question)):
        if word in stopwords or word in MONTH_AND_DAY_WORDS or thing not in value_nouns:
            continue
        seen = [m[0] for t in texts for m in re.finditer(
            rf"(?<!\w)(?i:{re.escape(word)})(?!\w)", t)]
        if seen and all(w[0].isupper() for w in seen):
            out.add(word)
    return out


def acronyms(question: str) -> set[str]:
    """Words a question writes in capitals ("my SIN", "the NHS number"), unless it is all
    capitals: an acronym is held only by a text that writes it so ("sin" in a Spanish
    note is no SIN)."""
    letters = [c for c in question if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return set()
    return {w.lower() for w in re.findall(r"\b[A-Z]{2,6}\b", question)}


def without_lowercase(found: set[str], text: str, shouted: set[str]) -> set[str]:
    """``found`` minus the acronyms ``text`` holds only in lower case."""
    if not shouted:
        return found
    capital = {w.lower() for w in re.findall(r"\b[A-Z]{2,6}s?\b", text)}
    return found - {a for a in shouted if a not in capital and a.rstrip("s") not in capital}


_LABEL_HEAD = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*\S")


def names_its_value(text: str, own: set[str], asked: set[str], type_nouns: frozenset[str],
                    lemma: Callable[[str], str]) -> bool:
    """The statement says what kind of value it holds: a label naming one ("Total: €486",
    "Frame number: …"), or a noun for it that the question uses too ("His number is …"
    for "the plumber's number"); "both days" in a line about a ferry names none of a
    question about a time."""
    m = _LABEL_HEAD.match(text)
    if m and any(lemma(w) in type_nouns for w in words(m.group(1))):
        return True
    return bool(own & type_nouns & asked)
