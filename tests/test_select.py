"""The selector picks the statement that answers, whatever the data's wording: a value over
a statement that only points elsewhere, the new value when the question asks for it, the
current one when it asks for that. Real embedder; hits written here, not indexed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.config import EmbeddingConfig
from assistant.embed import Embedder
from assistant.phrases import load
from assistant.plan import Planner
from assistant.retrieve import Hit
from assistant.select import Choice, Selector
from assistant.vocab import Vocabulary

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2027, 5, 13, 9, 0, tzinfo=TZ)
SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def selector() -> Selector:
    return Selector(load("en"), Embedder.from_config(EmbeddingConfig()).encode_cached)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner(Vocabulary(), TZ)


def hit(n: int, text: str, title: str, kind: str = "note", path: str | None = None) -> Hit:
    return Hit(n + 1, 1.0 / (n + 1), kind, path or f"/data/{title.lower().replace(' ', '-')}.md",
               title, text, f"L1-L{n + 3}", None, n, 0.5)


def choose(selector: Selector, planner: Planner, question: str, hits: list[Hit]) -> Choice:
    return selector.choose(planner.plan(question, NOW), hits, NOW)


def answer_text(choice: Choice) -> str:
    return choice.best[0].unit.text if choice.best else ""


ITEMS = st.sampled_from(["jersey", "hoodie", "paddle", "helmet", "tracksuit", "scarf"])
PRICES = st.integers(12, 480)


@SETTINGS
@given(item=ITEMS, price=PRICES, where=st.sampled_from(["see Telegram", "see the group chat",
                                                         "details in the WhatsApp group"]))
def test_a_value_in_another_source_beats_a_statement_that_only_points_to_it(
        selector: Selector, planner: Planner, item: str, price: int, where: str) -> None:
    hits = [
        hit(0, f"[2027-05-06 19:22] Dev Ramnarine: {item.title()} order is in, ${price} each. "
               "E-transfer to me by May 20 and put your size in the message", "Club chat",
            kind="message", path="/data/chat.json"),
        hit(1, f"## Team\nSeason fee $375, paid by e-transfer on March 1.\n"
               f"Team gear: {item} order this year ({where}), shorts are your own.", "Team info"),
    ]
    choice = choose(selector, planner, f"how much are the team {item}s", hits)
    assert choice.verdict == "answer"
    assert f"${price}" in answer_text(choice)


@given(word=st.sampled_from(["hoodie", "movie", "cookie", "brownie", "city", "party", "story"]))
def test_a_plural_in_ies_holds_its_singular(word: str) -> None:
    from assistant.select import _holds

    p = load("en")
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    assert _holds({p.lemma(word)}, p.lemma(plural)) and _holds({p.lemma(plural)}, p.lemma(word))


# (the note that tells a pointer from a value of another thing in itself: test_answer.py,
# test_a_note_that_says_where_a_fact_is_answers_instead_of_a_value_of_another_thing)


MONTHS_AHEAD = st.sampled_from(["July", "August", "September", "October", "November"])
NEW_QUESTIONS = ["what will the {noun} be in {month}", "{noun} going up in {month} to what",
                 "what's the new {noun}", "what is the {noun} going up to",
                 "how much is the {noun} from {month}"]
NOW_QUESTIONS = ["what's our {noun} right now", "how much is the {noun} currently",
                 "what's the {noun} at the moment"]


def change_hits(noun: str, old: int, new: int, month: str) -> list[Hit]:
    return [
        hit(0, f"## Our place\nMoved in 2025.\n{noun.title()} now ${old:,}/month, paid on the 1st\n"
               f"Renewal letter came by email May 3: new {noun} ${new:,} from {month} 1.",
            "Apartment"),
        hit(1, f"From: Nikos Petrakis\nSubject: Renewal\n\nThe new {noun} from {month} 1, 2027 "
               f"will be ${new:,} per month.", "Renewal", kind="email", path="/data/inbox.mbox"),
    ]


@SETTINGS
@given(noun=st.sampled_from(["rent", "fee", "membership"]), old=st.integers(900, 2900),
       rise=st.integers(20, 300), month=MONTHS_AHEAD, form=st.sampled_from(NEW_QUESTIONS))
def test_a_question_about_the_new_value_gets_the_new_value(
        selector: Selector, planner: Planner, noun: str, old: int, rise: int, month: str,
        form: str) -> None:
    hits = change_hits(noun, old, old + rise, month)
    choice = choose(selector, planner, form.format(noun=noun, month=month.lower()), hits)
    assert choice.verdict == "answer"
    assert f"${old + rise:,}" in answer_text(choice)


@SETTINGS
@given(noun=st.sampled_from(["rent", "fee", "membership"]), old=st.integers(900, 2900),
       rise=st.integers(20, 300), month=MONTHS_AHEAD, form=st.sampled_from(NOW_QUESTIONS))
def test_a_question_about_the_value_now_gets_the_current_value(
        selector: Selector, planner: Planner, noun: str, old: int, rise: int, month: str,
        form: str) -> None:
    hits = change_hits(noun, old, old + rise, month)
    choice = choose(selector, planner, form.format(noun=noun), hits)
    assert choice.verdict == "answer"
    assert f"${old:,}" in answer_text(choice)


@given(old=st.integers(100, 999), new=st.integers(1000, 2000),
       arrow=st.sampled_from([" to ", " → ", " -> "]))
def test_a_statement_from_one_value_to_another_states_a_new_value(
        old: int, new: int, arrow: str) -> None:
    from assistant.select_rules import stated_tense

    assert stated_tense(f"Gym fee £{old}{arrow}£{new} a month", "amount", load("en")) == "new"
    assert stated_tense(f"Gym fee £{old} a month", "amount", load("en")) is None
