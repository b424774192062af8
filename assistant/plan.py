"""Question -> Plan: the one place that reads a question.

A plan names the route (calendar agenda / free / event lookup, message listing, text
search) and the slots the route needs: the time window, a time zone asked for, the
events and people named, the answer type and the focus words. Phrasings are data
(assistant/phrases/<lang>.toml); events and people come from the user's own index
(assistant/vocab.py), so "When do I see Ada next?" and "When do I next see Ada?" are
one question because both name Ada, who is on the calendar, and ask "when".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from assistant import phrases as ph
from assistant.phrases import Phrases, words
from assistant.timeparse import MONTH_AND_DAY_NAMES, MONTHS, Window, find_windows
from assistant.timewords import to_english
from assistant.vocab import (
    EventMatch,
    Vocabulary,
    directed,
    edit_distance,
    plain,
    similar,
)
from assistant.zones import longest_zone_suffix, zone_named

Route = Literal["invalid", "agenda", "free", "event", "search"]
EventMode = Literal["next", "last", "first", "window", "remaining", "status", "final"]

MAX_QUESTION = 2000  # characters read; a longer question is cut (and said so)
# Answer types whose value can be checked in a sentence (assistant/answer_types.py).
TYPED = ("phone", "email", "amount", "count", "duration", "time", "date", "temperature", "code")
# Precedence when two answer types have equally long cues: the more specific first.
TYPE_ORDER = ("phone", "email", "code", "temperature", "amount", "count", "duration", "time",
              "date", "place", "person")
AUX = frozenset("is are am was were do does did can could will would should shall has have had "
                "ist sind hat habe".split())
WH = frozenset("what what's whats which who who's whom whose when when's where where's why how "
               "wann wo was wer wie welche welcher welches".split())


@dataclass(frozen=True)
class Plan:
    question: str  # as asked (trimmed)
    text: str  # lower case, spelling mended: what the rules read
    route: Route
    problem: str | None = None  # why the question cannot be read (route "invalid")
    window: Window | None = None  # the time the question names, read forward (calendar)
    window_text: str | None = None
    explicit_date: bool = False  # the window names a date ("on 3 Dec"), not "next week"
    zone: ZoneInfo | None = None  # "in New York time"
    zone_name: str | None = None
    events: tuple[EventMatch, ...] = ()  # calendar events the question is about, best first
    event_mode: EventMode = "next"
    during: tuple[EventMatch, ...] = ()  # "during <event>": the window is that event
    after: tuple[EventMatch, ...] = ()  # "once I'm back from <event>": from its end on
    weekday_asked: bool = False
    rest_only: bool = False  # "what's left today": from now on
    min_length: timedelta = timedelta(minutes=30)
    busy_wording: bool = False
    answer_type: str = "other"
    focus: tuple[str, ...] = ()  # lemmas of the words the answer must be about
    names: tuple[str, ...] = ()  # proper names in the question (weigh double in evidence)
    people: tuple[str, ...] = ()  # known people it names: evidence must mention them
    mine: bool = False  # "my recipe": the person's own notes over clipped pages
    senders: tuple[str, ...] = ()  # known senders named in a question about what they said
    said: bool = False  # the question asks what someone said / wrote / sent
    notes: tuple[str, ...] = field(default=())  # what the planner noticed (for --json, tests)
    language: str = "en"  # the language the question is written in
    forms: tuple[tuple[str, str], ...] = ()  # focus lemma -> the word as asked


_CONTRACTED = re.compile(r"\b(what|when|where|who|how|that|it|there|here|time|which|who)'s\b")
_UNAPOSTROPHISED = re.compile(r"\b(what|when|where|who|how|that)s\b")


def normalise(question: str) -> str:
    """Lower case, straight quotes, "what's" -> "what is", "1:1" -> "oneonone", no end
    punctuation."""
    q = question.lower().replace("’", "'").replace("‘", "'").replace("–", "-")
    q = re.sub(r"\s+", " ", q).strip()
    q = _CONTRACTED.sub(r"\1 is", q)
    q = _UNAPOSTROPHISED.sub(r"\1 is", q)
    q = re.sub(r"\b(what|who|where|when|how|i|we|you|they|should|would|could)'ve\b", r"\1 have", q)
    q = one_on_one(q)
    return re.sub(r"[?!.,;:]+$", "", q).strip()


def write_out(text: str, p: ph.Phrases) -> str:
    """Short forms written out ("monthly mortgage amt" -> "monthly mortgage amount",
    "next physio appt" -> "next physio appointment"), from the language's [short] table."""
    table = p.written_out
    if not table:
        return text
    return re.sub(r"[\w']+", lambda m: table.get(m.group(0), m.group(0)), text)


