"""Choose the sentence that answers: score every statement of the retrieved sources against
the plan (meaning, focus words, the value the question asks for, whose note it is).

A source "about the same person" is not an answer: the chosen statement must hold the
focus of the question (or mean it closely), the names it asks about, and a value of the
asked type (a phone number for "phone number"). When none does, the choice says so:
"not known yet" evidence if the data says the fact is pending, else the closest
statement about the focus as a partial answer, else nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Literal

import numpy as np

from assistant import answer_types, evidence, select_rules
from assistant.phrases import Phrases, find, load, words
from assistant.plan import Plan
from assistant.retrieve import Hit
from assistant.select_rules import MONTH_AND_DAY_WORDS, canonical
from assistant.vocab import edit_distance, plain
from assistant.zones import zone_named

Verdict = Literal["answer", "not_known", "partial", "none"]

MAX_HITS = 6  # sources whose statements are scored
# A statement counts as being about the question when it holds this share of the focus
# (names count double) or means the question this closely (cosine).
MIN_COVERAGE = 0.5
CLOSE_MEANING = 0.62
BARE_COVERAGE = 0.6  # ... an answer of no checkable type with less than this share
BARE_MEANING = 0.3  # ... must mean the question at least this closely
LOOSE_MEANING = 0.35  # ... or, holding an asked acronym in lower case only, this closely
SOURCE_COVERAGE = 0.6  # ... or stands in a source that holds this share of the focus
# a value that lacks this share of the focus held by a statement without a value is
# about something else ("oral exam" asked, "written papers 09:00" found)
MISSING = 0.3
CLOSE_WORD = 0.7  # two words this close in meaning (cosine) say the same thing ...
_PARTS_OF_DAY = frozenset("morning afternoon evening night tonight noon midday midnight "
                          "breakfast lunch dinner supper brunch".split())
CLOSE_CREDIT = 0.6  # ... and the one a statement says holds this share of the one asked
EMBEDDED = 24  # statements whose meaning is compared with the question (the rest by words)
# Signs that a note is a page clipped from the web, not the person's own words.
_CLIPPED = re.compile(
    r"https?://|\bposted by\b|\boriginally posted\b|\bupvotes?\b|\breply\b|\bquote\b|\bforum\b|"
    r"\bthread\b|\breddit\b|\bclipped\b|\bsource:\s|\bcomments?\b|\bwrote:|\bop\b",
    re.IGNORECASE,
)


_LABEL = re.compile(r"^\s*(?P<label>[^:\n]{1,40}?)\s*:\s*\S")


@dataclass(frozen=True)
class Unit:
    text: str  # the statement, with its "[date] Sender: " head for messages
    hit: int  # index into the hits
    context: str  # the source's title and the heading the statement stands under


@dataclass(frozen=True)
class Scored:
    unit: Unit
    score: float
    similarity: float
    coverage: float
    fits: bool
    names_ok: bool
    pending: bool  # says the fact is not known yet
    source_coverage: float = 0.0  # the focus held by its whole source
    labelled: bool = False  # it names the kind of value it holds ("Total:", "number")
    loose: bool = False  # holds an acronym asked ("SIN") only as a lower-case word ("sin")
    stranger: bool = False  # names someone or somewhere the question does not


@dataclass(frozen=True)
class Choice:
    verdict: Verdict
    best: tuple[Scored, ...]  # the answer (or closest) statements, best first
    ranked: tuple[Scored, ...] = ()
    weights: dict[str, float] | None = None  # how much each focus word counted


def statements(hits: Sequence[Hit]) -> list[Unit]:
    """Every statement that may be offered, with the heading it stands under."""
    out: list[Unit] = []
    for i, hit in enumerate(hits[:MAX_HITS]):
        for heading, text in evidence.sections(hit.text):
            context = " ".join(x for x in (hit.title or "", heading) if x)
            asked: tuple[str, str] | None = None  # the last message, if it asked something
            for u in evidence.offerable(text):
                head = evidence.MESSAGE_HEAD.match(u) if hit.kind == "message" else None
                sender = head["sender"] if head else ""
                # a reply stands under the question it answers, as a line under its
                # heading: "4471, same as the gate" after "what's the bike lock code?"
                under = asked[1] if asked and head and asked[0] != sender else ""
                out.append(Unit(u, i, f"{context} {under}".strip()))
                # a message that asks something ("anyone have a discount code for the
                # half? registration went up") is the question the next one answers
                body = evidence.without_head(u)
                asked = (sender, body) if head and re.search(r"\?(?:\s|$)", body) else None
    return out


_OUTDATED = re.compile(
    r"\b(?:outdated|obsolete|superseded|deprecated|old version|no longer valid|archived?|"
    r"veraltet|alt(?:e|er)? version)\b|^\s*~~.+~~", re.IGNORECASE)


def outdated(hit: Hit) -> bool:
    """A note its writer marked as replaced: "OUTDATED" or "obsolete" in its title or file
    name, or a title struck through (~~Plan v1~~)."""
    return bool(_OUTDATED.search(hit.title or "") or _OUTDATED.search(hit.path.rsplit("/", 1)[-1]
                .replace("-", " ").replace("_", " ")))


def clipped(hit: Hit) -> bool:
    """A page saved from the web (forum threads, articles), not the person's own note."""
    if hit.kind != "note":
        return False
    marks = len(_CLIPPED.findall(hit.text)) + len(_CLIPPED.findall(hit.title or ""))
    marks += bool(re.search(r"clip|forum|thread|reddit|web|saved|article", hit.path.lower()))
    return marks >= 2


