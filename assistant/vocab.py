"""What the user's own data names: event titles, places, people and senders, and matching a
question's words against them (the run-time slot lists of the planner)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from assistant.phrases import LANGUAGES, Phrases, load
from assistant.store import Store
from assistant.zones import zone_city

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def plain(text: str) -> str:
    """Lower case without accents: "Inês" and "ines" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def plain_words(text: str) -> list[str]:
    """Words of a title or name: without accents and possessive 's; "1:1" is "oneonone" and
    a hyphenated word is there whole as well ("stand-up" gives stand, up and standup)."""
    from assistant.plan import one_on_one

    text = one_on_one(plain(text)).replace("'s ", " ").replace("’s ", " ")
    found = re.findall(r"\w+", text) + emoji_words(text)
    found += [m.replace("-", "") for m in re.findall(r"\w+(?:-\w+)+", text)]
    if _CJK.search(text):  # "看牙医" -> 看, 牙医: split as questions are (phrases.words)
        from assistant.tokens import cjk_words

        found = [p for w in found for p in (cjk_words(w) if _CJK.search(w) else (w,))]
    return found


def emoji_words(text: str) -> list[str]:
    """The words of the pictures in a title: "Kathi 🎂" is Kathi's birthday cake,
    "Hurtigruten 🚢" a ship (their Unicode names, lower case), "Manchester 🇬🇧" is in
    Britain (a flag's country, from the time zone database's country table)."""
    out: list[str] = []
    letters = ""
    for ch in text:
        name = unicodedata.name(ch, "") if unicodedata.category(ch) == "So" else ""
        if name.startswith("REGIONAL INDICATOR SYMBOL LETTER "):  # two make a flag
            letters += name[-1]
            if len(letters) == 2:
                out += _country_words(letters)
                letters = ""
        elif name:
            out += name.lower().split()
    return [w for w in out if w not in _EMOJI_NOISE]


# what people call a country besides its name in the table ("Britain (UK)")
_ALSO_CALLED = {"GB": "england scotland wales", "US": "usa america states",
                "NL": "holland", "CZ": "czechia", "AE": "emirates"}


_COUNTRY_NOISE = frozenset("united republic the of and islands island st saint democratic "
                           "federated people s rep".split())


@cache
def _country_words(code: str) -> list[str]:
    """ "GB" -> ["britain", "uk", "england", ...]: the words of the country a flag shows."""
    from importlib import resources

    try:
        table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        try:
            with open("/usr/share/zoneinfo/iso3166.tab", encoding="utf-8") as f:
                table = f.read()
        except OSError:
            return []
    for line in table.splitlines():
        if line.startswith(code + "\t"):
            name = line.split("\t", 1)[1]
            return [w for w in re.findall(r"\w+", plain(name)) if w not in _COUNTRY_NOISE] + (
                _ALSO_CALLED.get(code, "").split())
    return []


# words of Unicode picture names that name no thing
_EMOJI_NOISE = frozenset(
    "with sign symbol black white heavy multiple face of the and notes".split())

_ARROW = re.compile(r"([\w .'-]+?)\s*(?:→|->|=>|➔)\s*([\w .'-]+)")


def directions(text: str, phrases: Phrases) -> dict[str, str]:
    """Places named with a direction: {"lisbon": "towards", "berlin": "away"} ("flight to
    Lisbon", "leaves Berlin", "Berlin → Lisbon", "back from Porto")."""
    found: dict[str, str] = {}
    for m in _ARROW.finditer(plain(text)):
        for word in m.group(1).split()[-2:]:
            found.setdefault(word, "away")
        for word in m.group(2).split()[:2]:
            found.setdefault(word, "towards")
    tokens = re.findall(r"\w+", plain(text))
    from assistant.phrases import find

    for way, cues in (("away", phrases.away), ("towards", phrases.towards)):
        for _, end in find(tokens, cues):
            if end < len(tokens):
                found.setdefault(tokens[end], way)
    return found


def directed(matches: list[EventMatch], question: str, phrases: Phrases) -> list[EventMatch]:
    """Matches without the events that go the other way: "the flight back from Porto" is
    not "Flight to Porto"."""
    asked = directions(question, phrases)
    if not asked or len(matches) < 2:
        return matches
    asked |= {city: way for place, way in asked.items()  # "from Poland": from Warsaw
              if (city := zone_city(place)) is not None}
    kept = []
    for m in matches:
        said = directions(m.entry.title, phrases)
        if not any(said.get(place) not in (None, way) for place, way in asked.items()):
            kept.append(m)
    return kept or matches


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), cut at ``limit`` + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def similar(word: str, other: str) -> bool:
    """Does the question's ``word`` name the title's ``other``? Equal; an abbreviation of it
    (4+ letters: "physio" for "physiotherapy"); the same with an ending ("reviews" for
    "review", not "northline" for "north"); the last part of a compound (5+ letters:
    "theatre" for "Burgtheater"); or one typo apart (6+ letters: "porto" is no typo of
    "porte")."""
    if word == other:
        return True
    if len(word) >= 4 and other.startswith(word):
        return True
    if len(other) >= 4 and word.startswith(other) and len(word) - len(other) <= 2:
        return True
    if len(word) >= 5 and len(other) >= len(word) + 3 and (other.endswith(word) or (
            len(word) >= 7 and edit_distance(word, other[-len(word):], 1) <= 1)):
        return True  # the head of a compound: "theatre" in "Burgtheater" ("bring" in no
        # "steering")
    return min(len(word), len(other)) >= 6 and edit_distance(word, other, 1) <= 1


