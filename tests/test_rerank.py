"""The optional ranking steps: each is off by default, and each does one plain thing."""

from __future__ import annotations

import numpy as np

from assistant import rerank
from assistant.retrieve import fts_terms


def test_the_shipped_ranking_is_the_default() -> None:
    shipped = rerank.Ranking()
    assert shipped.feedback_k == 0 and shipped.session_share == 0
    assert shipped.entity_weight == 0 and shipped.sender_boost == 0


def test_the_second_pass_asks_for_the_words_the_top_hit_does_not_hold() -> None:
    rest = rerank.uncovered(
        "Which bakery and which florist did Ada recommend?",
        "Ada: the bakery on Hauptstrasse is the best", fts_terms)
    assert "florist" in rest.split()
    assert "bakery" not in rest.split() and "Ada" not in rest.split()


def test_feedback_moves_the_query_towards_its_hits_and_keeps_it_a_unit_vector() -> None:
    query = np.array([1.0, 0.0], dtype=np.float32)
    matrix = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    moved = rerank.rocchio(query, matrix, [0], 0.5)
    assert moved[1] > 0 and abs(float(np.linalg.norm(moved)) - 1.0) < 1e-6
    assert rerank.rocchio(query, matrix, [], 0.5) is query


def test_sessions_label_each_linked_run_of_messages_alike() -> None:
    # rows 0-1-2 one conversation, 3-4 another, 5 alone
    prev = np.array([-1, 0, 1, -1, 3, -1])
    label = rerank.sessions(prev)
    assert label[0] == label[1] == label[2]
    assert label[3] == label[4] != label[0]
    assert label[5] not in (label[0], label[3])


def test_a_candidate_gains_from_the_best_other_candidate_of_its_session() -> None:
    label = np.array([0, 0, 2])
    scores = {10: 1.0, 11: 0.2, 12: 0.5}
    out = rerank.session_prior(scores, {10: 0, 11: 1, 12: 2}.get, label, 0.5)
    assert out[11] == 0.2 + 0.5 * 1.0
    assert out[10] == 1.0 + 0.5 * 0.2
    assert out[12] == 0.5  # alone in its session


def test_entities_are_the_capitalised_words_after_the_first() -> None:
    assert rerank.entities("When did Caroline go to Sweden's lakes?") == ["Caroline", "Sweden"]
    assert rerank.entities("What did Caroline paint?", frozenset({"caroline"})) == []


def test_pairs_join_adjacent_hits_and_give_a_lone_hit_its_better_neighbour() -> None:
    # one conversation of rows 0..5 in order
    prev = np.array([-1, 0, 1, 2, 3, 4])
    nxt = np.array([1, 2, 3, 4, 5, -1])
    worth = {0: 0.0, 1: 0.1, 2: 0.9, 3: 0.0, 4: 0.3, 5: 0.2}.__getitem__
    units = rerank.pairs([3, 0, 4], prev, nxt, worth, k=2)
    assert units == [[3, 4], [0, 1]]  # 4 joined 3; 0 took its only neighbour
    assert all(len(u) <= 2 for u in units)
    assert rerank.pairs([1], prev, nxt, worth, k=1) == [[1, 2]]  # 2 is worth more than 0
