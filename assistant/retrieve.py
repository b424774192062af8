"""Hybrid search: exact dense scan over in-memory vectors + FTS5 BM25, fused by RRF."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from assistant import neighbours, rerank, tokens
from assistant.chunking import single_message
from assistant.embed import Embedder
from assistant.store import Store, to_epoch

KINDS = ("note", "event", "message", "email")
# Reciprocal rank fusion, both rankers weighted alike. The textbook k = 60 is for fusing
# many runs deep into their lists; an answer here is built from the top 4-5 hits of two
# rankers, so the top ranks must count more (bench/locomo.py, R@5: hybrid 63.8 -> 68.6,
# hybrid with the question's filters 65.5 -> 71.2; the notes and messages tests agree).
RRF_K = 10
KEYWORD_WEIGHT = 1.0
# The dense ranker's weight for a question in a language the embedder was not trained on
# (Embedder.languages): there the keywords carry the ranking. bench/bench_languages.py,
# gold first, bundled embedder: zh 88 -> 94, ru 88 -> 100 (1.0 -> 0.25; 16 questions
# each). Weighing by the chunk's language instead favoured English chunks for an English
# question about a German note (cross-language 62 -> 38), so the question decides.
UNCOVERED_DENSE_WEIGHT = 0.25
CANDIDATES = 50  # per ranker, before fusion
# A keyword in more chunks than both of these is dropped from the BM25 query (see
# Searcher.selective): scoring its long posting list costs much and ranks little.
COMMON_SHARE = 0.10
COMMON_DOCS = 2000

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that carry no topic: left out of keyword queries and of sender-name matching.
STOPWORDS = frozenset(
    (
        "a an and are as at be but by can could did do does for from had has have how i if in "
        "into is it its me my of on or our so than that the their them then there these they "
        "this to was we were what when where which who whom why will with would you your about "
        "any all am been being both each few more most other some such only own same too very "
        "just don should now tell give show find know doing get got last next time take takes "
        "took make made use used using want need like think thing things way also one ever much "
        "many"
    ).split()
)


@dataclass(frozen=True)
class SearchFilter:
    kinds: tuple[str, ...] | None = None
    after: datetime | None = None  # chunks whose time span ends at or after this
    before: datetime | None = None  # ... and starts before this
    senders: tuple[str, ...] | None = None  # case-insensitive substring of a sender

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.after or self.before or self.senders)


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    kind: str
    path: str
    title: str | None
    text: str
    locator: str
    time: datetime | None
    chunk_id: int
    similarity: float  # cosine similarity of the query and this chunk
    senders: tuple[str, ...] = ()

    def to_json(self, tz: ZoneInfo) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "kind": self.kind,
            "path": self.path,
            "title": self.title,
            "text": self.text,
            "locator": self.locator,
            "time": self.time.astimezone(tz).isoformat() if self.time else None,
        }


class VectorIndex:
    """Every chunk vector in one float32 matrix: an exact scan as fast as numpy itself.

    Kept in step with the store whenever its generation counter moves (this or another
    process indexed something).
    """

    def __init__(self) -> None:
        self.generation = -1
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.kinds = np.zeros(0, dtype=np.int8)
        self.start = np.zeros(0, dtype=np.float64)
        self.end = np.zeros(0, dtype=np.float64)
        self.senders: list[str] = []
        self.chats = np.zeros(0, dtype=np.int64)  # a code per (document, chat), -1 if none
        self.ordinals = np.zeros(0, dtype=np.int64)
        self.prev = np.zeros(0, dtype=np.int64)  # the row before in its conversation, or -1
        self.next = np.zeros(0, dtype=np.int64)
        self._chat_codes: dict[tuple[int, str], int] = {}
        self.row_of: dict[int, int] = {}
        self._lock = threading.Lock()

    def refresh(self, store: Store) -> None:
        """Follow the store: drop rows of deleted chunks, append rows of new ones.

        Chunk ids only grow (AUTOINCREMENT), so new chunks are exactly those above the
        last id held; during a long index run every commit moves the generation, and a
        query must not re-read every vector each time.
        """
        if store.generation() == self.generation:
            return
        with self._lock:
            db = store.db
            own_snapshot = not db.in_transaction
            if own_snapshot:
                db.execute("BEGIN")  # the id list and the new rows from one snapshot
            try:
                generation = store.generation()
                if generation != self.generation and store.has_vectors():
                    self._follow(store)
                self.generation = generation
            finally:
                if own_snapshot:
                    db.execute("COMMIT")

    def _follow(self, store: Store) -> None:
        db = store.db
        current = np.fromiter(
            (cid for (cid,) in db.execute("SELECT id FROM chunks ORDER BY id")), dtype=np.int64
        )
        keep = np.isin(self.ids, current, assume_unique=True)
        last = int(self.ids[-1]) if len(self.ids) else -1
        rows = db.execute(
            "SELECT c.id, v.embedding, c.kind, c.time, c.time_end, c.senders, c.doc_id, "
            "c.ordinal, c.title, c.locator FROM chunks c JOIN chunk_vecs v ON v.chunk_id = c.id "
            "WHERE c.id > ? ORDER BY c.id",
            (last,),
        ).fetchall()
        if keep.all() and not rows:
            return
        n = len(rows)
        dim = int(store.get_meta("embedding_dim") or 0)
        matrix = np.empty((n, dim), dtype=np.float32)
        ids = np.empty(n, dtype=np.int64)
        kinds = np.empty(n, dtype=np.int8)
        start = np.full(n, np.nan)
        end = np.full(n, np.nan)
        senders: list[str] = []
        chats = np.full(n, -1, dtype=np.int64)
        ordinals = np.zeros(n, dtype=np.int64)
        for i, (cid, blob, kind, t0, t1, snd, doc, ordinal, title, loc) in enumerate(rows):
            ids[i] = cid
            matrix[i] = np.frombuffer(blob, dtype=np.float32)
            kinds[i] = KINDS.index(kind) if kind in KINDS else -1
            if t0 is not None:
                start[i] = t0
                end[i] = t1 if t1 is not None else t0
            senders.append((snd or "").lower())
            ordinals[i] = ordinal
            if single_message(kind, loc):  # (a window of several has its context)
                chats[i] = self._chat_codes.setdefault((doc, title or ""), len(self._chat_codes))
        old = self.matrix[keep] if len(self.ids) else np.zeros((0, dim), dtype=np.float32)
        self.matrix = np.concatenate([old, matrix]) if n else old
        self.ids = np.concatenate([self.ids[keep], ids])
        self.kinds = np.concatenate([self.kinds[keep], kinds])
        self.start = np.concatenate([self.start[keep], start])
        self.end = np.concatenate([self.end[keep], end])
        self.senders = [s for s, k in zip(self.senders, keep, strict=True) if k] + senders
        self.chats = np.concatenate([self.chats[keep], chats])
        self.ordinals = np.concatenate([self.ordinals[keep], ordinals])
        self.prev, self.next = neighbours.links(self.chats, self.start, self.ordinals)
        self.row_of = {int(c): i for i, c in enumerate(self.ids)}

    def admits(self, row: int, flt: SearchFilter) -> bool:
        """Whether the chunk in ``row`` passes ``flt`` (one row: what ``mask`` does for all)."""
        if flt.kinds and (self.kinds[row] < 0 or KINDS[self.kinds[row]] not in flt.kinds):
            return False
        if flt.after is not None and not self.end[row] >= to_epoch(flt.after):
            return False
        if flt.before is not None and not self.start[row] < to_epoch(flt.before):
            return False
        if flt.senders:
            return any(s.lower() in self.senders[row] for s in flt.senders)
        return True

    def mask(self, flt: SearchFilter) -> np.ndarray | None:
        if flt.empty:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if flt.kinds:
            keep &= np.isin(self.kinds, [KINDS.index(k) for k in flt.kinds if k in KINDS])
        if flt.after is not None:
            with np.errstate(invalid="ignore"):
                keep &= self.end >= to_epoch(flt.after)
        if flt.before is not None:
            with np.errstate(invalid="ignore"):
                keep &= self.start < to_epoch(flt.before)
        if flt.senders:
            wanted = [s.lower() for s in flt.senders]
            keep &= np.array([any(w in s for w in wanted) for s in self.senders], dtype=bool)
        return keep

    def scores(self, query: np.ndarray) -> np.ndarray:
        return self.matrix @ query if len(self.ids) else np.zeros(0, dtype=np.float32)

    def top(self, query: np.ndarray, n: int, flt: SearchFilter) -> list[tuple[int, float]]:
        sims = self.scores(query)
        keep = self.mask(flt)
        if keep is not None:
            sims = np.where(keep, sims, -np.inf)
        n = min(n, len(sims))
        if n == 0:
            return []
        part = np.argpartition(-sims, n - 1)[:n]
        order = part[np.argsort(-sims[part])]
        return [(int(self.ids[i]), float(sims[i])) for i in order if np.isfinite(sims[i])]


def fts_terms(text: str, index_languages: tuple[str, ...] = ("en",)) -> list[str]:
    """The keyword-index terms of a query's meaningful words (assistant/tokens.py), or of
    all its words when every one is a stopword."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]
    found = tokens.query_terms(" ".join(words), index_languages) if words else []
    if not found:
        found = tokens.terms(text)
    return list(dict.fromkeys(found))[:32]


