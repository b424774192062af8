"""Answer a question: route (calendar | search), build the prompt, stream, cite, ground-check."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from assistant import evidence, grounding
from assistant.config import RetrievalConfig
from assistant.llm import NOT_FOUND, AnswerRequest, LlamaBackend
from assistant.retrieve import STOPWORDS, Hit, Searcher, SearchFilter

OnToken = Callable[[str], None]

MAX_BLOCKS = 4  # sources shown to the model
MAX_LISTED = 12  # messages quoted when a question is only "what did <sender> write <when>"
EVIDENCE_PER_BLOCK = 2  # sentences per source for the bundled base model
TIE_MARGIN = 0.05  # evidence sentences this close to the best are all offered to the model

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
        return out


@dataclass(frozen=True)
class Block:
    n: int
    hit: Hit
    evidence: tuple[str, ...]  # the sentences offered to the model, best first
    relevance: float  # the best of: chunk similarity, its best sentence's similarity
    scores: tuple[float, ...] = ()  # evidence scores, same order as ``evidence``


# Questions about what someone communicated; only these narrow the search to a sender,
# so "When is Mira's birthday?" still finds the note and not only Mira's messages.
_SAID = re.compile(
    r"\b(say|said|says|saying|tell|told|tells|write|wrote|writes|written|mention(ed|s)?|"
    r"message[sd]?|text(ed|s)?|send|sent|sends|ask(ed|s)?|repl(y|ied|ies)|respond(ed|s)?|"
    r"answer(ed|s)?|e-?mail(ed|s)?|mail(ed|s)?|chat(ted|s)?|suggest(ed|s)?|promise[sd]?|"
    r"confirm(ed|s)?|share[sd]?|post(ed|s)?|announce[sd]?|complain(ed|s)?|from|according)\b",
    re.IGNORECASE,
)


def named_senders(question: str, known: Sequence[str]) -> tuple[str, ...]:
    """Known senders one of whose name words (first or last name, 3+ letters) is a word of
    a question about what someone said, wrote or sent."""
    if not _SAID.search(question):
        return ()
    words = _content_words(question)
    if not words:
        return ()
    return tuple(name for name in known if words & {w for w in re.findall(r"\w+", name.lower())})


def _label(hit: Hit, root: Path | None) -> str:
    path = Path(hit.path)
    if root is not None:
        try:
            path = path.relative_to(root)
        except ValueError:
            pass
    title = f' "{hit.title}"' if hit.title else ""
    return f"{hit.kind}{title} ({path} {hit.locator})"


class Answerer:
    """Turns a question into an Answer using a searcher and a language model."""

    def __init__(
        self,
        searcher: Searcher,
        llm: LlamaBackend | Callable[[], LlamaBackend],
        tz: ZoneInfo,
        now: datetime,
        retrieval: RetrievalConfig,
        root: Path | None = None,
    ) -> None:
        self.searcher = searcher
        # A factory defers loading the model until a question needs it: calendar
        # questions and "not found" answers never do.
        self._llm = llm
        self.tz = tz
        self.now = now
        self.retrieval = retrieval
        self.root = root

    @property
    def llm(self) -> LlamaBackend:
        if not isinstance(self._llm, LlamaBackend):
            self._llm = self._llm()
        return self._llm

    # -- routing -----------------------------------------------------------------------

    def ask(self, question: str, k: int | None = None, on_token: OnToken | None = None) -> Answer:
        question = question.strip()
        calendar_answer = self._try_calendar(question)
        if calendar_answer is not None:
            return calendar_answer
        return self.ask_search(question, k or self.retrieval.k, on_token)

    def _try_calendar(self, question: str) -> Answer | None:
        try:
            from assistant import calendar
        except ImportError:  # pragma: no cover - calendar support ships with the package
            return None
        cq = calendar.parse_calendar_question(question, self.now, self.tz)
        if cq is None:
            return None
        result = calendar.answer_calendar_question(self.searcher.store, cq, self.tz)
        if result is None:  # e.g. "when is my next X" with no X in the calendar: search notes
            return None
        # The calendar engine writes the whole answer: no time or title comes from the LLM.
        return Answer(
            question=question,
            answer=result.text,
            route="calendar",
            grounded=True,
            citations=[
                Citation(n=i + 1, path=e.path, locator=f"uid:{e.uid}")
                for i, e in enumerate(result.events)
            ],
            hits=[],
            events=list(result.events),
        )

    def search_filter(self, question: str) -> tuple[SearchFilter, str]:
        """Filters from the question, and the query left once they are taken out: a time
        phrase becomes a time window; the name of a known sender in a question about what
        someone said or wrote becomes a sender filter (no match: no sender filter)."""
        after = before = None
        rest = question
        try:
            from assistant.timeparse import find_window
        except ImportError:  # pragma: no cover
            found = None
        else:
            found = find_window(question, self.now, self.tz)
        if found is not None:
            window, (a, b) = found
            rest = " ".join((question[:a] + question[b:]).split()) or question
            after, before = window.start, window.end
        senders = named_senders(rest, self.searcher.store.senders())
        if senders:
            # The filter stands for the name now; left in the query it would favour any
            # short message of that sender over the one about the topic.
            names = {w for s in senders for w in re.findall(r"\w+", s.lower())}
            kept = [w for w in rest.split() if re.sub(r"\W|'s$", "", w.lower()) not in names]
            rest = " ".join(kept) or rest
        return SearchFilter(after=after, before=before, senders=senders or None), rest

    # -- the search route ----------------------------------------------------------------

    def ask_search(self, question: str, k: int, on_token: OnToken | None = None) -> Answer:
        flt, query = self.search_filter(question)
        hits = self.searcher.search(query, k, flt)
        if not hits and not flt.empty:  # the time phrase may have been part of the topic
            hits = self.searcher.search(question, k)
        elif hits and flt.senders and not topic_words(query):
            return self._listing(question, flt, hits)
        floor = self.retrieval.min_similarity
        blocks = [b for b in self._blocks(question, hits) if b.relevance >= floor]
        blocks = [
            Block(i + 1, b.hit, b.evidence, b.relevance, b.scores) for i, b in enumerate(blocks)
        ]
        if not blocks:
            return self._not_found(question, hits)
        context = self._context(blocks)
        request = AnswerRequest(
            question=question, context=context, today=self.now.strftime("%A %d %B %Y")
        )
        if self.llm.chat_template:
            stream = self.llm.stream(request)
        else:
            stream = self._constrained(request, blocks)
        parts: list[str] = []
        for token in stream:
            parts.append(token)
            if on_token is not None:
                on_token(token)
        text = "".join(parts).strip()
        return self._verdict(question, text, blocks, hits)

    def _blocks(self, question: str, hits: Sequence[Hit]) -> list[Block]:
        hits = list(hits)[:MAX_BLOCKS]
        per_hit = [evidence.offerable(h.text) for h in hits]
        flat = [u for units in per_hit for u in units]
        if not flat:
            return []
        # A message's "[date] Sender:" head is scored out: it is in every unit of a chat
        # and would make the shortest message look the most relevant.
        vecs = self.searcher.embedder.encode([question, *(evidence.without_head(u) for u in flat)])
        sims = vecs[1:] @ vecs[0]
        words = {w for w in re.findall(r"\w+", question.lower()) if len(w) > 2}
        blocks: list[Block] = []
        offset = 0
        for hit, units in zip(hits, per_hit, strict=True):
            scores = []
            for i, unit in enumerate(units):
                overlap = len(words & set(re.findall(r"\w+", unit.lower())))
                scores.append(float(sims[offset + i]) + 0.05 * overlap)
            unit_sims = sims[offset : offset + len(units)]
            offset += len(units)
            if not units:
                continue
            best = list(np.argsort(scores)[::-1][:EVIDENCE_PER_BLOCK])  # best first
            chosen_units = tuple(units[i] for i in best)
            relevance = max(hit.similarity, float(unit_sims.max()))
            chosen = tuple(float(scores[i]) for i in best)
            blocks.append(Block(len(blocks) + 1, hit, chosen_units, relevance, chosen))
        return blocks

    def _context(self, blocks: Sequence[Block]) -> str:
        lines = []
        for block in blocks:
            lines.append(f"[{block.n}] {_label(block.hit, self.root)}")
            if self.llm.chat_template:  # an instruct model reads the whole chunk
                lines.append(block.hit.text.strip())
            else:
                lines.extend(block.evidence)
        return "\n".join(lines)

    def _constrained(self, request: AnswerRequest, blocks: Sequence[Block]) -> Any:
        """A base model may only copy one source's evidence passage, then cite it.

        A GBNF grammar makes every answer a verbatim passage of the sources, so the
        bundled 270M base model cannot state a time or name that is not there.
        Whether the data holds an answer at all was decided by retrieval relevance,
        which is far more reliable than a 270M model's own "NOT FOUND".
        """
        from assistant.llm import completion_prompt

        rules = []
        alternatives: list[str] = []
        best = max(b.scores[0] for b in blocks)
        for block in blocks:
            if block.scores[0] < best - TIE_MARGIN:
                continue  # retrieval ranks passages better than a 270M model does
            # The block's evidence in reading order: a fact and its neighbour read better
            # together ("outbound 07:10 ... return 18:40") than either alone.
            flat = " ".join(block.hit.text.split())  # units are whitespace-normalised
            passage = " ".join(sorted(block.evidence, key=flat.find))
            name = f"b{block.n}"
            rules.append(f'{name} ::= {_lit(passage)} " [{block.n}]"')
            alternatives.append(name)
        grammar = 'root ::= " " (' + " | ".join(alternatives) + ")\n" + "\n".join(rules)
        return self.llm.complete_stream_with_grammar(completion_prompt(request), grammar)

    def _verdict(
        self, question: str, text: str, blocks: Sequence[Block], hits: list[Hit]
    ) -> Answer:
        if not text or text.strip().upper().startswith(NOT_FOUND):
            return self._not_found(question, hits)
        sources = [b.hit.text for b in blocks] + [b.hit.title or "" for b in blocks]
        missing = grounding.unsupported(text, sources)
        if missing:
            answer = self._not_found(question, hits)
            answer.unsupported = missing
            return answer
        cited = [n for n in grounding.citations(text) if 1 <= n <= len(blocks)]
        if not cited:
            cited = [self._best_block(text, blocks)]
            text = f"{text.rstrip()} [{cited[0]}]"
        by_n = {b.n: b for b in blocks}
        return Answer(
            question=question,
            answer=text,
            route="search",
            grounded=True,
            citations=[Citation(n, by_n[n].hit.path, by_n[n].hit.locator) for n in cited],
            hits=hits,
        )

    def _listing(self, question: str, flt: SearchFilter, hits: list[Hit]) -> Answer:
        """"What did Mum write last week?": the filters are the whole question, so the
        answer is what that sender wrote in the matching sources, quoted exactly, oldest
        first, each with its source. No model: nothing to phrase, nothing to guess."""
        wanted = {s.lower() for s in flt.senders or ()}
        start = flt.after.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if flt.after else ""
        end = flt.before.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if flt.before else "~"
        found: dict[str, tuple[str, int]] = {}  # quoted line -> (time key, hit number)
        for n, hit in enumerate(hits, start=1):
            when = hit.time.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if hit.time else ""
            for line in evidence.sender_lines(hit.text):
                head = evidence.MESSAGE_HEAD.match(line)
                sender = head["sender"].lower() if head else ""
                if any(w in sender for w in wanted):  # as the sender filter: a substring
                    # a chat line has its own ISO time; an email's head has the Date header
                    key = head["when"] if evidence.MESSAGE_LINE.match(line) else when
                    if start <= key < end:  # a window may reach outside the asked time
                        found.setdefault(line, (key, n))
        if not found:
            return self._not_found(question, hits)
        ordered = sorted(found.items(), key=lambda item: item[1])
        quoted = [(line, n) for line, (_, n) in ordered[:MAX_LISTED]]
        lines = [f"- {line} [{n}]" for line, n in quoted]
        if len(found) > MAX_LISTED:
            lines.append(f"... and {len(found) - MAX_LISTED} more (see the sources)")
        cited = sorted({n for _, n in quoted})
        return Answer(
            question=question,
            answer="\n".join(lines),
            route="search",
            grounded=True,
            citations=[Citation(n, hits[n - 1].path, hits[n - 1].locator) for n in cited],
            hits=hits,
        )

    @staticmethod
    def _best_block(text: str, blocks: Sequence[Block]) -> int:
        words = set(re.findall(r"\w+", text.lower()))
        scored = [(len(words & set(re.findall(r"\w+", b.hit.text.lower()))), -b.n) for b in blocks]
        return -max(scored)[1]

    def _not_found(self, question: str, hits: list[Hit]) -> Answer:
        lines = ["I could not find that in your data."]
        if hits:
            lines.append("The closest sources are:")
            for hit in hits[:3]:
                lines.append(f"- {_label(hit, self.root)}")
        return Answer(
            question=question, answer="\n".join(lines), route="search", grounded=False, hits=hits
        )


def topic_words(query: str) -> set[str]:
    """What a question asks about once its filters, question words and verbs of saying
    are gone ("What did write" -> nothing)."""
    return _content_words(query) - _CHATTER


def _content_words(text: str) -> set[str]:
    """Words of 3+ letters that are neither stopwords nor verbs of saying."""
    said = {m.group(0).lower() for m in _SAID.finditer(text)}
    words = {w for w in re.findall(r"\w+", text.lower()) if len(w) >= 3}
    return words - STOPWORDS - said


# Words that ask for messages without naming a topic ("anything", "lately"), and titles
# that go with a name ("Herr Vogel", "Mrs Lee").
_CHATTER = {
    "anything", "something", "everything", "lately", "recently", "messages", "message",
    "mrs", "miss", "herr", "frau", "prof", "madame", "monsieur", "señor", "señora",
}


def _lit(word: str) -> str:
    """A GBNF string literal."""
    return json.dumps(word, ensure_ascii=False)