def is_person(name: str) -> bool:
    """A name that can be a person's: no digits, no address, no organisation word
    ("People Team" is a mailbox, "Mark Delaney" a person)."""
    if not name or any(ch.isdigit() or ch == "@" for ch in name):
        return False
    org = frozenset().union(*(load(lang).organisations for lang in LANGUAGES))
    return not any(w in org for w in plain_words(name))


# The organiser is one of the people of a meeting ("the call with Mark" he set up).
_ORGANIZER = re.compile(r'^ORGANIZER[^:\n]*?CN="?([^";:\r\n]+)', re.MULTILINE)

# How much a word found in each field of an event says that the question means it.
FIELD_WEIGHT = {"title": 1.0, "people": 0.9, "location": 0.8, "description": 0.4}


@dataclass(frozen=True)
class EventEntry:
    event_id: int
    uid: str
    path: str
    title: str
    location: str | None
    attendees: tuple[str, ...]
    fields: dict[str, frozenset[str]]  # field -> its plain words
    multi_day: bool = False  # all-day or a day long or more: a period ("during the trip")
    cancelled: bool = False  # kept only to say it was cancelled
    all_day: bool = False


@dataclass(frozen=True)
class EventMatch:
    entry: EventEntry
    score: float  # mean field weight over the words matched
    matched: frozenset[str]


