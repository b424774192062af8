"""Carry out a plan: the calendar engine or retrieval, then the sentence that answers, cited.

The planner (assistant/plan.py) reads the question; calendar routes are answered by the
calendar engine, word for word; the search route retrieves sources, the selector
(assistant/select.py) picks the statement that holds what was asked, and the answer
quotes it with its citation. An instruct model (a GGUF with a chat template) phrases
the answer from the chosen sources instead, checked by the grounding guard.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assistant import grounding, replies
from assistant.config import RetrievalConfig
from assistant.errors import AssistantError
from assistant.llm import NOT_FOUND, AnswerRequest, LlamaBackend
from assistant.phrases import load
from assistant.plan import Plan, Planner
from assistant.rerank import second_query, senders_in
from assistant.retrieve import RRF_K, Hit, Searcher, SearchFilter, fts_terms
from assistant.select import Choice, Selector, trim
from assistant.timeparse import find_windows

if TYPE_CHECKING:
    from assistant.llm_server import ServerBackend

OnToken = Callable[[str], None]

MAX_BLOCKS = 4  # sources an instruct model reads
MAX_LISTED = 12  # messages quoted when a question is only "what did <sender> write <when>"
CANDIDATES = 8  # sources retrieved for the selector to read
NEIGHBOUR_MARGIN = 0.2  # a second statement of the best source this close is quoted too

NOT_FOUND_TEXT = "I could not find that in your data."


@dataclass(frozen=True)
class Citation:
    n: int
    path: str
    locator: str

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "path": self.path, "locator": self.locator}


@dataclass
class Answer:
    question: str
    answer: str
    route: str  # "search" | "calendar"
    grounded: bool
    citations: list[Citation] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    events: list[Any] | None = None  # calendar Occurrences, on the calendar route
    unsupported: list[str] = field(default_factory=list)
    plan: Plan | None = None
    # Which model phrased it: {"backend": "local"}, {"backend": "server", "url", "model"},
    # or {"backend": "local", "fallback_from": "server", "reason"}; None when no model did.
    llm: dict[str, Any] | None = None

    def to_json(self, tz: ZoneInfo) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "route": self.route,
            "grounded": self.grounded,
            "citations": [c.to_json() for c in self.citations],
            "hits": [h.to_json(tz) for h in self.hits],
        }
        if self.events is not None:
            out["events"] = [e.to_json(tz) for e in self.events]
        if self.plan is not None:
            out["intent"] = plan_json(self.plan)
        if self.llm is not None:
            out["llm"] = self.llm
        return out


def plan_json(plan: Plan) -> dict[str, Any]:
    """What the planner read, for --json users and for finding out why an answer went wrong."""
    return {
        "route": plan.route,
        "answer_type": plan.answer_type,
        "window": [plan.window.start.isoformat(), plan.window.end.isoformat()]
        if plan.window else None,
        "zone": plan.zone_name,
        "events": [m.entry.title for m in plan.events],
        "event_mode": plan.event_mode if plan.route == "event" else None,
        "during": [m.entry.title for m in plan.during],
        "focus": list(plan.focus),
        "names": list(plan.names),
        "senders": list(plan.senders),
        "language": plan.language,
        "notes": list(plan.notes),
    }


def _label(hit: Hit, root: Path | None) -> str:
    path = Path(hit.path)
    if root is not None:
        try:
            path = path.relative_to(root)
        except ValueError:
            pass
    title = f' "{hit.title}"' if hit.title else ""
    return f"{hit.kind}{title} ({path} {hit.locator})"


class LazyModel:
    """Loads the language model on first use; knows before that whether it is the bundled one."""

    def __init__(self, load: Callable[[], LlamaBackend], bundled: bool) -> None:
        self.load = load
        self.bundled = bundled

    def __call__(self) -> LlamaBackend:
        return self.load()


class Answerer:
    """Turns a question into an Answer using a planner, a searcher and a language model."""

    def __init__(
        self,
        searcher: Searcher,
        llm: LlamaBackend | Callable[[], LlamaBackend],
        tz: ZoneInfo,
        now: datetime,
        retrieval: RetrievalConfig,
        root: Path | None = None,
        planner: Planner | None = None,
        server: ServerBackend | None = None,
    ) -> None:
        self.searcher = searcher
        # A factory defers loading the model until a question needs it: calendar
        # questions and extractive answers of the bundled base model never do.
        self._llm = llm
        self.tz = tz
        self.now = now
        self.retrieval = retrieval
        self.root = root
        self.planner = planner or Planner.for_store(searcher, tz)
        self.server = server  # a ServerBackend phrases answers first; the local model is its fallback
        self.selector = Selector(
            self.planner.p, searcher.embedder.encode_cached, searcher.document_frequency,
            lambda: len(searcher.vectors.ids), self.planner.vocab.relative,
        )

    @property
    def llm(self) -> LlamaBackend:
        if not isinstance(self._llm, LlamaBackend):
            self._llm = self._llm()
        return self._llm

    def llm_chat_template(self) -> str | None:
        """The model's chat template, without loading the bundled base model to learn that
        it has none."""
        if isinstance(self._llm, LazyModel) and self._llm.bundled:
            return None
        return self.llm.chat_template

    # -- routing -----------------------------------------------------------------------

    def ask(self, question: str, k: int | None = None, on_token: OnToken | None = None) -> Answer:
        plan = self.planner.plan(question, self.now)
        if plan.route == "invalid":
            raise AssistantError(plan.problem or "the question cannot be read")
        if plan.route in ("agenda", "free", "event"):
            from assistant.calendar import cut_sentence, watch_cuts
            from assistant.calendar_ask import answer_plan

            with watch_cuts() as cuts:
                result = answer_plan(self.searcher.store, plan, self.now, self.tz)
            if result is not None and cuts:  # a list cut at the per-series cap says so
                said = " ".join(cut_sentence(c.title, c.until.astimezone(self.tz)) for c in cuts)
                result.text = f"{result.text}\n{said}"
            if result is not None:
                return Answer(
                    question=plan.question, answer=result.text, route="calendar",
                    grounded=result.found,
                    citations=[Citation(i + 1, path, f"uid:{uid}" if uid else "") for i, (path, uid) in
                               enumerate(dict.fromkeys([*((e.path, e.uid) for e in result.events),
                                                        *result.sources]))],
                    hits=[], events=list(result.events), plan=plan,
                )
        answer = self.ask_search(plan, k or self.retrieval.k, on_token)
        answer.plan = plan
        return answer

    def search_filter(self, question: str | Plan) -> tuple[SearchFilter, str]:
        """Filters from the question, and the query left once they are taken out: a time
        phrase becomes a time window (read looking back); the name of a known sender in a
        question about what someone said or wrote becomes a sender filter."""
        plan = question if isinstance(question, Plan) else self.planner.plan(question, self.now)
        asked = plan.question
        after = before = None
        rest = asked
        found = find_windows(asked, self.now, self.tz, prefer="past")
        if found:
            # the explicit date wins over a vague phrase ("last week ... as mentioned on
            # November 6, 2023"), then a single day
            window, (a, b) = min(found, key=lambda w: (
                not any(ch.isdigit() for ch in asked[w[1][0]:w[1][1]]), w[0].day is None))
            rest = " ".join((asked[:a] + asked[b:]).split()) or asked
            after, before = window.start, window.end
        if plan.senders:
            # The filter stands for the name now; left in the query it would favour any
            # short message of that sender over the one about the topic.
            names = {w for s in plan.senders for w in re.findall(r"\w+", s.lower())}
            kept = [w for w in rest.split() if re.sub(r"\W|'s$", "", w.lower()) not in names]
            rest = " ".join(kept) or rest
        flt = SearchFilter(after=after, before=before, senders=plan.senders or None)
        return flt, rest

    # -- the search route ----------------------------------------------------------------

    def retrieve(self, plan: Plan | str, n: int) -> tuple[list[Hit], SearchFilter]:
        """The ``n`` best hits for a question, and the filter its words made: what `ask`
        reads (bench/locomo.py measures exactly this)."""
        if isinstance(plan, str):
            plan = self.planner.plan(plan, self.now)
        flt, query = self.search_filter(plan)
        ranking = self.searcher.ranking
        named = senders_in(query, self.planner.vocab.senders) if ranking.sender_boost else ()
        hits = self.searcher.search(query, n, flt, named=named)
        timed = flt.after is not None or flt.before is not None
        if timed and not plan.said:
            # "people are coming over on Saturday: the guest wifi password?" - the time names
            # when something happens, not when the note was written: it ranks, it does not
            # filter (what someone wrote last week is filtered by when it was written)
            loose = SearchFilter(senders=flt.senders)
            hits = fuse([hits, self.searcher.search(plan.question, n, loose, named=named)], n)
        elif not hits and not flt.empty:  # the time phrase may have been part of the topic
            hits = self.searcher.search(plan.question, n, named=named)
        rest = second_query(query, [h.text for h in hits[: ranking.second_from]], fts_terms) if (
            ranking.second_weight > 0) else None
        if rest:  # what the top hits leave out of the question (assistant/rerank.py)
            # Only chat messages gain: a message rarely holds every part of a question, a
            # note's section does (reordering notes cost the dev set 2 answers).
            again = [h for h in self.searcher.search(rest, n, flt, named=named)
                     if h.kind == "message"]
            hits = fuse([hits, again], n, [1.0, ranking.second_weight])
        return hits, flt

    def ask_search(self, plan: Plan | str, k: int, on_token: OnToken | None = None) -> Answer:
        if isinstance(plan, str):
            plan = self.planner.plan(plan, self.now)
        hits, flt = self.retrieve(plan, max(k, CANDIDATES))
        if hits and flt.senders and not self.planner.topic(plan):
            from assistant.listing import listing

            listed = listing(plan.question, flt, hits, self.tz)
            if listed is not None:
                text, cited = listed
                return Answer(plan.question, text, "search", True,
                              [Citation(i, hits[n - 1].path, hits[n - 1].locator)
                               for i, n in enumerate(cited, 1)], hits)
            return self._not_found(plan, hits)
        if not hits:
            return self._not_found(plan, hits)
        from assistant.event_lookup import freshen

        hits = freshen(self.searcher.in_context(hits), self.searcher.store, self.now, self.tz)
        choice = self.selector.choose(plan, hits, self.now)
        shown = hits[: max(k, 1)]
        if choice.verdict == "none" or self._too_far(choice, hits):
            return self._not_found(plan, shown)
        fallback: dict[str, Any] = {"backend": "local"}
        if self.server is not None:
            from assistant.llm_server import ServerUnavailable

            try:
                answer = self._generate(plan, hits, choice, on_token, self.server)
                answer.llm = self.server.to_json()
                return answer
            except ServerUnavailable as exc:
                fallback = {"backend": "local", "fallback_from": "server", "reason": str(exc)}
        if self.llm_chat_template():
            answer = self._generate(plan, hits, choice, on_token, self.llm)
        else:
            answer = self._extract(plan, hits, choice, on_token)
        answer.llm = fallback
        return answer

    def _too_far(self, choice: Choice, hits: Sequence[Hit]) -> bool:
        """Nothing retrieved is close in meaning and nothing holds the question's words."""
        if not choice.best:
            return True
        top = choice.best[0]
        relevance = max(top.similarity, hits[top.unit.hit].similarity)
        return relevance < self.retrieval.min_similarity and top.coverage < 0.5

    def _extract(self, plan: Plan, hits: list[Hit], choice: Choice,
                 on_token: OnToken | None) -> Answer:
        """The bundled base model's answer: the chosen statement itself, trimmed to the
        fact, with its citation. Nothing is generated, so nothing can be invented."""
        best = choice.best[0]
        hit = hits[best.unit.hit]
        quote = trim(best.unit.text, plan, load(plan.language), weights=choice.weights)
        if choice.verdict == "answer":
            quote = self._with_neighbour(quote, best, choice, hit)
        citation = [Citation(1, hit.path, hit.locator)]
        if choice.verdict == "answer":
            text, grounded = f"{quote} [1]", True
        elif choice.verdict == "not_known" and best.pending:
            quote = self._when_known(quote, best, choice, hit)
            text, grounded = replies.load(plan.language).say("not_known_yet", quote=quote), True
            if _says_not_known(quote, plan.language):  # "Not decided yet: lasagne or curry."
                text = f"{quote} [1]"
        elif choice.verdict == "not_known":  # where the fact is, not the fact
            text, grounded = replies.load(plan.language).say("not_stated", quote=quote), True
        else:  # partial: the focus is there, the asked value is not
            text = replies.load(plan.language).say("partial", what=self._what(plan), quote=quote)
            grounded = False
        if on_token is not None:
            on_token(text)
        return Answer(plan.question, text, "search", grounded, citation, hits[:MAX_BLOCKS + 1])

    @staticmethod
    def _with_neighbour(quote: str, best: Any, choice: Choice, hit: Hit) -> str:
        """The runner-up statement of the same source beside the best one, in reading order,
        when it answers nearly as well: "when does my flight leave?" has an outbound and a
        return flight, and the words of the question fit the wrong one as well as the right."""
        rival = next((s for s in choice.best[1:] if s.unit.hit == best.unit.hit), None)
        if rival is None or rival.score < best.score - NEIGHBOUR_MARGIN:
            return quote
        flat = " ".join(hit.text.split())
        first, second = sorted((best.unit.text, rival.unit.text), key=flat.find)
        return f"{first} {second}" if first != second else quote

    @staticmethod
    def _when_known(quote: str, best: Any, choice: Choice, hit: Hit) -> str:
        """ "Not decided yet: birria or pozole." and the next statement when it says the date
        it will be ("Mum confirms with the venue on 20 May")."""
        from assistant.answer_types import values
        from assistant.evidence import without_head

        flat = " ".join(hit.text.split())
        at = flat.find(" ".join(best.unit.text.split()))
        if at < 0:
            return quote
        after = sorted(((flat.find(" ".join(s.unit.text.split())), s) for s in choice.ranked
                        if s.unit.hit == best.unit.hit and s.unit.text != best.unit.text),
                       key=lambda x: x[0])
        following = next((s for pos, s in after if pos > at), None)
        if following is None or not values("date", without_head(following.unit.text)):
            return quote
        return f"{quote} {without_head(following.unit.text)}"

    def _what(self, plan: Plan) -> str:
        """ "Jonas's phone number", "your passport number", else "that"."""
        from assistant.phrases import find, words

        tokens = words(plan.question)
        cues = load(plan.language).answer_types.get(plan.answer_type, ())
        spans = find(tokens, cues)
        if not spans:
            return "that"
        a, b = max(spans, key=lambda s: s[1] - s[0])
        noun = " ".join(tokens[a:b])
        if tokens[a] in ("when", "where", "who", "whom", "whose", "how", "what", "which", "at",
                         "wann", "wo", "wer", "wie", "was", "welche", "welcher", "um"):
            return "that"  # "how much", "what time": a question phrase, not a noun
        owner = next((n for n in plan.names), None)
        if owner:
            return f"{owner.title()}'s {noun}"
        return f"your {noun}" if plan.mine else f"the {noun}"

    def _generate(self, plan: Plan, hits: list[Hit], choice: Choice,
                  on_token: OnToken | None, model: Any) -> Answer:
        """An instruct model (in-process or on a server) reads the chosen sources whole and
        phrases the answer."""
        order = list(dict.fromkeys([s.unit.hit for s in choice.best] + list(range(len(hits)))))
        blocks = [hits[i] for i in order[:MAX_BLOCKS]]
        context = "\n".join(f"[{n}] {_label(h, self.root)}\n{h.text.strip()}"
                            for n, h in enumerate(blocks, 1))
        request = AnswerRequest(plan.question, context, self.now.strftime("%A %d %B %Y"))
        parts: list[str] = []
        for token in model.stream(request):
            parts.append(token)
            if on_token is not None:
                on_token(token)
        text = "".join(parts).strip()
        if not text or text.upper().startswith(NOT_FOUND):
            return self._not_found(plan, hits[:5])
        missing = grounding.unsupported(text, [h.text for h in blocks] + [h.title or "" for h in blocks])
        if missing:
            answer = self._not_found(plan, hits[:5])
            answer.unsupported = missing
            return answer
        cited = [n for n in grounding.citations(text) if 1 <= n <= len(blocks)] or [1]
        # number the sources as listed: the first one cited is [1]
        renumber = {old: new for new, old in enumerate(cited, 1)}
        text = re.sub(r"\[(\d{1,2})\]", lambda m: f"[{renumber.get(int(m[1]), m[1])}]", text)
        if not grounding.citations(text):
            text = f"{text} [1]"
        return Answer(plan.question, text, "search", choice.verdict == "answer",
                      [Citation(renumber[n], blocks[n - 1].path, blocks[n - 1].locator)
                       for n in cited], hits)

    def _not_found(self, plan: Plan, hits: list[Hit]) -> Answer:
        question, r = plan.question, replies.load(plan.language)
        lines = [r.say("not_found")]
        if hits:
            lines.append(r.say("closest_sources"))
            for hit in hits[:3]:
                lines.append(f"- {_label(hit, self.root)}")
        return Answer(question=question, answer="\n".join(lines), route="search",
                      grounded=False, hits=hits)