class Selector:
    def __init__(
        self,
        phrases: Phrases,
        encode: Callable[[list[str]], np.ndarray],
        frequency: Callable[[str], int] = lambda w: 0,
        size: Callable[[], int] = lambda: 1,
        relative: Callable[[str], frozenset[str]] = lambda w: frozenset(),
    ) -> None:
        self.p = phrases
        self.relative = relative  # "sister" -> the names the user's data gives her
        self.encode = encode
        self.frequency = frequency  # in how many chunks a word occurs
        self.size = size  # how many chunks there are
        self.type_nouns = frozenset(phrases.lemma(w) for w in phrases.value_nouns)

    def _kin(self, word: str) -> frozenset[str]:
        """Every word for the relative ``word`` names, and their names in the user's data."""
        return self.p.kin_of(word) | self.relative(word)

    def _words(self, text: str) -> set[str]:
        found = words(plain(text))
        found += [s for w in found for s in self.p.spellings(w) if s != w]  # "pw": "password"
        return {self.p.lemma(w) for w in found} | set(found) | {canonical(w) for w in found}

    def weights(self, focus: list[str], names: set[str], forms: dict[str, str] | None = None
                ) -> dict[str, float]:
        """How much each focus word says: rare words in the index much, common ones little
        (inverse document frequency), names double, words naming the kind of value little."""
        n = max(self.size(), 1)
        forms = forms or {}
        out = {}
        for f in focus:
            weight = 1.0 + math.log((n + 1) / (self.frequency(forms.get(f, f)) + 1))
            if f in names:
                weight *= 2.0
            if f in self.type_nouns:
                weight *= 0.3
            out[f] = weight
        return out

    def _close(self, forms: dict[str, str], texts: list[str], lacking: list[set[str]]
               ) -> list[set[str]]:
        """For each text, the ``lacking`` focus words one of its words means closely (cosine
        of the two words alone >= CLOSE_WORD): "borrow" for "lend", "decide" for "choose".
        Numbers, times (months, weekdays, parts of the day) and short words are left out:
        "monday" is close to "tuesday", "morning" to "evening", and each means another time."""
        def plain_word(w: str) -> bool:
            return w.isalpha() and len(w) >= 3 and w not in self.p.stopwords and (
                canonical(w) not in MONTH_AND_DAY_WORDS) and w not in _PARTS_OF_DAY

        asked = {f: forms.get(f, f) for need in lacking for f in need}
        asked = {f: w for f, w in asked.items() if plain_word(w)}
        said = [{w for w in words(plain(t)) if plain_word(w)} for t in texts]
        vocab = sorted(set(asked.values()) | {w for ws in said for w in ws})
        if not asked or len(vocab) <= len(asked):
            return [set() for _ in texts]
        vecs = dict(zip(vocab, self.encode(vocab), strict=True))
        out = []
        for need, ws in zip(lacking, said, strict=True):
            found = set()
            for f in need:
                if f in asked and ws:
                    q = vecs[asked[f]]
                    if max(float(vecs[w] @ q) for w in ws) >= CLOSE_WORD:
                        found.add(f)
            out.append(found)
        return out

    def _directions(self, text: str) -> dict[str, str]:
        """Places named with a direction: {"lisbon": "towards", "berlin": "away"}."""
        tokens = words(plain(text))
        found: dict[str, str] = {}
        for way, cues in (("towards", self.p.towards), ("away", self.p.away)):
            for _, end in find(tokens, cues):
                if end < len(tokens):
                    found.setdefault(tokens[end], way)
        return found

    def _opposite(self, plan: Plan, text: str) -> bool:
        asked = {k: v for k, v in self._directions(plan.question).items()
                 if k in plan.names or self.p.lemma(k) in plan.focus}
        if not asked:
            return False
        said = self._directions(text)
        return any(said.get(place) not in (None, way) for place, way in asked.items())

    def _label_fit(self, text: str, wanted: set[str]) -> float:
        """A "Label: value" line says what its value is: the share of the label's words that
        are ``wanted`` (the focus words and their lemmas: "Password: …" for "the wifi
        password": 1), or -1 when it names another kind of value ("WiFi name: …", "Total
        rent: …" for "my half of the rent")."""
        m = _LABEL.match(text)
        if not m:
            return 0.0
        label = words(plain(m["label"].rsplit(" — ", 1)[-1]))  # an event's "Title — When:"
        if not label:
            return 0.0
        said = [w for w in label if w not in self.p.stopwords]
        if any(self.p.lemma(w) in self.type_nouns and self.p.lemma(w) not in wanted
               and w not in wanted for w in said):
            return -1.0  # "WiFi name:", "Total rent:" for "my half of the rent"
        held = [w for w in said if self.p.lemma(w) in wanted or w in wanted]
        return len(held) / len(said) if said else 0.0

    def choose(self, plan: Plan, hits: Sequence[Hit], now: datetime | None = None) -> Choice:
        self.p = load(plan.language)
        self.type_nouns = frozenset(self.p.lemma(w) for w in self.p.value_nouns)
        units = statements(hits)
        if not units:
            return Choice("none", ())
        texts = [evidence.without_head(u.text) for u in units]
        # "rent right now": "now" says which value, not what it is about (select_rules)
        timely = {p[0] for p in self.p.change.get("asks_now", ()) if len(p) == 1}
        focus = [canonical(f) for f in plan.focus if f not in self.p.stopwords and f not in timely]
        tense = select_rules.asked_tense(plan, self.p, now)
        names = {plain(n) for n in plan.names}
        typed = plan.answer_type in answer_types.STRICT
        forms = dict(plan.forms)
        weights = self.weights(focus, names, forms)
        shouted = select_rules.acronyms(plan.question)
        sources = [_counts(" ".join((h.title or "", h.text, " ".join(h.senders))), self.p)
                   for h in hits[:MAX_HITS]]
        # names: the question's capitalised words, the people it names, and words the
        # sources write capitalised ("Porto", "Grace"): a statement must be about them
        people = {plain(n) for n in plan.people}
        proper = names | people | _proper_nouns(hits[:MAX_HITS])
        proper |= select_rules.possessors(plan.question, [h.text for h in hits[:MAX_HITS]],
                                          self.p.stopwords, frozenset(self.p.value_nouns))
        if plan.language == "en":  # (German writes every noun capitalised)
            proper |= select_rules.unknown_names(
                [forms.get(f, f) for f in focus] + list(focus),
                [t for h in hits[:MAX_HITS] for t in (h.title or "", h.text) if not _german(t)])
        proper |= {f for f in focus if plain(forms.get(f, f)) in proper
                   or plain(f) in proper}
        asked_words = self._words(plan.question)
        # a place the sources write capitalised says where, and counts as a focus word; a
        # person, a name the question writes capitalised or as an owner must be held
        owners = {plain(w) for w in re.findall(r"(\w+)['’]s\b", plan.question.lower())}
        places = {f for f in focus if f in proper and f not in names and f not in owners
                  and plain(f) not in people
                  and zone_named(forms.get(f, f)) is not None}
        entities = [f for f in focus if f in proper and f not in self.type_nouns]
        wanted = {self.p.lemma(f) for f in focus} | set(focus)  # what a label may name
        attributes = {f: w for f, w in weights.items()
                      if f not in entities and f not in self.type_nouns}

        def holds(words: set[str], f: str) -> bool:  # "father" is held by "Papa"
            return any(_holds(words, k) for k in self._kin(f))

        def share(found: set[str], wanted: dict[str, float], partly: set[str] | None = None
                  ) -> float:
            total = sum(wanted.values())
            if not total:
                return 1.0
            got = sum(w * (1.0 if holds(found, f) else 0.6 if partly and holds(partly, f)
                           else 0.0) for f, w in wanted.items())
            return got / total

        # first the cheap part: words, names, values; then meaning, for the statements
        # that can win (embedding every statement of eight sources is most of a question)
        rows = []
        meant: list[tuple[set[str], dict[str, float]]] = []  # what each statement holds, wants
        for k, (unit, text) in enumerate(zip(units, texts, strict=True)):
            hit = hits[unit.hit]
            own = self._words(text)
            # the statement before, in the same source and section
            same = k > 0 and units[k - 1].hit == unit.hit and units[k - 1].context == unit.context
            line_before = texts[k - 1] if same else ""
            # "my SIN" asked, "sin" in a Spanish sentence: held only if it means the question
            loose = len(select_rules.without_lowercase(own, text, shouted)) < len(own)
            ctx = self._words(unit.context) | self._words(" ".join(hit.senders))
            head = evidence.MESSAGE_HEAD.match(unit.text)
            if head:
                ctx |= self._words(head["sender"])
            source = sources[unit.hit]
            # each name in the statement, its heading or sender, or said again and again in
            # its source ("Porto" all over the booking mail, "Lena" once in Felix's section)
            # ("Dad" is "Papa" in the family chat: kin words stand for each other)
            # a statement that names nobody stands under the line before it ("Stay: 14
            # Richmond Rd, Ponsonby" then "Key lockbox code 0309"); "Ana 0491…" under
            # "Lena 0491…" names its own person
            named = ctx
            if line_before and not (own & proper):
                named = ctx | self._words(line_before)
            said = own | named
            missing = [e for e in entities if not any(
                _holds(said, k) or _holds(said, plain(k))
                or max(source.get(k, 0), source.get(plain(k), 0)) >= 2
                for k in (e, *self._kin(e)))]
            # a place its source does not name is a focus word the statement lacks, not a
            # veto ("policy 0781…" in the cruise note, asked "for the trip to norway")
            names_ok = all(e in places for e in missing)
            lacking = {e: weights[e] for e in missing if e in places}
            cover = share(own, attributes | lacking, ctx)
            around = share(set(source), attributes)
            fits = answer_types.fits(plan.answer_type, text)
            score = 0.35 * cover + 0.2 * around + 0.1 * names_ok
            score += (0.25 if typed and fits else 0.0) + 0.04 / (unit.hit + 1)
            score += 0.1 * answer_types.preferred(plan.answer_type, text)
            if fits or not typed:  # the new value or the current one, as asked
                score += select_rules.tense_bonus(
                    tense, select_rules.stated_tense(text, plan.answer_type, self.p),
                    select_rules.names_month(plan, own))
            if self._opposite(plan, text):
                score -= 0.3  # "my flight to Lisbon" is not the one that leaves Lisbon
            if text.rstrip().endswith("?"):
                score -= 0.15  # a question states nothing
            if plan.mine and clipped(hit):
                score -= 0.15
            if outdated(hit):
                score -= 0.15  # the person marked it as replaced: the newer note wins
            fit = self._label_fit(text, wanted)
            score += 0.05 * fit if fit > 0 else 0.15 * fit
            labelled = select_rules.names_its_value(  # "Total:", "His number is"
                text, own, asked_words, self.type_nouns, self.p.lemma)
            # it names someone the question does not ("who: Tom Brennan; what: Kuba's dad")
            stranger = bool({w for w in own & proper if w not in asked_words})
            rows.append((unit, text, score, cover, fits, names_ok, around, labelled, loose,
                         stranger))
            meant.append((own | ctx, attributes | lacking))
        order = sorted(range(len(rows)), key=lambda i: -rows[i][2])
        chosen = set(order[:EMBEDDED]) | {i for i, u in enumerate(units) if u.hit == 0}
        picked = sorted(chosen)[: EMBEDDED + 8]
        vecs = self.encode([plan.question, *(texts[i] for i in picked)])
        sims = dict(zip(picked, (vecs[1:] @ vecs[0]).tolist(), strict=True))
        # a focus word the statement says in other words ("lend" / "borrow", "choose" /
        # "decide") is held in part, as a heading holds it
        close = self._close(forms, [texts[i] for i in picked],
                            [{f for f in meant[i][1] if not holds(meant[i][0], f)}
                             for i in picked])
        for i, found in zip(picked, close, strict=True):
            if found:
                wanted = meant[i][1]
                extra = CLOSE_CREDIT * sum(wanted[f] for f in found) / sum(wanted.values())
                row = rows[i]
                rows[i] = (*row[:2], row[2] + 0.35 * extra, row[3] + extra, *row[4:])
        scored = []
        for i, (unit, text, score, cover, fits, names_ok, around, labelled, loose,
                stranger) in enumerate(rows):
            sim = sims.get(i, 0.0)
            pending = bool(find(words(text), not_known_cues()))
            scored.append(Scored(unit, score + 0.4 * sim, sim, cover, fits, names_ok, pending,
                                 around, labelled, loose, stranger))
        ranked = tuple(sorted(scored, key=lambda s: -s.score))

        def about(s: Scored) -> bool:
            if not s.names_ok or (s.loose and s.similarity < LOOSE_MEANING):
                return False
            if s.similarity >= CLOSE_MEANING:
                return True
            if s.coverage >= MIN_COVERAGE:
                # half the focus and no value type to check: the statement must also mean
                # something like the question ("blood type" asked, "blood panel" found)
                return typed or s.coverage >= BARE_COVERAGE or s.similarity >= BARE_MEANING
            # a labelled value in a source that is about the question ("Total: €486" in the
            # booking mail of the flat asked about, "His number is ..." after "the plumber
            # can come"); an unlabelled number of that source answers nothing
            return s.source_coverage >= SOURCE_COVERAGE and s.labelled and (
                s.coverage >= 0.2 or (s.similarity >= 0.3 and not s.stranger))

        # a question states nothing ("Lego set for Mia?"): it may be the closest, not the answer
        answers = [s for s in ranked if about(s) and (s.fits or not typed)
                   and not _only_a_question(evidence.without_head(s.unit.text))]

        def held(s: Scored) -> set[str]:
            return self._words(evidence.without_head(s.unit.text))
        if answers:
            # a statement with every focus word and no value ("the admin password is on the
            # sticker") against values that lack one of them ("Password: tangerine…", the
            # wifi's): the data says where the fact is, not the fact
            full = next((s for s in ranked if about(s) and not s.fits
                         and s.coverage >= 0.99), None)
            best = answers[0]
            if best.pending and not (typed and best.fits and answer_types.values(
                    plan.answer_type, evidence.without_head(best.unit.text))):
                # the answer itself says it is not decided ("Todavía no está decidido:
                # birria o pozole"): one that says when it will be says more
                pending = sorted((s for s in answers if s.pending), key=lambda s: not (
                    answer_types.fits("date", evidence.without_head(s.unit.text))))
                return Choice("not_known", tuple(pending[:1]), ranked, weights)
            if typed and full is not None and 0 < best.coverage <= full.coverage - MISSING and (
                    full.score >= best.score - 0.15) and not _heading_of(full, best) and (
                    not select_rules.value_elsewhere(full, answers, held, attributes, _holds)):
                return Choice("not_known", (full,), ranked, weights)
            return Choice("answer", tuple(answers), ranked, weights)
        # of the statements saying it is not known yet, one that says when it will be
        # ("the heat schedule comes out June 10") says more than "Heat times: TBD"
        pending = sorted((s for s in ranked if about(s) and s.pending), key=lambda s: not (
            answer_types.fits("date", evidence.without_head(s.unit.text))))
        if pending:
            return Choice("not_known", tuple(pending[:1]), ranked, weights)
        near = [s for s in ranked if about(s)]
        if near:
            return Choice("partial", tuple(near[:1]), ranked, weights)
        return Choice("none", (), ranked, weights)