def one_on_one(text: str) -> str:
    """ "1:1", "1-1", "1on1", "one on one" as one word, in questions and titles alike."""
    return re.sub(r"(?<![\w:])(?:1\s?[:/-]\s?1|1on1|one[- ]on[- ]one)(?![\w:])", "oneonone", text,
                  flags=re.IGNORECASE)


def mend_spelling(text: str, vocabulary: frozenset[str], known: Callable[[str], bool]) -> str:
    """Misspelt question words mended towards the planner's own vocabulary ("calender",
    "tommorow", "wensday"): a word of 5+ letters that is not a known word, within one edit
    (two from 7 letters) of exactly one vocabulary word with the same first letter. A word
    found in the user's data
    is never changed: "match" stays "match" even though "march" is one letter away; nor
    is an English word ("staying" is not a misspelt "starting")."""
    english = ph.english_words()

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        if len(word) < 5 or word in vocabulary or not word.isalpha() or word in english:
            return word
        limit = 1 if len(word) < 7 else 2
        # a slip keeps the first letter: "tommorow", "calender", "wensday" ("plumber" is no
        # misspelt "number")
        close = [(edit_distance(word, v, limit), v) for v in vocabulary if v[:1] == word[:1]]
        close = [(d, v) for d, v in close if d <= limit]
        if not close:
            return word
        best = min(d for d, _ in close)
        winners = [v for d, v in close if d == best]
        if len(winners) != 1 or known(word):
            return word
        return winners[0]

    return re.sub(r"[a-z]+", fix, text)


_ABBREVIATIONS = ("utc", "gmt", "bst", "cet", "cest", "est", "edt", "pst", "pdt", "cst", "cdt",
                  "mst", "mdt", "ist", "jst", "aest", "et", "pt")


def _zone_asked(text: str) -> tuple[str, ZoneInfo, str] | None:
    """ "... in New York time", "... UK time?", "in EST": (text without it, zone, name)."""
    for m in re.finditer(r"\btime\b", text):
        before = text[: m.start()].split()
        found = longest_zone_suffix(before)
        if found:
            n, zone = found
            name = " ".join(before[-n:])
            head = before[:-n]
            while head and head[-1] in ("in", "at", "the", "by"):
                head = head[:-1]
            return " ".join([*head, text[m.end():].strip()]).strip(), zone, name
    m = re.search(r"\b(?:in|at)\s+([a-z]{2,4})$", text)  # "... at 10 in EST"
    if m and m.group(1) in _ABBREVIATIONS:
        zone = zone_named(m.group(1))
        if zone:
            return text[: m.start()].strip(), zone, m.group(1)
    return None


def answer_type(tokens: list[str], p: Phrases) -> str:
    """The kind of value asked for: the longest cue wins, then the order of TYPE_ORDER. A
    bare question word after an earlier cue opens a clause and asks nothing: "who offered
    me their massage gun when I hurt my leg" asks a person."""
    found = [(a, b, kind) for kind, cues in p.answer_types.items()
             for a, b in ph.find(tokens, cues)]
    if found:
        first = min(a for a, _, _ in found)
        asked = [(a, b, kind) for a, b, kind in found
                 if not (a > first and b - a == 1 and tokens[a] in WH)]
        return max(asked, key=lambda m: (
            m[1] - m[0], -TYPE_ORDER.index(m[2]) if m[2] in TYPE_ORDER else -99, m[2]))[2]
    if tokens and tokens[0] in AUX:
        return "yes_no"
    return "other"


_MONTHS_AND_DAYS = MONTH_AND_DAY_NAMES | {m[:3] for m in MONTHS}
_FIRST_PERSON = frozenset("i we me us i'm we're ich wir mich uns я мы меня нас 我 我们".split())

# Words that put a question in the past: a bare day or date in it is the one gone by.
_PAST = frozenset("did was were had went said wrote sent told asked ago yesterday".split())