def fts_query(text: str, index_languages: tuple[str, ...] = ("en",)) -> str | None:
    """An FTS5 OR-query of the meaningful words, each quoted (no operator injection)."""
    words = fts_terms(text, index_languages)
    return " OR ".join(f'"{w}"' for w in words) if words else None


class Searcher:
    """Hybrid retrieval over one store with one embedder."""

    def __init__(
        self, store: Store, embedder: Embedder, context: float = neighbours.CONTEXT_SHARE
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.context = context  # share of a message's score its neighbours get (0: none)
        self.ranking = rerank.Ranking()  # ask's steps around a search (assistant/rerank.py)
        self.vectors = VectorIndex()
        self._vocab = False  # the temp fts5vocab table exists on this connection
        self._languages: tuple[int, tuple[str, ...]] = (-1, ("en",))

    def languages(self) -> tuple[str, ...]:
        """The languages of the indexed chunks (a query's Latin words are stemmed for each)."""
        generation = self.store.generation()
        if self._languages[0] != generation:
            found = tuple(row[0] for row in self.store.db.execute(
                "SELECT DISTINCT lang FROM chunk_terms"))
            self._languages = (generation, found or ("en",))
        return self._languages[1]

    def dense(self, query_vec: np.ndarray, n: int, flt: SearchFilter) -> list[tuple[int, float]]:
        self.vectors.refresh(self.store)
        return self.vectors.top(query_vec, n, flt)

    def selective(self, terms: list[str]) -> list[str]:
        """``terms`` without those in so many chunks that BM25 would score most of the
        index to learn almost nothing (their IDF is near zero); the rarest always stays.

        Document frequencies come from an fts5vocab view of the keyword index, which holds
        the same prepared terms as the query.
        """
        db = self.store.db
        if not self._vocab:
            db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab "
                "USING fts5vocab(main, chunks_fts, 'row')"
            )
            self._vocab = True
        limit = max(COMMON_DOCS, COMMON_SHARE * len(self.vectors.ids))
        df = {}
        for term in terms:
            row = db.execute("SELECT doc FROM temp.chunks_vocab WHERE term = ?", (term,)).fetchone()
            df[term] = row[0] if row else 0
        kept = [t for t in terms if df[t] <= limit]
        return kept or [min(terms, key=df.__getitem__)]

    def any_of(self, words: Sequence[str]) -> str:
        """A MATCH expression for any of ``words``, each prepared as the keyword index
        prepares it for every language the index holds (empty: nothing to look for)."""
        langs = dict.fromkeys((*(tokens.detect(w) for w in words), *self.languages()))
        found = {" ".join(tokens.terms(w, lang)) for w in words for lang in langs} - {""}
        return " OR ".join(f'"{f}"' for f in sorted(found))

    def document_frequency(self, term: str, cap: int = 1000) -> int:
        """In how many chunks ``term`` occurs (as the keyword index prepares it, for any
        language the index holds), up to ``cap``."""
        match = self.any_of([term])
        if not match:
            return 0
        (n,) = self.store.db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)",
            (match, cap),
        ).fetchone()
        return int(n)

    def together(self, term: str, others: Sequence[str]) -> bool:
        """Does some chunk hold ``term`` and one of ``others``? ("podcast" is written next
        to "Dirt & Dough" in the notes: the user's own data relates the two)."""
        first, rest = self.any_of([term]), self.any_of(others)
        if not first or not rest:
            return False
        row = self.store.db.execute(
            "SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1",
            (f"({first}) AND ({rest})",)).fetchone()
        return row is not None

    def keyword(self, query: str, n: int, flt: SearchFilter) -> list[int]:
        terms = fts_terms(query, self.languages())
        if not terms:
            return []
        self.vectors.refresh(self.store)  # its size is the chunk count ``selective`` needs
        where, args = ["chunks_fts MATCH ?"], [" OR ".join(f'"{t}"' for t in self.selective(terms))]
        if flt.kinds:
            where.append(f"c.kind IN ({','.join('?' * len(flt.kinds))})")
            args.extend(flt.kinds)
        if flt.after is not None:
            where.append("coalesce(c.time_end, c.time) >= ?")
            args.append(to_epoch(flt.after))
        if flt.before is not None:
            where.append("c.time < ?")
            args.append(to_epoch(flt.before))
        if flt.senders:
            where.append("(" + " OR ".join("lower(c.senders) LIKE ?" for _ in flt.senders) + ")")
            args.extend(f"%{s.lower()}%" for s in flt.senders)
        # Joining the chunks costs a row lookup per match: only when a filter needs them.
        join = " JOIN chunks c ON c.id = chunks_fts.rowid" if len(where) > 1 else ""
        sql = (
            f"SELECT chunks_fts.rowid FROM chunks_fts{join} WHERE {' AND '.join(where)} "
            "ORDER BY bm25(chunks_fts, 2.0, 1.0, 0.5) LIMIT ?"
        )
        return [row[0] for row in self.store.db.execute(sql, (*args, n))]

    def search(
        self,
        query: str,
        k: int = 5,
        flt: SearchFilter | None = None,
        *,
        mode: str = "hybrid",  # "hybrid" | "dense" | "keyword"
        named: tuple[str, ...] = (),
    ) -> list[Hit]:
        return self.search_vector(query, self.embedder.encode_query(query), k, flt, mode=mode,
                                  named=named)

    def search_vector(
        self,
        query: str,
        qvec: np.ndarray,
        k: int = 5,
        flt: SearchFilter | None = None,
        *,
        mode: str = "hybrid",
        named: tuple[str, ...] = (),  # senders the question names (Ranking.sender_boost)
    ) -> list[Hit]:
        """Search with an already embedded query (the daemon and benchmarks reuse vectors)."""
        flt = flt or SearchFilter()
        self.vectors.refresh(self.store)
        fused: dict[int, float] = {}
        ranking = self.ranking
        if mode in ("hybrid", "dense"):
            dense = self.dense(qvec, CANDIDATES, flt)
            weight = self._dense_weights(query, [cid for cid, _ in dense]) if (
                mode == "hybrid") else {}
            for rank, (cid, _) in enumerate(dense):
                fused[cid] = fused.get(cid, 0.0) + weight.get(cid, 1.0) / (RRF_K + rank + 1)
        if mode in ("hybrid", "keyword"):
            for rank, cid in enumerate(self.keyword(query, CANDIDATES, flt)):
                fused[cid] = fused.get(cid, 0.0) + KEYWORD_WEIGHT / (RRF_K + rank + 1)
        vectors = self.vectors
        if ranking.sender_boost > 0 and named:
            # a prior, not a filter: "when is Owen's birthday" may be answered by a note
            wanted = [n.lower() for n in named]
            for cid in fused:
                row = vectors.row_of.get(cid)
                if row is not None and any(w in vectors.senders[row] for w in wanted):
                    fused[cid] *= 1.0 + ranking.sender_boost
        fused = neighbours.spread(
            fused,
            vectors.row_of.get,
            lambda row: int(vectors.ids[row]),
            vectors.prev,
            vectors.next,
            lambda row: vectors.admits(row, flt),
            self.context,
        )
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        return self._hits(best, qvec)

    def _dense_weights(self, query: str, ids: list[int]) -> dict[int, float]:
        """UNCOVERED_DENSE_WEIGHT for every dense candidate when the embedder does not
        cover the question's language; empty (all 1.0) otherwise."""
        covered = getattr(self.embedder, "languages", None)
        if covered is None or not ids:
            return {}
        if tokens.detect(query) not in covered:
            return dict.fromkeys(ids, UNCOVERED_DENSE_WEIGHT)
        return {}

    def _hits(self, ranked: list[tuple[int, float]], qvec: np.ndarray) -> list[Hit]:
        if not ranked:
            return []
        ids = [cid for cid, _ in ranked]
        rows = {
            row[0]: row
            for row in self.store.db.execute(
                "SELECT c.id, c.kind, d.path, c.title, c.text, c.locator, c.time, c.senders "
                f"FROM chunks c JOIN documents d ON d.id = c.doc_id "
                f"WHERE c.id IN ({','.join('?' * len(ids))})",
                ids,
            )
        }
        hits = []
        for cid, score in ranked:
            row = rows.get(cid)
            if row is None:  # deleted between the ranking and this read
                continue
            r = self.vectors.row_of.get(cid)
            sim = float(self.vectors.matrix[r] @ qvec) if r is not None else 0.0
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    score=score,
                    kind=row[1],
                    path=row[2],
                    title=row[3],
                    text=row[4],
                    locator=row[5],
                    time=datetime.fromtimestamp(row[6], UTC) if row[6] is not None else None,
                    chunk_id=cid,
                    similarity=sim,
                    senders=tuple(s for s in (row[7] or "").split("\n") if s),
                )
            )
        return hits

    def in_context(self, hits: list[Hit], reach: int = 1) -> list[Hit]:
        """``hits`` with each chat message read among the ``reach`` messages either side of
        it in its conversation ("yes, the 14th" with the question it answers), for the
        answer step: ranking reads messages alone, an answer reads them in context. Hits
        whose context overlaps are merged into the better-ranked one."""
        vectors = self.vectors
        spans: list[list[int]] = []  # rows of each hit, in conversation order
        owner: dict[int, int] = {}  # row -> index of the span holding it
        keep: list[Hit] = []
        for hit in hits:
            row = vectors.row_of.get(hit.chunk_id)
            if hit.kind != "message" or row is None or vectors.chats[row] < 0:
                keep.append(hit)
                spans.append([])
                continue
            if row in owner:  # already read in a better hit's context
                continue
            rows = [row]
            for step, front in ((vectors.prev, True), (vectors.next, False)):
                for at in neighbours.along(step, row, reach):
                    if at in owner:
                        break
                    rows.insert(0, at) if front else rows.append(at)
            for r in rows:
                owner[r] = len(spans)
            keep.append(hit)
            spans.append(rows)
        wanted = [int(vectors.ids[r]) for rows in spans for r in rows]
        if not wanted:
            return keep
        found = {
            cid: (text, locator, senders)
            for cid, text, locator, senders in self.store.db.execute(
                f"SELECT id, text, locator, senders FROM chunks WHERE id IN "
                f"({','.join('?' * len(wanted))})",
                wanted,
            )
        }
        out: list[Hit] = []
        for hit, rows in zip(keep, spans, strict=True):
            parts = [found.get(int(vectors.ids[r])) for r in rows]
            parts = [p for p in parts if p is not None]
            if len(parts) < 2:
                out.append(replace(hit, rank=len(out) + 1))
                continue
            senders = tuple(dict.fromkeys(
                s for _, _, snd in parts for s in (snd or "").split("\n") if s))
            first, last = parts[0][1], parts[-1][1]
            out.append(replace(
                hit,
                rank=len(out) + 1,
                text="\n".join(text for text, _, _ in parts),
                locator=f"{first}..{last}",
                senders=senders,
            ))
        return out
