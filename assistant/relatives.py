"""Who the user's relatives are, as their own notes and messages say it: "my sister Ewa",
"Maureen (my sister)", "Tom, my brother", "meine Schwester Maureen", and the pets
"Pierogi 🐶" and "our dog Rex". ("husband: Michał" in the note about a sister is hers.)

A word for a relative in a question then names that person as well: "what time do I call
my sister on Sunday" finds the event "Ewa 📞", "what did my sister say" her chat. The
words for each relative come from the phrase tables' ``[kin]`` groups of every language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from assistant.phrases import LANGUAGES, load
from assistant.store import Store

# "my", "our" in the languages of the phrase tables
_MY = (r"my|our|mein|meine|meinem|meiner|meinen|unser|unsere|moja|mój|moje|mojej|mojego|"
       r"minha|meu|nossa|nosso|mi|mis|nuestra|nuestro|ma|mon|notre")
_NAME = r"[A-ZÀ-ÖØ-ÞĄĆĘŁŃŚŹŻ][^\W\d_]+(?:[-'’][^\W\d_]+)*"
_AGE = r"(?:(?:big|little|older|younger|baby|twin|kid|half|step|große|kleine|starsza|młodsza)[\s-])?"
MAX_TEXTS = 5000  # notes and messages read for them (the ones that hold a word for a relative)


@cache
def groups() -> dict[str, frozenset[str]]:
    """Each relative's words, every language's together: {"sister": {"sister", "sis",
    "schwester", "siostra", ...}}."""
    out: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for key, words in load(language).kin_groups.items():
            out.setdefault(key, set()).update(w.lower() for w in words)
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    kin = "|".join(sorted({re.escape(w) for ws in groups().values() for w in ws},
                          key=len, reverse=True))
    word = rf"(?i:(?P<kin>{kin}))"
    return (
        # "my sister Ewa", "my little brother Tom", "meine Schwester Maureen" ("my brother,
        # Lisbon" is where he lives)
        re.compile(rf"(?<!\w)(?i:{_MY})\s+(?i:{_AGE}){word}\s+(?P<name>{_NAME})"),
        # "Ewa, my sister" (not "Called my sister")
        re.compile(rf"(?P<name>{_NAME})(?:\s+(?P<surname>{_NAME}))?,\s+(?i:{_MY})\s+(?i:{_AGE}){word}(?!\w)"),
        # "Maureen (my sister)", "Ewa (sister, Kraków)"; not "Oma in Lübeck (Papa drives)"
        re.compile(rf"(?P<name>{_NAME})(?:\s+(?P<surname>{_NAME}))?\s*\((?:(?i:{_MY})\s+)?(?i:{_AGE}){word}\s*[),;]"),
        # "Pierogi 🐶", "Bolacha 🐈 (tortie)": a pet's picture after its name
        re.compile(rf"(?P<name>{_NAME})\s*(?P<kin>[\U0001F408\U0001F415\U0001F429\U0001F431"
                   rf"\U0001F436\U0001F408\u200d\u2b1b]+)"),
    )


@cache
def _not_names() -> frozenset[str]:
    """Capitalised words that are no name: words for relatives, months, days, "Tomorrow",
    and the small words of every language."""
    from assistant.timeparse import MONTHS, WEEKDAYS
    from assistant.timewords import load as time_words

    out = {w for ws in groups().values() for w in ws} | set(MONTHS) | set(WEEKDAYS) | {
        "today", "tomorrow", "tonight", "yesterday", "weekend", "morning", "evening"}
    for language in LANGUAGES:
        out |= load(language).stopwords | time_words(language).words
    return frozenset(out)


def _key(word: str) -> str | None:
    if word and not word[0].isalnum():  # a picture: 🐶 is a dog, 🐈 a cat
        name = unicodedata.name(word[0], "")
        return "dog" if "DOG" in name or "POODLE" in name else "cat" if "CAT" in name else None
    word = word.lower()
    return next((k for k, ws in groups().items() if word in ws), None)


def find(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """Relative (a ``groups`` key) -> the names the texts give them, lower case."""
    not_names = _not_names()
    out: dict[str, set[str]] = {}
    for text in texts:
        for pattern in _patterns():
            for m in pattern.finditer(text):
                key = _key(m["kin"])
                found = [n.lower().rstrip("'’-") for n in (m["name"], m.groupdict().get("surname"))
                         if n]
                if key and found[0] not in not_names:
                    out.setdefault(key, set()).update(found)
    return {k: frozenset(v) for k, v in out.items()}


def from_store(store: Store) -> dict[str, frozenset[str]]:
    """``find`` over the notes and messages whose title or text holds a word for a relative
    (one FTS query; a note's title is "Ewa (sister)" as often as its text says it)."""
    words = sorted({w for ws in groups().values() for w in ws if re.fullmatch(r"\w+", w)})
    if not words:
        return {}
    query = " OR ".join(f'"{w}"' for w in words)
    try:
        rows = store.db.execute(
            "SELECT coalesce(c.title, '') || char(10) || c.text FROM chunks_fts "
            "JOIN chunks c ON c.id = chunks_fts.rowid WHERE chunks_fts MATCH ? LIMIT ?",
            (f"{{title text}}: ({query})", MAX_TEXTS)).fetchall()
    except Exception:  # noqa: BLE001 - no FTS index (an old or empty store): nobody is known
        return {}
    return find(text for (text,) in rows)