def _heading_of(heading: Scored, statement: Scored) -> bool:
    """``heading`` is the title or heading ``statement`` stands under ("bins - grove road"
    over "general waste: every TUESDAY"), or a line as short as one: the statement is
    about all it names."""
    head = " ".join(evidence.without_head(heading.unit.text).split()).lower()
    if len(head.split()) < 5:  # a title line ("bins - grove road") states nothing
        return True
    return head in " ".join(statement.unit.context.split()).lower()


def _counts(text: str, phrases: Phrases) -> dict[str, int]:
    """How often each word (and its lemma) occurs in ``text``."""
    out: dict[str, int] = {}
    for w in words(plain(text)):
        for form in {w, phrases.lemma(w), *phrases.spellings(w)}:  # "acct": "account"
            out[form] = out.get(form, 0) + 1
    return out


_MID_CAPITAL = re.compile(r"(?<=[\w,;)] )([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)")


def _proper_nouns(hits: Sequence[Hit]) -> set[str]:
    """Words the sources write capitalised inside sentences and never in lower case: names
    of people and places ("Grace", "Porto"), whatever case the question used."""
    upper: set[str] = set()
    lower: set[str] = set()
    for hit in hits:
        found = re.findall(r"\b[a-zà-öø-ÿ]+\b", hit.text)
        lower.update(found)
        if _german(hit.text):
            continue  # German writes every noun capitalised: no sign of a name
        upper.update(plain(m) for m in _MID_CAPITAL.findall(hit.text))
    return {w for w in upper - lower - MONTH_AND_DAY_WORDS if len(w) > 2}  # "March" is no one