def _companions(tokens: list[str]) -> list[str]:
    """Who goes along with the person asking: "Georg and I", "me and Georg"."""
    out = []
    for i, t in enumerate(tokens):
        if tokens[i + 1:i + 3] in (["and", "i"], ["and", "me"], ["&", "i"]) or (
                i >= 2 and tokens[i - 2:i] in (["me", "and"], ["i", "and"])):
            out.append(t)
    return [t for t in out if t not in _FIRST_PERSON and t not in WH and t not in AUX]


_BACK = frozenset("i we i'm we're am are get got come came return fly back home".split())


def _after(tokens: list[str]) -> tuple[int, int] | None:
    """Where "after <event>" or "once / when / after I'm back from <event>" stands: the
    span of the words before the event's name."""
    for i, t in enumerate(tokens):
        if t not in ("after", "once", "when") or i == 0:
            continue
        j = i + 1
        while j < len(tokens) and j - i <= 4 and tokens[j] in _BACK:
            j += 1
        if j < len(tokens) and tokens[j] == "from" and j > i + 1:
            return i, j + 1
        if t == "after" and j == i + 1:
            return i, i + 1
    return None


def _drop(tokens: list[str], spans: list[tuple[int, int]]) -> list[str]:
    gone = {i for a, b in spans for i in range(a, b)}
    return [t for i, t in enumerate(tokens) if i not in gone]


