"""Values of the asked kind in a statement: what makes it an answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.answer_types import fits, values

CODES = st.from_regex(r"\A[1-9]\d{3,7}\Z")
ENDINGS = st.sampled_from(["", ".", ",", "!", "?", ")", ";", " ", ", same as the gate",
                           ". Don't tell anyone"])
LEADS = st.sampled_from(["", "the code is ", "PIN: ", "(", "it's ", "door code "])


@given(LEADS, CODES, ENDINGS)
def test_a_code_is_found_whatever_punctuation_ends_the_sentence(
    lead: str, code: str, ending: str
) -> None:
    text = f"{lead}{code}{ending}"
    if not (1900 <= int(code) <= 2099):  # a plain year is a date, not a code
        assert code in values("code", text)
        assert fits("code", text)


@given(st.integers(1000, 9999), st.integers(0, 99), st.sampled_from([".", ","]))
def test_the_digits_of_an_amount_are_not_a_code(whole: int, cents: int, sep: str) -> None:
    assert values("code", f"it comes to {whole}{sep}{cents:02d} in total") == []


@given(st.lists(st.integers(0, 9), min_size=4, max_size=6), LEADS, ENDINGS)
def test_a_dial_lock_combination_is_a_code(digits: list[int], lead: str, ending: str) -> None:
    combo = "-".join(map(str, digits))  # "0-4-7-1" on a padlock
    assert combo in values("code", f"{lead}{combo}{ending}")


def test_a_score_or_a_countdown_is_no_code() -> None:
    assert values("code", "won 3-1 at home") == [] and values("code", "on 1-2-3 go") == []


@given(st.lists(st.integers(0, 59), min_size=3, max_size=4),
       st.sampled_from(["combo ", "locker 62, combo ", "Code: ", "padlock "]), ENDINGS)
def test_two_digit_lock_numbers_after_the_word_for_a_lock_are_a_code(
        numbers: list[int], lead: str, ending: str) -> None:
    combo = "-".join(f"{n:02d}" for n in numbers)  # "18-04-33" on a combination lock ...
    assert combo in values("code", f"{lead}{combo}{ending}")


def test_two_digit_groups_without_a_lock_word_are_a_date() -> None:
    assert values("code", "we met on 18-04-33 at the fair") == []  # ... is a date elsewhere


@given(st.integers(1, 28), st.sampled_from([
    "{d} de mayo", "{d} de março", "le {d} mars", "{d} maja", "{d} mei", "{d} maggio",
    "{d}. Dezember", "{d} of May"]))
def test_a_date_is_found_in_the_languages_notes_are_written_in(day: int, written: str) -> None:
    assert fits("date", "confirmed on " + written.format(d=day))
