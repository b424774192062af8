"""A chat message is indexed alone and ranked with its conversation."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import library, neighbours
from assistant.migrations import MIGRATIONS
from assistant.store import Store
from conftest import write_config

START = datetime(2026, 9, 1, 9, 0)
FILLER = [  # 36 other things two people write to each other
    f"{who} {what}"
    for who in ("the plumber", "your mum", "the new bakery", "my boss", "the neighbours",
                "the last train")
    for what in ("called again", "is closed on mondays", "was late today", "sent photos",
                 "wants to meet on friday", "was so loud last night")
] + [  # and the question's words in other senses, on other days
    "my bike has a flat tyre again", "they changed the lock on the front door",
    "the discount code didn't work", "the bike shop closes at 6", "the code review took ages",
    "locked myself out lol", "new bike lights arrived", "the cellar smells of paint",
]


def _chat(exchange: list[tuple[str, str]], pause: timedelta = timedelta(minutes=2)) -> str:
    """An Android WhatsApp export: filler chatter on other days, then ``exchange``."""
    lines, when = [], START
    for i, text in enumerate(FILLER):
        when += timedelta(hours=5)
        lines.append(f"{when:%d/%m/%Y, %H:%M} - {'Ada Brandt' if i % 2 else 'Sam Keller'}: {text}")
    when += timedelta(days=1)
    for who, text in exchange:
        lines.append(f"{when:%d/%m/%Y, %H:%M} - {who}: {text}")
        when += pause
    return "\n".join(lines) + "\n"


BIKE = [("Sam Keller", "what's the code for the bike lock in the cellar again?"),
        ("Ada Brandt", "4471, same as the gate")]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "messages").mkdir()
    write_config(tmp_path, [("messages", "messages")])
    return tmp_path


def _rank_of(rt, text: str, question: str) -> int:
    hits = library.search(rt, question, k=40)
    return next(h.rank for h in hits if text in h.text)


def test_every_chat_message_is_its_own_hit(home: Path, make_runtime) -> None:
    (home / "messages" / "WhatsApp Chat with Ada Brandt.txt").write_text(_chat(BIKE))
    rt = make_runtime(home)
    library.index(rt)
    assert rt.store.counts()["chunks"] == {"message": len(FILLER) + len(BIKE)}
    hit = library.search(rt, "bike lock code", k=1)[0]
    assert hit.text.count("\n") == 0 and ".." not in hit.locator


def test_a_reply_ranks_by_the_question_it_answers(home: Path, make_runtime) -> None:
    (home / "messages" / "WhatsApp Chat with Ada Brandt.txt").write_text(_chat(BIKE))
    rt = make_runtime(home)
    library.index(rt)
    assert _rank_of(rt, "4471", "whats the code of the bike lock") <= 2
    library.searcher(rt).context = 0.0  # alone, the reply shares no word and little meaning with it
    assert _rank_of(rt, "4471", "whats the code of the bike lock") > 2


def test_a_long_silence_ends_the_conversation(home: Path, make_runtime) -> None:
    (home / "messages" / "WhatsApp Chat with Ada Brandt.txt").write_text(
        _chat(BIKE, pause=timedelta(hours=3)))
    rt = make_runtime(home)
    library.index(rt)
    assert _rank_of(rt, "4471", "whats the code of the bike lock") > 2


def test_ask_reads_the_reply_with_the_question_and_quotes_the_answer(
    home: Path, make_runtime
) -> None:
    (home / "messages" / "WhatsApp Chat with Ada Brandt.txt").write_text(_chat(BIKE))
    rt = make_runtime(home)
    library.index(rt)
    answer = library.ask(rt, "whats the code of the bike lock")
    assert answer.grounded and "4471" in answer.answer
    assert ".." in answer.citations[0].locator  # the reply read in its conversation


def test_an_index_of_conversation_windows_reads_its_chats_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.store.MIGRATIONS", [m for m in MIGRATIONS if m[0] <= 7])
    old = Store(tmp_path / "a.db")
    for doc, (path, kind) in enumerate([("/chat.txt", "message"), ("/note.md", "note")], 1):
        old.db.execute("INSERT INTO documents(path, kind, format, hash, mtime, size, indexed_at) "
                       "VALUES (?, 'x', 'x', 'h', 5, 1, 0)", (path,))
        old.db.execute("INSERT INTO chunks(doc_id, ordinal, kind, text, locator, text_hash) "
                       "VALUES (?, 0, ?, 'hello', 'L1', 'x')", (doc, kind))
    old.db.commit()
    old.close()
    monkeypatch.undo()
    store = Store(tmp_path / "a.db")
    rows = dict(store.db.execute("SELECT path, hash FROM documents"))
    assert rows == {"/chat.txt": "", "/note.md": "h"}  # only the chat is read again


# --- the two functions, on generated conversations ---------------------------------


@st.composite
def conversations(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(0, 40))
    chats = np.array(draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n)), dtype=np.int64)
    gaps = draw(st.lists(st.sampled_from([60, 600, 3000, 20000]), min_size=n, max_size=n))
    start = np.cumsum(np.array(gaps, dtype=np.float64))
    order = np.array(draw(st.permutations(range(n))), dtype=np.int64) if n else np.zeros(0, int)
    return chats[order], start[order], np.arange(n, dtype=np.int64)[order]


@settings(max_examples=200, deadline=None)
@given(conversations())
def test_links_join_each_message_to_the_next_of_its_chat_unless_a_silence_parts_them(
    conv: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    chats, start, ordinal = conv
    prev, nxt = neighbours.links(chats, start, ordinal)
    for row in range(len(chats)):
        if nxt[row] >= 0:
            assert prev[nxt[row]] == row  # the two links agree
            assert chats[nxt[row]] == chats[row] >= 0
            assert 0 <= start[nxt[row]] - start[row] <= neighbours.GAP_SECONDS
        if chats[row] < 0:
            assert prev[row] == nxt[row] == -1  # notes, mails, windows: never linked
        later = [r for r in range(len(chats)) if chats[r] == chats[row] and start[r] > start[row]]
        if chats[row] >= 0 and later:
            following = min(later, key=lambda r: start[r])
            close = start[following] - start[row] <= neighbours.GAP_SECONDS
            assert (nxt[row] == following) == close


def test_spread_gives_a_halving_share_up_to_two_messages_away_within_the_filter() -> None:
    prev = np.array([-1, 0, 1, 2, 3])
    nxt = np.array([1, 2, 3, 4, -1])
    ids = [10, 11, 12, 13, 14]
    out = neighbours.spread({12: 1.0}, {c: i for i, c in enumerate(ids)}.get,
                            ids.__getitem__, prev, nxt, lambda row: row != 3)
    assert out == {12: 1.0, 11: 0.5, 10: 0.25, 14: 0.25}  # row 3 is filtered out