class Planner:
    """Reads questions against one user's vocabulary (their events, people, senders)."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        tz: ZoneInfo,
        known: Callable[[str], bool] = lambda w: False,
        language: str = "en",
        related: Callable[[str, list[str]], bool] = lambda w, others: False,
    ) -> None:
        self.vocab = vocabulary
        self.tz = tz
        self.known = known  # is this word in the user's index? (protects it from mending)
        self.related = related  # does the user's data write a word next to one of others?
        self.p = ph.load(language)  # the default language
        # the words a misspelling is mended towards, per language
        self._mendable = {lang: ph.load(lang).vocabulary() | _time_words()
                          for lang in ph.LANGUAGES}

    @classmethod
    def for_store(cls, searcher: Any, tz: ZoneInfo, language: str = "en") -> Planner:
        """A planner over what ``searcher``'s store holds (its events, people and words)."""
        return cls(Vocabulary.from_store(searcher.store), tz,
                   known=lambda w: searcher.document_frequency(w) > 0, language=language,
                   related=searcher.together)

    def topic(self, plan: Plan) -> set[str]:
        """What a question about messages asks about once its filters, question words,
        verbs of saying and the sender's name are gone ("What did Mum write" -> nothing)."""
        p = ph.load(plan.language)
        names = {w for s in plan.senders for w in re.findall(r"\w+", plain(s))}
        window = set(words(plan.window_text or ""))
        return {f for f in plan.focus if len(f) >= 3 and f not in p.said
                and plain(f) not in names and f not in window and f not in p.chatter
                and p.lemma(f) not in {p.lemma(s) for s in p.said}}

    def plan(self, question: str, now: datetime) -> Plan:
        asked = question.strip()
        if not asked:
            return Plan(question, "", "invalid", problem="the question is empty")
        if not re.search(r"\w", asked):
            return Plan(asked, "", "invalid", problem="the question has no words in it")
        notes: list[str] = []
        if len(asked) > MAX_QUESTION:
            asked = asked[:MAX_QUESTION]
            notes.append(f"only the first {MAX_QUESTION} characters of the question were read")
        text = normalise(asked)
        # function words are rarely misspelt
        p = ph.load(ph.detect(words(text), self.p.language, ph.capitalised(asked)))
        if p.language != "en":  # "nächsten Dienstag", "下周三": read by the one exact grammar
            text = to_english(text, p.language)
        else:  # "while im away": "im" is "i'm" in English (and "in dem" only in German)
            text = re.sub(r"\bim\b", "i'm", text)
        text = write_out(text, p)
        text = mend_spelling(text, self._mendable[p.language] | self.vocab.words, self.known)

        zone = _zone_asked(text)
        zone_name = None
        if zone:
            text_nz, tz_asked, zone_name = zone
        else:
            text_nz, tz_asked = text, None

        # "what did we eat on Sunday" is the Sunday gone, "what's on Sunday" the next one
        past = p.language == "en" and bool(set(words(text_nz)) & _PAST)
        windows = find_windows(text_nz, now, self.tz, prefer="past" if past else "future")
        window = window_text = None
        explicit = False
        rest = text_nz
        if windows:
            # an explicit date wins over a vague phrase ("last week ... on 6 November")
            chosen = next((w for w in windows if w[0].day is not None), windows[0])
            window, (a, b) = chosen
            window_text = text_nz[a:b]
            explicit = chosen[0].day is not None
            for _, (a, b) in sorted((w for w in windows), key=lambda w: -w[1][0]):
                rest = rest[:a] + " " + rest[b:]
        tokens = words(rest)
        for a, b in ph.find(tokens[:4], p.calendar["commands"])[:1]:
            if a == 0:
                tokens = tokens[b:]  # "show me my agenda": the command names no topic
        all_tokens = words(text)
        kind = answer_type(words(text_nz), p)
        cal = p.calendar

        # "during <event>": what follows names the period, not the event asked about
        during: tuple[EventMatch, ...] = ()
        dspans = ph.find(tokens, cal["during"])
        if dspans:
            a, b = dspans[0]
            during = self._period(tokens[b:], p)
            if during:
                tokens = tokens[:a]
        # "once I'm back from <event>", "after <event>": what is asked comes after it ends
        after: tuple[EventMatch, ...] = ()
        aspan = _after(tokens) if p.language == "en" and not during else None
        if aspan:
            a, b = aspan
            after = self._period(tokens[b:], p)
            if after:
                tokens = tokens[:a]

        weekday = ph.has(tokens, cal["weekday"])
        spans = {name: ph.find(tokens, cal[name]) for name in
                 ("free", "next", "remaining", "status", "agenda", "generic", "verbs", "weekday",
                  "deadline", "soft", "first", "kinds")}
        type_spans = [s for cues in p.answer_types.values() for s in ph.find(tokens, cues)]
        # "what time for me": the question phrase, not "time for" (free time)
        spans["free"] = [(a, b) for a, b in spans["free"]
                         if not any(a < y and x < b for x, y in type_spans)]
        said_words = [t for t in tokens if t in p.said]
        mine = any(t in p.mine for t in all_tokens)

        # the words left once every cue, stopword and time phrase is gone: what the question
        # is about. Empty means "my calendar" itself.
        cue_spans = [s for name in ("free", "next", "remaining", "status", "agenda", "verbs",
                                    "weekday", "first") for s in spans[name]]
        soft_spans = spans["generic"] + spans["soft"] + spans["kinds"]
        content = [t for t in _drop(tokens, cue_spans + type_spans + soft_spans)
                   if t not in p.stopwords and not any(c.isdigit() for c in t) and len(t) > 1
                   and t not in WH and t not in AUX]
        generic = [tokens[a] for a, b in soft_spans for _ in range(b - a)]
        # "are Georg and I still going to the theatre": who goes along names no event
        along = _companions(tokens)
        if along and len(along) < len(content):
            content = [t for t in content if t not in along]
            generic += along
        # "the june unit council": a month or day that is no time phrase qualifies the
        # event ("Unit Council", in June); it is not a word of its title
        timely = [t for t in content if plain(t) in _MONTHS_AND_DAYS]
        if timely and len(timely) < len(content):
            content = [t for t in content if t not in timely]
            generic += timely
            month = next((t for t in timely if plain(t) in MONTHS), None)
            if window is None and month is not None:  # ... and the month is when
                found = find_windows(f"in {month}", now, self.tz,
                                     prefer="past" if past else "future")
                if found:
                    window, window_text = found[0][0], month
        self._forms: dict[str, str] = {}
        focus = self._focus(words(text_nz), window_text, p)
        names = self._names(asked, all_tokens, p)
        people = tuple(n for n in names if n in self.vocab.people)
        senders = self._senders(tokens, said_words, p)

        base = dict(question=asked, text=text, window=window, window_text=window_text,
                    explicit_date=explicit, zone=tz_asked, zone_name=zone_name, during=during,
                    after=after, people=people,
                    weekday_asked=weekday, rest_only=bool(spans["remaining"]), answer_type=kind, focus=focus, names=names,
                    mine=mine, senders=senders, said=bool(said_words), notes=tuple(notes),
                    language=p.language, forms=tuple(self._forms.items()))

        # 1. what someone said: messages, never the calendar
        if said_words and (senders or not self._event_shaped(kind, spans)):
            return Plan(route="search", **base)

        # 2. free time
        # "am I free for coffee ...": the person's own time, whatever it is for; "is the
        # museum free on Sundays?" is about something else
        own_time = any(t in _FIRST_PERSON for t in tokens)
        if spans["free"] and (own_time or not self._about_other_things(content, p)):
            length = _length(text_nz)
            busy = any(tokens[a] == "busy" for a, _ in spans["free"])
            return Plan(route="free", min_length=length or timedelta(minutes=30),
                        busy_wording=busy, **base)

        # 3. an event of the calendar, named by its title, place or people
        if content:
            zone_words: list[str] = []
            if kind == "time" and not tz_asked:  # "what time is that in New York?"
                trailing = re.search(r"\bin ((?:[a-z]+ ){0,2}[a-z]+)$", text_nz)
                found = trailing and longest_zone_suffix(trailing.group(1).split())
                if found:
                    zone_words = trailing.group(1).split()[-found[0]:]
            matches = self._events(content, zone_words, generic, p, text_nz)
            if not matches and (kind in ("date", "time", "duration") or spans["next"]
                                or spans["status"] or spans["remaining"]
                                or (kind == "yes_no" and window is not None)) \
                    and not ph.has(tokens, cal["deadline"]):
                # "podcast recording" for "Dirt & Dough – recording": most of the words
                # name one event, the data relates the rest to it
                matches = self.vocab.loose_events(
                    [w for w in content if w not in zone_words], p, self.related, generic)
            kinds = [tokens[a] for a, b in spans["kinds"]]
            matches = [m for m in matches if not _other_kind(m, kinds, p)]
            if zone_words and matches and not any(
                    plain(w) in m.entry.fields["location"] | m.entry.fields["title"]
                    for m in matches for w in zone_words):
                tz_asked, zone_name = zone_named(" ".join(zone_words)), " ".join(zone_words)
                base.update(zone=tz_asked, zone_name=zone_name)
            matches = directed(matches, text_nz, p)
            if kind in ("time", "duration") and any(not m.entry.all_day for m in matches):
                # a clock time is asked: an all-day event (the trip itself) has none
                matches = [m for m in matches if not m.entry.all_day]
            if not tz_asked and matches and kind == "time":
                local = self._local_zone(text_nz, content, matches)
                if local:
                    tz_asked, zone_name = local
                    base.update(zone=tz_asked, zone_name=zone_name)
            if matches and not during and not window and spans["agenda"] and kind not in (
                    "date", "time", "duration") and any(m.entry.multi_day for m in matches):
                # "what's in the calendar for the Porto weekend": the trip is the period
                spanning = tuple(m for m in matches if m.entry.multi_day)
                return Plan(route="agenda", **{**base, "during": spanning})
            if matches and self._asks_about_event(kind, spans, window is not None or bool(
                    after), weekday) and (
                    kind != "person" or any(m.entry.attendees for m in matches)) and not (
                    ph.has(tokens, cal["deadline"])):
                mode = self._mode(spans, window is not None, tokens)
                return Plan(route="event", events=tuple(matches), event_mode=mode, **base)
            if during and not matches:
                return Plan(route="search", **base)
            strong = [(a, b) for a, b in spans["agenda"]
                      if tokens[a] not in ("have", "having", "got", "left")]
            if not matches and window and strong and not any(self.known(w) for w in content):
                # "anything on for Victoria Day, Monday the 24th": no note knows the name;
                # the day it names is what can be answered
                return Plan(route="agenda", **base)
        elif generic and (spans["next"] or (not window and not during)):
            # "when is my next appointment?": whatever comes next
            mode = self._mode(spans, window is not None, tokens)
            if mode in ("next", "last") and not spans["agenda"]:
                return Plan(route="event", events=(), event_mode=mode, **base)

        # 4. "my calendar" itself, for a time or during an event
        if not content and (window or during or any(
                t in ("calendar", "agenda", "schedule", "diary") for t in tokens)):
            return Plan(route="agenda", **base)

        return Plan(route="search", **base)

    # -- parts ---------------------------------------------------------------------------

    def _events(self, content: list[str], zone_words: list[str], soft: list[str], p: Phrases,
                text: str) -> list[EventMatch]:
        """Events the content words name; a place that no event holds is context ("my talk
        in Barcelona", "in New York" time) and may be left out."""
        matches = self.vocab.match_events(content, p, soft=soft)
        if matches:
            return matches
        # only a place said with "in"/"at" is context; "to Munich" is what is asked
        places = [w for w in content if w in zone_words or (
            zone_named(w) is not None and re.search(rf"\b(?:in|at) {re.escape(w)}\b", text))]
        rest = [w for w in content if w not in places]
        if places and rest:
            return self.vocab.match_events(rest, p, soft=[*soft, *places])
        return []

    def _local_zone(self, text: str, content: list[str], matches: list[EventMatch]
                    ) -> tuple[ZoneInfo, str] | None:
        """ "what time is the NY sync in New York?", "... land in Barcelona, local time": a
        place named with a time question is a zone when it is not where the event is."""
        local = "local" in text.split()
        for word in content:
            zone = zone_named(word)
            if zone is None:
                continue
            named = {w for m in matches for f in ("location", "title") for w in m.entry.fields[f]}
            if local or (plain(word) not in named and re.search(rf"\bin {word}$", text)):
                return zone, word
        return None

    def _period(self, words_: list[str], p: Phrases) -> tuple[EventMatch, ...]:
        """The events the words after "during" or "once I'm back from" name: all of them
        ("the Lisbon trip"), else without "trip" ("the trip to Porto" for "Porto")."""
        ref_all = [t for t in words_ if t not in p.stopwords]
        ref = [t for t in ref_all if t != "trip"]
        return tuple(self.vocab.match_events(ref_all, p)) or tuple(self.vocab.match_events(ref, p))

    def _mode(self, spans: dict[str, list[tuple[int, int]]], has_window: bool,
              tokens: list[str]) -> EventMode:
        if spans["status"]:
            return "status"
        if spans["remaining"]:
            return "remaining"
        if spans["first"]:
            return "first"
        # "the last class of the term", "the final session": the end of the series ahead,
        # not the one gone by
        at = next((i for i, t in enumerate(tokens) if t in ("last", "final")), None)
        if at is not None and (tokens[at] == "final" or "of" in tokens[at + 1:]):
            return "final"
        if has_window:
            return "window"
        if any(t in ("last", "previous", "latest") for t in tokens) or (
            tokens and tokens[0] in ("did", "was", "were")
        ) or "did" in tokens:
            return "last"
        return "next"

    @staticmethod
    def _asks_about_event(kind: str, spans: dict[str, list[tuple[int, int]]], has_window: bool,
                          weekday: bool) -> bool:
        """Questions an event answers by itself: when, how long, whether it is still on,
        which ones are left, where / who / anything on a given day."""
        if kind == "count" and spans["remaining"]:
            return True  # "how many more all-hands are there?": the calendar counts them
        if kind in ("phone", "email", "amount", "count", "code", "temperature"):
            return False  # a value the calendar does not hold
        if kind in ("date", "time", "duration") or weekday:
            return True
        if spans["next"] or spans["status"] or spans["remaining"] or spans["first"]:
            return True
        return has_window and kind in ("place", "person", "yes_no", "other")

    @staticmethod
    def _event_shaped(kind: str, spans: dict[str, list[tuple[int, int]]]) -> bool:
        return kind in ("date", "time") or bool(spans["next"] or spans["status"])

    def _about_other_things(self, content: list[str], p: Phrases) -> bool:
        """Words that are neither people nor events: "is the museum free on Sundays?"."""
        people = self.vocab.people
        return any(plain(w) not in people and not self.vocab.match_events([w], p)
                   for w in content)

    def _focus(self, tokens: list[str], window_text: str | None, p: Phrases) -> tuple[str, ...]:
        """Lemmas of the words an answer must be about: the question without its question
        phrase ("how much", "what time"), stopwords and time phrase."""
        gone = set(words(window_text or ""))
        gone |= {t for t in tokens if p.lemma(t) in {p.lemma(g) for g in gone}}  # "week's"
        wh_spans = [s for cues in p.answer_types.values() for s in ph.find(tokens, cues)
                    if tokens[s[0]] in WH or tokens[s[0]] in ("how", "which", "at")]
        kept = _drop(tokens, wh_spans)
        out = [t for t in kept if t not in p.stopwords and t not in gone
               and t not in WH and t not in AUX and t not in p.chatter and len(t) > 1
               and t not in p.said]  # "what did Ada say": the saying is no topic
        self._forms.update((p.lemma(t), t) for t in out)
        return tuple(dict.fromkeys(p.lemma(t) for t in out))

    def _names(self, asked: str, tokens: list[str], p: Phrases) -> tuple[str, ...]:
        """Proper names the question uses: known people, and capitalised words inside the
        sentence ("Jonas", "Casa do Rio")."""
        found = [plain(t) for t in tokens if plain(t) in self.vocab.people]
        for m in re.finditer(r"(?<=[\w,;] )([A-ZÀ-ÖØ-Þ][\w'’-]+)", asked):
            word = plain(m.group(1).removesuffix("'s").removesuffix("’s"))
            if word not in p.stopwords and word not in _time_words() and len(word) > 1 and (
                    p.language != "de"):  # German writes every noun capitalised
                found.append(word)
        return tuple(dict.fromkeys(found))

    def _senders(self, tokens: list[str], said: list[str], p: Phrases) -> tuple[str, ...]:
        """Known senders one of whose name words is a word of a question about what
        someone said, wrote or sent."""
        if not said:
            return ()
        content = {plain(p.lemma(t)) for t in tokens if len(t) >= 3} | {
            plain(t) for t in tokens if len(t) >= 3}
        content -= set(p.stopwords) | set(p.said) | set(p.chatter)
        if not content:
            return ()
        # "what did Dad say" finds the chat where he is "Papa"
        content |= {k for w in content for k in p.kin_of(w) | self.vocab.relative(w)}
        return tuple(s for s in self.vocab.senders
                     if content & {w for w in re.findall(r"\w+", plain(s)) if len(w) >= 3})


