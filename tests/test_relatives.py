"""A word for a relative names the person the user's own data says it is: "my sister Ewa"
in a note, and "what time do I call my sister?" finds the event "Ewa 📞"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import library
from assistant.config import load_config
from assistant.relatives import find
from assistant.runtime import Runtime
from conftest import write_config, write_tree

NAMES = st.sampled_from(["Ewa", "Maureen", "Tomasz", "Inês", "Jakub", "Leilani"])
KIN = st.sampled_from([("sister", "sister"), ("sis", "sister"), ("brother", "brother"),
                       ("Dad", "father"), ("mum", "mother"), ("Schwester", "sister"),
                       ("siostra", "sister"), ("husband", "husband"), ("Tochter", "daughter"),
                       ("grandson", "grandson")])
SAID = st.sampled_from([
    "Sunday call with my {kin} {name} as always", "{name}, my {kin}, flies in on Friday",
    "- {name} ({kin}, Kraków) +48 601 000 111", "{name} (my {kin})",
    "meine {kin} {name} kommt", "Called my little {kin} {name} tonight"])


@settings(deadline=None)
@given(name=NAMES, kin=KIN, said=SAID)
def test_the_data_says_who_a_relative_is(name: str, kin: tuple[str, str], said: str) -> None:
    word, relative = kin
    assert find([said.format(kin=word, name=name)]) == {relative: frozenset({name.lower()})}


@pytest.mark.parametrize("said", [
    "my brother, Lisbon. +351 910 000 187",  # where he lives, after a comma
    "Sunday at Oma in Lübeck (Papa drives)",  # a relative in brackets is no label here
    "1 TL Kakao (Oma's secret)",  # whose secret, not who Kakao is
    "my sister Monday", "lunch with my dad Tomorrow",
    "# Ewa (sister)\nhusband: Michał Sroka"])  # her husband, not the user's
def test_words_that_only_stand_near_a_relative_name_nobody(said: str) -> None:
    assert "husband" not in find([said]) and all(
        "sister" not in find([said]) or find([said])["sister"] == {"ewa"} for _ in [0])
    if "Ewa" not in said:
        assert find([said]) == {}


@pytest.mark.parametrize(("said", "pet", "name"), [
    ("# Pierogi 🐶\nbeagle mix, 31 lb", "dog", "pierogi"), ("Bolacha 🐈 (tortie)", "cat", "bolacha"),
    ("our dog Rex hates the vet", "dog", "rex"), ("Tamal (dog) - insurance", "dog", "tamal")])
def test_a_pet_is_named_like_family(said: str, pet: str, name: str) -> None:
    assert find([said]) == {pet: frozenset({name})}


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//EN\r
BEGIN:VEVENT\r
UID:ewa-call@test\r
DTSTAMP:20270101T000000Z\r
DTSTART;TZID=Europe/Berlin:20270103T140000\r
DTEND;TZID=Europe/Berlin:20270103T150000\r
RRULE:FREQ=WEEKLY;BYDAY=SU\r
SUMMARY:Ewa 📞\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:mae-call@test\r
DTSTAMP:20270101T000000Z\r
DTSTART;TZID=Europe/Berlin:20270103T110000\r
DTEND;TZID=Europe/Berlin:20270103T113000\r
RRULE:FREQ=WEEKLY;BYDAY=SU\r
SUMMARY:Ligar à Mãe\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:show@test\r
DTSTAMP:20270101T000000Z\r
DTSTART;TZID=Europe/Berlin:20270312T180000\r
DTEND;TZID=Europe/Berlin:20270312T223000\r
SUMMARY:Salt Lines – show (FOH call)\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture(scope="module")
def rt(tmp_path_factory: pytest.TempPathFactory):
    root: Path = tmp_path_factory.mktemp("relatives")
    write_tree(root / "notes", {"family.md": "# Family\n\nmy sister Ewa lives in Kraków; "
                                              "I call Ewa on Sundays after her lunch.\n"})
    (root / "calendar").mkdir()
    (root / "calendar" / "home.ics").write_text(ICS, encoding="utf-8", newline="")
    write_config(root, [("notes", "notes"), ("calendar", "calendar")])
    runtime = Runtime(config=load_config(root / "config.toml"), now_override="2027-03-10T09:00")
    assert library.index(runtime).failed == 0
    yield runtime
    runtime.close()


def test_a_relative_asked_about_finds_the_event_named_after_them(rt: Runtime) -> None:
    answer = library.ask(rt, "when do I call my sister next?")
    assert answer.route == "calendar" and [e.title for e in answer.events] == ["Ewa 📞"]
    assert answer.events[0].to_json(rt.tz)["start"].startswith("2027-03-14T14:00")


def test_a_note_titled_with_the_relation_names_the_relative(tmp_path: Path) -> None:
    # "# Ewa (sister)" is the note's title; its text never says "sister"
    write_tree(tmp_path / "notes", {"ewa.md": "# Ewa (sister)\n\nlives in Kraków\n"
                                              "mobile: +48 600 555 142\n"})
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "home.ics").write_text(ICS, encoding="utf-8", newline="")
    write_config(tmp_path, [("notes", "notes"), ("calendar", "calendar")])
    runtime = Runtime(config=load_config(tmp_path / "config.toml"),
                      now_override="2027-03-10T09:00")
    try:
        assert library.index(runtime).failed == 0
        answer = library.ask(runtime, "what time do i call my sister on sunday")
        assert [e.title for e in answer.events] == ["Ewa 📞"]
    finally:
        runtime.close()


def test_calling_a_relative_is_their_call_not_another_events_call(rt: Runtime) -> None:
    # "mum" names "Mãe" (every word for her); the show's "FOH call" lacks her: not it
    answer = library.ask(rt, "what time am i calling mum this sunday")
    assert [e.title for e in answer.events] == ["Ligar à Mãe"]
    assert answer.events[0].to_json(rt.tz)["start"].startswith("2027-03-14T11:00")
