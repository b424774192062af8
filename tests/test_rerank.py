"""Ask's ranking steps around one search: a second pass for what the top hits leave out of
the question, and a sender prior."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from assistant import library, rerank
from assistant.retrieve import fts_terms
from conftest import write_config, write_tree


def test_the_second_pass_asks_for_the_words_the_top_hits_do_not_hold() -> None:
    rest = rerank.second_query(
        "Which bakery and which florist did Ada recommend?",
        ["Ada: the bakery on Hauptstrasse is the best"], fts_terms)
    assert rest is not None
    assert "florist" in rest.split()
    assert "bakery" not in rest.split() and "Ada" not in rest.split()


def test_no_second_pass_when_it_would_ask_nothing_new() -> None:
    assert rerank.second_query("bakery", ["the bakery"], fts_terms) is None  # all covered
    assert rerank.second_query("florist", ["the bakery"], fts_terms) is None  # same question
    assert rerank.second_query("florist", [], fts_terms) is None  # nothing found to cover it


def test_senders_are_named_by_a_name_word_of_three_letters_or_more() -> None:
    known = ["Ada Brandt", "Jo Li", "Sam Keller"]
    assert rerank.senders_in("what is ada's new address", known) == ("Ada Brandt",)
    assert rerank.senders_in("did jo call", known) == ()  # too short to be sure
    assert rerank.senders_in("a keller in the basement", known) == ("Sam Keller",)


def test_both_steps_are_on_by_default_and_can_be_turned_off() -> None:
    shipped = rerank.Ranking()
    assert shipped.second_weight > 0 and shipped.sender_boost > 0


def _whatsapp(lines: list[tuple[str, str]]) -> str:
    """An Android WhatsApp export, one message per 5 hours (each its own conversation)."""
    when = datetime(2026, 9, 1, 9, 0)
    out = []
    for who, text in lines:
        when += timedelta(hours=5)
        out.append(f"{when:%d/%m/%Y, %H:%M} - {who}: {text}")
    return "\n".join(out) + "\n"


def test_the_second_pass_lifts_the_other_thing_a_question_asks_about(
    tmp_path: Path, make_runtime
) -> None:
    """Messages about bakeries fill the first pass; the second asks for the florist alone,
    and the message about the flowers (which never says "florist") ranks higher for it."""
    chat = [("Ada Brandt", text) for text in (
        "I recommend the bakery Kornblume for sourdough bread, best bakery in town",
        "Bakery Hofmann has rye bread and pretzels, closed on Mondays though",
        "my bakery list: Kornblume, Hofmann, Lotte. bread and cake every Saturday",
        "bakery tip: cheesecake at the bakery by the river",
        "I recommend the dentist Dr. Weiss, and the hairdresser on Lindenstrasse",
        "you can borrow my bike, I recommend the bike shop Speiche",
        "Blütenzauber near the station does lovely wedding flowers",
        "the plumber called again", "the last train was late today",
    )]
    write_tree(tmp_path, {"messages/WhatsApp Chat with Ada Brandt.txt": _whatsapp(chat)})
    write_config(tmp_path, [("messages", "messages")])
    rt = make_runtime(tmp_path)
    library.index(rt)
    asker = library.answerer(rt)
    question = "Which bakery and which florist did Ada recommend?"

    def flowers_rank(ranking: rerank.Ranking) -> int:
        asker.searcher.ranking = ranking
        hits, _ = asker.retrieve(question, 8)
        return next(h.rank for h in hits if "Blütenzauber" in h.text)

    assert flowers_rank(rerank.Ranking()) < flowers_rank(rerank.Ranking(second_weight=0.0))