def _length(text: str) -> timedelta | None:
    """ "for an hour", "a 2h meeting", "90 minutes": how long a free slot must be."""
    m = re.search(r"\b(?P<n>an?|one|two|three|four|half an?|\d+(?:[.,]\d+)?)\s*-?\s*"
                  r"(?P<unit>hours?|hrs?|h|minutes?|mins?|m)\b", text)
    if not m:
        return None
    n = {"a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0,
         "half a": 0.5, "half an": 0.5}.get(m["n"])
    if n is None:
        n = float(m["n"].replace(",", "."))
    minutes = n * (60 if m["unit"].startswith("h") else 1)
    return timedelta(minutes=minutes) if 0 < minutes <= 24 * 60 else None


def _time_words() -> frozenset[str]:
    from assistant.timeparse import MONTHS, WEEKDAYS

    return frozenset([*MONTHS, *WEEKDAYS, "tomorrow", "today", "tonight", "yesterday", "weekend",
                      "morning", "afternoon", "evening", "christmas", "easter", "birthday",
                      "calendar", "schedule", "appointment", "available", "remaining",
                      "cancelled", "canceled", "rescheduled", "postponed", "upcoming"])


def senders_named(question: str, known: list[str] | tuple[str, ...], language: str = "en"
                  ) -> tuple[str, ...]:
    """Known senders one of whose name words (3+ letters) is a word of a question about
    what someone said, wrote or sent; other questions name no sender."""
    planner = Planner(Vocabulary(senders=list(known)), ZoneInfo("UTC"), language=language)
    tokens = words(normalise(question))
    p = ph.load(ph.detect(tokens, language, ph.capitalised(question)))
    return planner._senders(tokens, [t for t in tokens if t in p.said], p)


def _other_kind(match: EventMatch, kinds: list[str], p: Phrases) -> bool:
    """The question names a kind of event ("pottery class") that the title does not, and the
    title names another kind ("Mira's pottery exhibition opening"); a title that names no
    kind ("Pottery with Ines", "NRP recertification") may still be it."""
    if not kinds:
        return False
    said = {p.lemma(plain(w)) for w in kinds}
    if {p.lemma(w) for w in match.entry.fields["title"]} & said:
        return False
    nouns = {p.lemma(plain(w)) for phrase in p.calendar.get("event_nouns", ()) for w in phrase}
    for raw in match.entry.title.split():  # whole words: "check-up" is one kind
        word = p.lemma(plain(raw.strip("()[],.:;'\"").removesuffix("'s")))
        if word in nouns and not any(similar(word, p.lemma(m)) for m in match.matched):
            return True  # "exhibition" for a class; "recertification" names no kind
    return False