def _says_not_known(quote: str, language: str) -> bool:
    """The quote opens with its own "not known yet" label in the question's language
    ("TBC: ...", "Not decided yet: ..."): it needs no frame saying so."""
    from assistant.phrases import find, words

    lead, colon, _ = quote.partition(":")
    return bool(colon) and len(lead.split()) <= 5 and bool(
        find(words(lead.lower()), load(language).not_known))


def fuse(rankings: Sequence[Sequence[Hit]], k: int,
         weights: Sequence[float] | None = None) -> list[Hit]:
    """Several rankings of hits as one (reciprocal rank fusion, each ranking weighted by
    ``weights``, all 1.0 by default), renumbered."""
    score: dict[int, float] = {}
    first: dict[int, Hit] = {}
    for i, ranking in enumerate(rankings):
        weight = weights[i] if weights is not None else 1.0
        for rank, hit in enumerate(ranking):
            score[hit.chunk_id] = score.get(hit.chunk_id, 0.0) + weight / (RRF_K + rank + 1)
            first.setdefault(hit.chunk_id, hit)
    best = sorted(score, key=lambda cid: -score[cid])[:k]
    return [replace(first[cid], rank=i + 1, score=score[cid]) for i, cid in enumerate(best)]


def named_senders(question: str, known: Sequence[str]) -> tuple[str, ...]:
    """Known senders one of whose name words is a word of a question about what someone
    said, wrote or sent (see Planner)."""
    from assistant.plan import senders_named

    return senders_named(question, known)