def _only_a_question(text: str) -> bool:
    """ "Lego set for Mia?" asks; "Her birthday is on 9 December. What are you giving
    her?" states before it asks."""
    body = text.strip()
    return body.endswith("?") and not re.search(r"[.!?:;]\s+\S", body[:-1])


@cache
def not_known_cues() -> tuple[tuple[str, ...], ...]:
    """What says a fact is not known yet, in every language of the phrase tables: notes
    are often in another language than the question ("Todavía no está decidido")."""
    from assistant.phrases import LANGUAGES

    return tuple(dict.fromkeys(c for lang in LANGUAGES for c in load(lang).not_known))


@cache
def _german_words() -> frozenset[str]:
    return load("de").stopwords - load("en").stopwords


def _german(text: str) -> bool:
    """Mostly German: every noun capitalised, so capitals are no sign of a name."""
    german = _german_words()
    found = re.findall(r"\b[a-zà-öø-ÿ]+\b", text)
    return sum(w in german for w in found) > max(3, len(found) // 10)


def _holds(found: set[str], word: str) -> bool:
    """``word`` is in ``found``, or one starts the other (5+ letters: "physio" /
    "physiotherapy"), or they share a long stem ("allergic" / "allergy")."""
    if word in found:
        return True
    if len(word) >= 4 and word[-1] in "iy" and word[:-1] + "iy"[word[-1] == "i"] in found:
        return True  # "hoodies" -> "hoody", "hoodie" -> "hoodi": one word
    if len(word) < 5:
        return False
    return any(w.startswith(word) or (len(w) >= 5 and word.startswith(w))
               or _stem_shared(w, word) or _spelt_otherwise(w, word) for w in found)


def _spelt_otherwise(a: str, b: str) -> bool:
    """ "meniscus" / "Meniskus", "theatre" / "theater": one letter apart in a long word
    (7+ letters, same start)."""
    return (min(len(a), len(b)) >= 7 and a[:3] == b[:3] and abs(len(a) - len(b)) <= 1
            and edit_distance(a, b, 1) <= 1)


def _stem_shared(a: str, b: str) -> bool:
    """ "allergic" / "allergy": six letters or more in common at the start, most of each."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 6 and n >= 0.75 * min(len(a), len(b))


def trim(unit: str, plan: Plan, phrases: Phrases, limit: int = 28,
         weights: dict[str, float] | None = None) -> str:
    """The part of a long statement that states the fact: the clause holding the asked
    value and the most focus words (a statement of up to ``limit`` words stays whole)."""
    head_match = evidence.MESSAGE_HEAD.match(unit)
    head = head_match.group(0) if head_match else ""
    body = unit[len(head):]
    if len(body.split()) <= limit:
        return unit
    clauses = [c.strip() for c in re.split(r"(?<=;)\s+|(?<=[.!?])\s+(?=[A-Z])", body) if c.strip()]
    if len(clauses) < 2:
        return unit
    weight = weights or dict.fromkeys(plan.focus, 1.0)

    def rank(clause: str) -> tuple[bool, float]:
        found = {phrases.lemma(w) for w in words(plain(clause))}
        return (answer_types.fits(plan.answer_type, clause),
                sum(w for f, w in weight.items() if f in found))

    best = max(range(len(clauses)), key=lambda i: rank(clauses[i]))
    return head + clauses[best].rstrip(";")
