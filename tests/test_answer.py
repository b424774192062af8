"""Answers: cite the right note, refuse what the data does not hold, ignore injected text."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import library
from conftest import INJECTION_NOTE, write_tree

pytestmark = pytest.mark.slow


@pytest.fixture
def indexed(notes_home: Path, make_runtime):
    write_tree(notes_home / "notes", {"scratch.md": INJECTION_NOTE})
    rt = make_runtime(notes_home)
    library.index(rt)
    return rt


@pytest.mark.parametrize(
    ("question", "note", "fact"),
    [
        ("When does my flight to Lisbon leave?", "lisbon.md", "07:10"),
        ("What is my sourdough starter called?", "sourdough.md", "Gertrude"),
        ("How much is my rent?", "apartment.md", "1,240"),
    ],
)
def test_ask_answers_from_and_cites_the_right_note(indexed, question, note, fact) -> None:
    answer = library.ask(indexed, question)
    assert answer.grounded, answer.answer
    assert answer.route == "search"
    assert fact in answer.answer
    assert answer.citations and answer.citations[0].path.endswith(note)
    assert f"[{answer.citations[0].n}]" in answer.answer


def test_an_unanswerable_question_is_refused_with_sources(indexed) -> None:
    answer = library.ask(indexed, "What is the name of my cat?")
    assert not answer.grounded
    assert "could not find" in answer.answer.lower()
    assert answer.citations == []
    assert answer.hits  # the best sources are still listed


def test_injected_instructions_in_a_note_are_not_obeyed(indexed) -> None:
    for question in ("What is in my meeting scratchpad?", "When does my flight to Lisbon leave?"):
        answer = library.ask(indexed, question)
        assert "PWNED" not in answer.answer
        assert "system prompt" not in answer.answer.lower()
    assert "07:10" in library.ask(indexed, "When does my flight to Lisbon leave?").answer


def test_the_bundled_model_answer_is_delivered_at_once_without_loading_the_model(indexed) -> None:
    tokens: list[str] = []
    answer = library.ask(indexed, "What is my sourdough starter called?", on_token=tokens.append)
    assert "".join(tokens).strip() == answer.answer  # the chosen statement, not generated
    assert indexed._llm is None


ROUTER_NOTE = """# Home network

WiFi name: Lindenhof-5G
Password: quartz-heron-2291
Guest password: hello-guests-77

Router settings page: http://192.168.178.1 (the admin password is printed on the label
under the router, I never wrote it down)
"""


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("what's the admin password for the router?", "label under the router"),
        ("router admin pasword", "label under the router"),  # a typo, no question word
        ("what is the wifi password", "quartz-heron-2291"),
    ],
)
def test_a_note_that_says_where_a_fact_is_answers_instead_of_a_value_of_another_thing(
        notes_home: Path, make_runtime, question: str, said: str) -> None:
    # the note holds the wifi's password and says where the admin password is: asked for
    # the admin password, the wifi's is not the answer
    write_tree(notes_home / "notes", {"network.md": ROUTER_NOTE})
    rt = make_runtime(notes_home)
    library.index(rt)
    answer = library.ask(rt, question)
    assert said in answer.answer and answer.citations[0].path.endswith("network.md")


def test_a_note_marked_outdated_loses_to_the_current_one(notes_home: Path, make_runtime) -> None:
    write_tree(notes_home / "notes", {
        "trip-v1-OUTDATED.md": "# ~~Porto in April~~ – OUTDATED\n\nHotel: Casa Azul, Rua Nova 5.\n",
        "trip.md": "# Porto in May\n\nHotel: Casa da Ribeira, Rua da Fonte Taurina 34.\n",
    })
    rt = make_runtime(notes_home)
    library.index(rt)
    answer = library.ask(rt, "which hotel are we staying at in porto?")
    assert "Casa da Ribeira" in answer.answer and answer.citations[0].path.endswith("/trip.md")


FAMILY_NOTE = """# Family

## Felix (brother)
- Munich, Clemensstraße 31
- Mobile: +49 152 0417 3390
- Partner: Lena Vogt (paediatric nurse). Daughter: Mia