@dataclass
class Vocabulary:
    events: list[EventEntry] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    people: frozenset[str] = frozenset()  # name words of senders and attendees
    words: frozenset[str] = frozenset()  # every word of titles, places and people
    # a word for a relative -> the names the user's data gives them ("sister" -> "ewa")
    relatives: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store) -> Vocabulary:
        events = []
        people: set[str] = set()
        rows = store.db.execute(
            "SELECT e.id, e.uid, d.path, e.title, e.location, e.attendees, e.description, "
            "e.all_day, e.ics, e.cancelled, (SELECT max(o.end_at - o.start_at) FROM occurrences o "
            "WHERE o.event_id = e.id) "
            "FROM events e JOIN documents d ON d.id = e.doc_id"
        ).fetchall()
        for event_id, uid, path, title, location, attendees, description, all_day, ics, \
                cancelled, longest in rows:
            names = tuple(json.loads(attendees or "[]")) + tuple(
                n.strip() for n in _ORGANIZER.findall(ics or "") if n.strip())
            fields = {
                "title": frozenset(plain_words(title)),
                "people": frozenset(w for n in names for w in plain_words(n)),
                "location": frozenset(plain_words(location or "")),
                "description": frozenset(plain_words(description or "")),
            }
            people.update(w for n in names if is_person(n) for w in plain_words(n))
            long = bool(all_day) or (longest or 0) >= 20 * 3600
            events.append(EventEntry(event_id, uid, path, title, location, names, fields, long,
                                     bool(cancelled), bool(all_day)))
        senders = store.senders()
        for sender in senders:
            if is_person(sender):
                people.update(w for w in plain_words(sender) if len(w) >= 3)
        vocabulary = {w for e in events for f in ("title", "people", "location") for w in e.fields[f]}
        from assistant import relatives

        kin = {word: names for key, names in relatives.from_store(store).items()
               for word in relatives.groups()[key]}
        return cls(events, senders, frozenset(people), frozenset(vocabulary | people), kin)

    def relative(self, word: str) -> frozenset[str]:
        """The names of the relative ``word`` names ("my sister" -> "ewa"), if the data says."""
        return self.relatives.get(re.sub(r"['’]s$", "", plain(word)), frozenset())

    def match_events(
        self, wanted: Iterable[str], phrases: Phrases, *, soft: Iterable[str] = ()
    ) -> list[EventMatch]:
        """Events whose title, people or place hold every word of ``wanted``; ``soft`` words
        add to the score when found but are not required ("appointment" in "dentist
        appointment")."""
        needed = [plain(w) for w in wanted]
        extra = [plain(w) for w in soft]
        if not needed:
            return []
        # the description is not searched: "oral exam" in the notes of the written exam
        # names another event, not this one
        for fields in (("title", "people", "location"),):
            found = []
            for entry in self.events:
                weights = [_best(w, entry, fields, phrases, self.relative(w)) for w in needed]
                if min(weights) <= 0:
                    continue
                bonus = [_best(w, entry, fields, phrases, self.relative(w)) for w in extra]
                score = (sum(weights) + 0.5 * sum(bonus)) / (len(needed) + 0.5 * len(extra))
                found.append(EventMatch(entry, score, frozenset(needed)))
            if found:
                top = max(m.score for m in found)
                # one word in another field than the best's title: "Kathi's birthday" is
                # "Kathi 🎂", not "Lena's birthday party" held at Kathi's
                return sorted((m for m in found if m.score > top - 0.1),
                              key=lambda m: -m.score)
        return []

    def loose_events(
        self, wanted: Sequence[str], phrases: Phrases, related: Callable[[str, list[str]], bool],
        soft: Sequence[str] = (),
    ) -> list[EventMatch]:
        """Events that hold most of ``wanted`` (at least half of the words, and at least
        one), when each word they lack is written next to the event's other title words
        somewhere in the user's data ("podcast recording": "recording" is in "Dirt & Dough
        – recording", and the notes write "podcast" beside "Dirt & Dough"). Only one title
        may fit; two different ones are no answer."""
        needed = [plain(w) for w in wanted]
        extra = [plain(w) for w in soft]  # "class" in "the conversation class" counts if held
        best: list[EventMatch] = []
        most = 0
        for entry in self.events:
            # the title must hold as many of the question's own words as are lacking
            named = [w for w in needed
                     if _best(w, entry, ("title",), phrases, self.relative(w)) > 0]
            lacking = [w for w in needed if _best(w, entry, ("title", "people", "location"),
                                                  phrases, self.relative(w)) <= 0]
            held = named + [w for w in extra
                            if _best(w, entry, ("title",), phrases, self.relative(w)) > 0]
            if not named or not lacking or len(named) < len(lacking) or len(held) < most:
                continue
            if any(w in self.people or len(phrases.kin_of(w)) > 1 or self.relative(w)
                   for w in lacking):
                continue  # "when does Felix arrive for Easter": Felix's arrival is no event's,
                # "calling mum" no show's "FOH call"
            if all(w in self.people or self.relative(w) for w in named):
                continue  # "when is my sister coming over": her call is no visit of hers
            # "oral" in the written exam's description names another event, not this one
            if any(w in entry.fields["description"] for w in lacking):
                continue
            others = [w for w in entry.fields["title"] if len(w) > 2 and not any(
                similar(h, w) or w in self.relative(h) for h in held)]
            if not others or not all(related(w, others) for w in lacking):
                continue
            match = EventMatch(entry, len(held) / (len(needed) + len(extra)), frozenset(held))
            best = [*best, match] if len(held) == most else [match]
            most = len(held)
        if len({m.entry.title for m in best}) != 1:
            return []
        return best


def _abbreviates(short: str, word: str) -> bool:
    """A title's short form of the question's word: "chem" for "chemistry", "admin" for
    "administration" (4+ letters, at most half the word)."""
    return len(short) >= 4 and len(word) >= 2 * len(short) and word.startswith(short)


@cache
def _also(word: str, language: str) -> frozenset[str]:
    """Title words that name what ``word`` names: "mum" names "Ligar à Mãe" (a word for a
    relative names every word for them), "bday" names "Sam's birthday" (a short form names
    its word), "Poland" names "Flight to Warsaw" (a country its zone's city). Asked once
    per word, not once per event."""
    phrases = load(language)
    bare = re.sub(r"['’]s$", "", word)  # "mum's call"
    kin = {plain(k) for k in phrases.kin_of(bare) | phrases.spellings(bare)} - {word, bare}
    # "dinner at Basia's" names "Kolacja u Basi" (one word per language's entry kind)
    kin |= {plain(k) for k in load("en").same_as(bare) if " " not in k} - {word, bare}
    city = zone_city(bare)
    if city and " " not in city:
        kin.add(city)
    return frozenset(kin)


def _best(word: str, entry: EventEntry, fields: tuple[str, ...], phrases: Phrases,
          named: frozenset[str] = frozenset()) -> float:
    base = phrases.lemma(word)
    kin = _also(word, phrases.language) | named
    best = 0.0
    for name in fields:
        weight = FIELD_WEIGHT[name]
        if weight <= best:
            continue
        if any(similar(base, phrases.lemma(w)) or similar(word, w) or w in kin
               or any(len(k) >= 4 and similar(k, w) for k in kin)  # "probe": "Chorprobe"
               or _abbreviates(w, word) for w in entry.fields[name]):
            best = weight
    return best
