"""A chat message ranks with its conversation: its neighbours' scores flow into its own.

A message is indexed alone (a hit costs one message to read), but alone it is often
unreadable: "yes, the 14th" answers the message before it. Ranking lends each message a
share of the scores of the messages around it in the same chat (CONTEXT_SHARE, halved per
step, up to CONTEXT_REACH messages away, never across a silence that starts a new
conversation), so the answer to a question ranks even when the question's words are in
the message it answers.

bench/locomo.py (ask's retrieval, single messages), recall within 5 / 10 messages read:
55.2 / 65.4 without the context, 60.5 / 70.9 with it; windows of 6 messages read as one
hit reach 48.9 / 64.1. Share and reach were chosen on that set and are flat around the
chosen values (share 0.4-0.5, reach 2, decay 0.5-0.7 all within 0.5 points).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from assistant.chunking import DEFAULT_OPTIONS

CONTEXT_SHARE = 0.5  # of a message's fused score given to each adjacent message
CONTEXT_DECAY = 0.5  # ... multiplied by this for each further step
CONTEXT_REACH = 2  # messages either side
GAP_SECONDS = DEFAULT_OPTIONS.window_gap.total_seconds()  # a longer silence: a new conversation


def links(
    chats: np.ndarray, start: np.ndarray, ordinal: np.ndarray, gap: float = GAP_SECONDS
) -> tuple[np.ndarray, np.ndarray]:
    """The previous and next row of each row in its conversation, or -1.

    ``chats`` holds one integer per row naming its chat (-1: not a chat message);
    consecutive rows of a chat, in time order, are linked unless ``gap`` seconds or more of
    silence lie between them.
    """
    n = len(chats)
    prev = np.full(n, -1, dtype=np.int64)
    nxt = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(chats >= 0)
    if len(rows) < 2:
        return prev, nxt
    times = np.nan_to_num(start[rows], nan=0.0)
    order = rows[np.lexsort((ordinal[rows], times, chats[rows]))]
    a, b = order[:-1], order[1:]
    joined = (chats[a] == chats[b]) & (np.abs(start[b] - start[a]) <= gap)
    prev[b[joined]] = a[joined]
    nxt[a[joined]] = b[joined]
    return prev, nxt


def along(step: np.ndarray, row: int, reach: int) -> Iterator[int]:
    """The rows ``step`` (``prev`` or ``next`` of ``links``) leads to from ``row``, at most
    ``reach`` of them, up to the conversation's end."""
    for _ in range(reach):
        row = int(step[row])
        if row < 0:
            return
        yield row


def spread(
    scores: dict[int, float],
    row_of: Callable[[int], int | None],
    id_of: Callable[[int], int],
    prev: np.ndarray,
    nxt: np.ndarray,
    admits: Callable[[int], bool],
    share: float = CONTEXT_SHARE,
) -> dict[int, float]:
    """``scores`` (chunk id -> fused score) with each chat message's share added to its
    neighbours, those the search's filter ``admits`` (by row)."""
    if share <= 0 or not len(prev):
        return scores
    out = dict(scores)
    for cid, score in scores.items():
        row = row_of(cid)
        if row is None:
            continue
        for step in (prev, nxt):
            gift = share * score
            for at in along(step, row, CONTEXT_REACH):
                if admits(at):
                    other = id_of(at)
                    out[other] = out.get(other, 0.0) + gift
                gift *= CONTEXT_DECAY
    return out