## Papa
- Knee operation on 3 March: it went well, he is home again.
"""


def _ask_family(notes_home: Path, make_runtime, question: str):
    write_tree(notes_home / "notes", {"family.md": FAMILY_NOTE})
    rt = make_runtime(notes_home)
    library.index(rt)
    return library.ask(rt, question)


@pytest.mark.parametrize("question", [
    "what's lena's mobile number?", "lena's phone number please", "Lena's mobile?",
])
def test_whose_number_is_asked_must_be_whose_number_is_answered(
        notes_home: Path, make_runtime, question: str) -> None:
    # the only mobile near Lena's name is her partner's: "lena's" names whose it must be
    answer = _ask_family(notes_home, make_runtime, question)
    assert not answer.grounded and "0417" not in answer.answer.split("Closest")[0]


@pytest.mark.parametrize("question", ["how did dad's knee operation go", "how's my father's knee?"])
def test_a_relative_is_found_under_another_word_for_them(
        notes_home: Path, make_runtime, question: str) -> None:
    answer = _ask_family(notes_home, make_runtime, question)
    assert answer.grounded and "went well" in answer.answer


@pytest.mark.parametrize("when", ["last week's", "this month's", "yesterday's"])
def test_a_time_phrase_in_the_possessive_is_no_topic(indexed, when: str) -> None:
    plan = library.planner(indexed).plan(f"what did we decide in {when} design review",
                                         indexed.now)
    assert plan.focus == ("decid", "design", "review") or "week" not in plan.focus
    assert not {"week", "month", "yesterday"} & set(plan.focus)


@pytest.mark.parametrize("question", ["owen's mom phone number", "phone number of owen's mum"])
def test_a_relatives_number_is_theirs_not_the_named_persons(
        notes_home: Path, make_runtime, question: str) -> None:
    write_tree(notes_home / "notes", {"contacts.md": (
        "# Contacts\n\n- Owen Mackenzie: owen@example.org\n"
        "- Marguerite (Owen's mom): 905-555-0112\n")})
    rt = make_runtime(notes_home)
    library.index(rt)
    answer = library.ask(rt, question)
    assert answer.grounded and "905-555-0112" in answer.answer


@pytest.mark.parametrize(("question", "value"), [
    ("whats the wifi password", "K7-blue-42"), ("wifi pw?", "K7-blue-42"),
    ("the home wifi passwd please", "K7-blue-42"),
    ("booking reference for the ferry", "FX-2291"), ("ferry ref", "FX-2291"),
])
def test_a_shortened_label_answers_for_the_word_it_shortens(
        notes_home: Path, make_runtime, question: str, value: str) -> None:
    write_tree(notes_home / "notes", {"codes.txt": (
        "WIFI   HomeNet   pw: K7-blue-42\n\nferry to the island: booking reference FX-2291\n")})
    rt = make_runtime(notes_home)
    library.index(rt)
    answer = library.ask(rt, question)
    assert answer.grounded and value in answer.answer


@pytest.mark.parametrize(("menu", "when", "dishes", "day"), [
    ("Todavía no está decidido: birria o pozole.", "Mamá lo confirma con el salón el 20 de mayo.",
     "birria or pozole", "20 de mayo"),
    ("Not decided yet: lasagne or curry.", "Mum confirms with the venue on 20 May.",
     "lasagne or curry", "20 May"),
])
def test_an_answer_that_is_not_decided_yet_says_so_and_when_it_will_be(
        notes_home: Path, make_runtime, menu: str, when: str, dishes: str, day: str) -> None:
    # the note is in Spanish or English, the question in English: either way, not known yet
    write_tree(notes_home / "notes", {"party.md": f"# Abuela's 90th\n\n## Menu\n{menu} {when}\n"
                                                  "Order a dish without seafood for Owen.\n"})
    rt = make_runtime(notes_home)
    library.index(rt)
    answer = library.ask(rt, f"is it {dishes} at abuela's 90th")
    # a Spanish note is framed in the question's words; the English one says it itself
    assert answer.answer.startswith(("Not known yet: Todavía", "Not decided yet:"))
    assert day in answer.answer and "Not known yet: Not decided" not in answer.answer
