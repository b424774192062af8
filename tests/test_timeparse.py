"""Time phrases: every documented phrase with a fixed now, week/month/year edges, sentences."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import AssistantError
from assistant.timeparse import describe, find_window, is_time_phrase, parse_window

TZ = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # the sample corpus's "now"
SUNDAY = datetime(2026, 11, 29, 20, 0, tzinfo=TZ)
NEW_YEARS_EVE = datetime(2026, 12, 31, 23, 30, tzinfo=TZ)
END_OF_JANUARY = datetime(2027, 1, 31, 12, 0, tzinfo=TZ)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def check(phrase: str, now: datetime, start: str, end: str, prefer: str = "future") -> None:
    w = parse_window(phrase, now, TZ, prefer=prefer)  # type: ignore[arg-type]
    assert (w.start, w.end) == (local(start), local(end)), (phrase, w)


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("today", "2026-11-23", "2026-11-24"),
        ("tomorrow", "2026-11-24", "2026-11-25"),
        ("yesterday", "2026-11-22", "2026-11-23"),
        ("the day after tomorrow", "2026-11-25", "2026-11-26"),
        ("this week", "2026-11-23", "2026-11-30"),
        ("next week", "2026-11-30", "2026-12-07"),
        ("last week", "2026-11-16", "2026-11-23"),
        ("this weekend", "2026-11-28", "2026-11-30"),
        ("next weekend", "2026-12-05", "2026-12-07"),
        ("next Tuesday", "2026-11-24", "2026-11-25"),
        ("last Tuesday", "2026-11-17", "2026-11-18"),
        ("this Friday", "2026-11-27", "2026-11-28"),
        ("on Friday", "2026-11-27", "2026-11-28"),
        ("on Monday", "2026-11-23", "2026-11-24"),
        ("next Monday", "2026-11-30", "2026-12-01"),
        ("Tuesday next week", "2026-12-01", "2026-12-02"),
        ("Friday morning", "2026-11-27T06:00", "2026-11-27T12:00"),
        ("Friday afternoon", "2026-11-27T12:00", "2026-11-27T18:00"),
        ("Friday evening", "2026-11-27T18:00", "2026-11-28T00:00"),
        ("tomorrow morning", "2026-11-24T06:00", "2026-11-24T12:00"),
        ("tonight", "2026-11-23T18:00", "2026-11-24T00:00"),
        ("this afternoon", "2026-11-23T12:00", "2026-11-23T18:00"),
        ("in December", "2026-12-01", "2027-01-01"),
        ("in November", "2026-11-01", "2026-12-01"),
        ("in October", "2027-10-01", "2027-11-01"),
        ("this month", "2026-11-01", "2026-12-01"),
        ("next month", "2026-12-01", "2027-01-01"),
        ("last month", "2026-10-01", "2026-11-01"),
        ("3 December", "2026-12-03", "2026-12-04"),
        ("December 3", "2026-12-03", "2026-12-04"),
        ("3rd of December", "2026-12-03", "2026-12-04"),
        ("3 Dec 2026", "2026-12-03", "2026-12-04"),
        ("December 3, 2027", "2027-12-03", "2027-12-04"),
        ("Thu, 3 Dec", "2026-12-03", "2026-12-04"),
        ("2026-12-03", "2026-12-03", "2026-12-04"),
        ("on 2026-12-03", "2026-12-03", "2026-12-04"),
        ("between Monday and Wednesday", "2026-11-23", "2026-11-26"),
        ("between Friday and Monday", "2026-11-27", "2026-12-01"),
        ("between 3 December and 5 December", "2026-12-03", "2026-12-06"),
        ("from tomorrow to Friday", "2026-11-24", "2026-11-28"),
        ("the next 3 days", "2026-11-23", "2026-11-26"),
        ("next 2 weeks", "2026-11-23", "2026-12-07"),
        ("the last 7 days", "2026-11-17", "2026-11-24"),
        ("in 3 days", "2026-11-26", "2026-11-27"),
        ("this year", "2026-01-01", "2027-01-01"),
        ("last year", "2025-01-01", "2026-01-01"),
        ("next year", "2027-01-01", "2028-01-01"),
        ("in 2025", "2025-01-01", "2026-01-01"),
        ("December 2026", "2026-12-01", "2027-01-01"),
    ],
)
def test_phrases_looking_forward_from_monday_23_november(phrase: str, start: str, end: str) -> None:
    check(phrase, MONDAY, start, end, prefer="future")


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("in October", "2026-10-01", "2026-11-01"),  # a message filter looks back
        ("in December", "2025-12-01", "2026-01-01"),
        ("on Friday", "2026-11-20", "2026-11-21"),
        ("on Monday", "2026-11-23", "2026-11-24"),  # today counts either way
        ("3 December", "2025-12-03", "2025-12-04"),
        ("the weekend", "2026-11-21", "2026-11-23"),
        ("next Tuesday", "2026-11-24", "2026-11-25"),  # explicit words do not flip
    ],
)
def test_phrases_looking_back_for_search_filters(phrase: str, start: str, end: str) -> None:
    check(phrase, MONDAY, start, end, prefer="past")


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("this week", "2026-11-23", "2026-11-30"),  # Sunday still belongs to Monday's week
        ("next week", "2026-11-30", "2026-12-07"),
        ("last week", "2026-11-16", "2026-11-23"),
        ("this weekend", "2026-11-28", "2026-11-30"),  # on a Sunday: the current weekend
        ("today", "2026-11-29", "2026-11-30"),
        ("tomorrow", "2026-11-30", "2026-12-01"),
        ("on Sunday", "2026-11-29", "2026-11-30"),
        ("next Sunday", "2026-12-06", "2026-12-07"),
        ("this Monday", "2026-11-23", "2026-11-24"),
        ("on Monday", "2026-11-30", "2026-12-01"),
    ],
)
def test_week_boundaries_on_a_sunday(phrase: str, start: str, end: str) -> None:
    check(phrase, SUNDAY, start, end)


@pytest.mark.parametrize(
    ("now", "phrase", "start", "end"),
    [
        (NEW_YEARS_EVE, "tomorrow", "2027-01-01", "2027-01-02"),
        (NEW_YEARS_EVE, "next month", "2027-01-01", "2027-02-01"),
        (NEW_YEARS_EVE, "next week", "2027-01-04", "2027-01-11"),
        (NEW_YEARS_EVE, "this week", "2026-12-28", "2027-01-04"),
        (NEW_YEARS_EVE, "next year", "2027-01-01", "2028-01-01"),
        (NEW_YEARS_EVE, "in January", "2027-01-01", "2027-02-01"),
        (NEW_YEARS_EVE, "3 January", "2027-01-03", "2027-01-04"),
        (NEW_YEARS_EVE, "the next 3 days", "2026-12-31", "2027-01-03"),
        (END_OF_JANUARY, "next month", "2027-02-01", "2027-03-01"),
        (END_OF_JANUARY, "last month", "2026-12-01", "2027-01-01"),
        (END_OF_JANUARY, "tomorrow", "2027-02-01", "2027-02-02"),
        (END_OF_JANUARY, "29 February", "2028-02-29", "2028-03-01"),  # the next leap day
    ],
)
def test_month_and_year_ends(now: datetime, phrase: str, start: str, end: str) -> None:
    check(phrase, now, start, end)


def test_a_day_across_the_dst_change_is_23_hours_long() -> None:
    w = parse_window("2027-03-28", MONDAY, TZ)
    assert w.end.timestamp() - w.start.timestamp() == 23 * 3600
    assert w.start.utcoffset() != w.end.utcoffset()


def test_windows_are_aware_and_in_the_configured_zone() -> None:
    utc_now = MONDAY.astimezone(ZoneInfo("UTC"))
    w = parse_window("tomorrow", utc_now, TZ)
    assert w.start.tzinfo == TZ and w.start.isoformat() == "2026-11-24T00:00:00+01:00"


@pytest.mark.parametrize("phrase", ["blah", "next", "sometime soon", "31 February", "the 3rd floor"])
def test_an_unknown_phrase_is_a_one_line_error(phrase: str) -> None:
    with pytest.raises(AssistantError) as err:
        parse_window(phrase, MONDAY, TZ)
    assert "cannot read the time" in str(err.value) and "\n" not in str(err.value)


def test_is_time_phrase_tells_times_from_event_names() -> None:
    assert is_time_phrase("next tuesday") and is_time_phrase("next week")
    assert not is_time_phrase("next dentist")


# --- phrases inside sentences (search filters) ----------------------------------------------


def test_find_window_locates_the_phrase_and_its_span() -> None:
    question = "what did Ada say last week about the flight?"
    w, (a, b) = find_window(question, MONDAY, TZ)
    assert question[a:b] == "last week"
    assert (w.start, w.end) == (local("2026-11-16"), local("2026-11-23"))


@pytest.mark.parametrize(
    ("question", "span", "start"),
    [
        ("what did Ada write in October?", "in October", "2026-10-01"),
        ("messages from yesterday about the radiator", "yesterday", "2026-11-22"),
        ("what happened this month at work", "this month", "2026-11-01"),
        ("what did Priya say last Tuesday", "last Tuesday", "2026-11-17"),
        ("what did Jonas say on Friday evening?", "on Friday evening", "2026-11-20T18:00"),
        ("Mira's message on 3 December", "on 3 December", "2025-12-03"),
    ],
)
def test_find_window_inside_questions_looks_back(question: str, span: str, start: str) -> None:
    found = find_window(question, MONDAY, TZ)
    assert found is not None
    w, (a, b) = found
    assert question[a:b] == span and w.start == local(start)


@pytest.mark.parametrize(
    "question",
    [
        "I may come later",
        "wait a second",
        "how long is my Sunday long run?",
        "did they march in the parade",
        "Jan 5 said hi",  # Jan is a name here
        "When does my flight to Lisbon leave?",
        "what is the rent",
    ],
)
def test_find_window_does_not_fire_on_ordinary_words(question: str) -> None:
    assert find_window(question, MONDAY, TZ) is None


def test_describe_names_days_and_parts_of_days() -> None:
    def said(phrase: str) -> str:
        return describe(parse_window(phrase, MONDAY, TZ, prefer="future"), TZ)

    assert said("tomorrow") == "Tuesday 24 November 2026"
    assert said("friday afternoon") == "Friday 27 November 2026, 12:00–18:00"
    assert said("friday evening") == "Friday 27 November 2026, 18:00–24:00"
    assert said("next week") == (
        "Monday 30 November 2026 to Sunday 6 December 2026")


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("christmas eve", "2026-12-24", "2026-12-25"),
        ("on Christmas Day", "2026-12-25", "2026-12-26"),
        ("new year's eve", "2026-12-31", "2027-01-01"),
        ("easter", "2027-03-28", "2027-03-29"),  # computed, not listed
        ("good friday", "2027-03-26", "2027-03-27"),
        ("easter monday 2028", "2028-04-17", "2028-04-18"),
        ("over the easter long weekend", "2027-03-26", "2027-03-30"),  # Good Friday to Monday
        ("easter weekend 2028", "2028-04-14", "2028-04-18"),
        ("halloween", "2027-10-31", "2027-11-01"),  # this year's is past: the next one
        ("thanksgiving", "2026-11-26", "2026-11-27"),  # fourth Thursday of November
        ("on the 3rd", "2026-12-03", "2026-12-04"),  # this month's 3rd is past
        ("the 23rd", "2026-11-23", "2026-11-24"),  # today counts
        ("the 30th", "2026-11-30", "2026-12-01"),
        ("on the 5th of next month", "2026-12-05", "2026-12-06"),
        ("monday the 30th", "2026-11-30", "2026-12-01"),
        ("friday the 11th", "2026-12-11", "2026-12-12"),  # the next 11th that is a Friday
        ("fri 11th", "2026-12-11", "2026-12-12"),  # typed short
        ("monday the 22nd in the morning", "2027-02-22T06:00", "2027-02-22T12:00"),
    ],
)
def test_holidays_and_days_of_the_month(phrase: str, start: str, end: str) -> None:
    check(phrase, MONDAY, start, end)


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("what time is Christmas dinner?", None),  # a one-word holiday needs "on", "at"...
        ("what do I have at Christmas?", "at christmas"),
        ("the easter eggs for the kids", None),  # "the" is no preposition
        ("is Friday's book club still on?", "friday"),
        ("the meeting on the 3rd floor", None),
        ("anything on the 19th?", "on the 19th"),
    ],
)
def test_holidays_and_ordinals_inside_sentences(sentence: str, found: str | None) -> None:
    hit = find_window(sentence, MONDAY, TZ, prefer="future")
    assert (hit and sentence.lower()[hit[1][0]:hit[1][1]]) == (found or None)


# --- bounds: a deadline, an end, a start ------------------------------------------------

from datetime import date, timedelta  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from assistant.timeparse import EARLIEST, find_windows  # noqa: E402

PAST_DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 11, 20))
DAY_FORMS = st.sampled_from(["{d.day} {m} {d.year}", "{m} {d.day}, {d.year}", "{d:%Y-%m-%d}"])


def _said(form: str, d: date) -> str:
    return form.format(d=d, m=d.strftime("%B"))


@given(PAST_DAYS, DAY_FORMS, st.sampled_from(["by", "until", "till", "no later than"]))
def test_by_a_date_is_a_deadline_up_to_the_end_of_that_day(d: date, form: str, kw: str) -> None:
    found = find_windows(f"which team had won {kw} {_said(form, d)}?", MONDAY, TZ)
    (w, _), = found
    assert w.start == EARLIEST and w.end == local(str(d + timedelta(days=1)))


@given(PAST_DAYS, DAY_FORMS)
def test_before_a_date_ends_where_it_starts_and_since_runs_from_it_to_now(
    d: date, form: str
) -> None:
    (before, _), = find_windows(f"what did he buy before {_said(form, d)}", MONDAY, TZ)
    assert before.end == local(str(d))
    (since, _), = find_windows(f"what has she done since {_said(form, d)}", MONDAY, TZ)
    assert (since.start, since.end) == (local(str(d)), MONDAY)


def test_a_deadline_ahead_runs_from_now() -> None:
    w = parse_window("by Friday", MONDAY, TZ, prefer="future")
    assert (w.start, w.end) == (MONDAY, local("2026-11-28"))


@pytest.mark.parametrize(("text", "phrase"), [
    ("what are we up to this weekend", "this weekend"), ("can you stop by on Friday", "on Friday"),
])
def test_a_verb_with_by_or_to_is_no_bound(text: str, phrase: str) -> None:
    w = parse_window(phrase, MONDAY, TZ, prefer="future")
    found = find_windows(text, MONDAY, TZ, prefer="future")
    assert [(got, text[a:b]) for got, (a, b) in found] == [(w, phrase)]


def test_by_a_person_is_no_time() -> None:
    text = "the photo sent by Anna on Monday"
    assert [text[a:b] for _, (a, b) in find_windows(text, MONDAY, TZ)] == ["on Monday"]


@pytest.mark.parametrize(("span", "days"), [
    ("the week", 7), ("the Sunday", 7), ("last weekend", 7), ("a day", 1), ("2 days", 3),
    ("two weeks", 21), ("a month", 31),
])
def test_a_span_before_or_after_a_date_is_that_span_next_to_it_and_the_day_itself(
    span: str, days: int
) -> None:
    # ("last weekend" is a phrase of its own too; the question's filter takes the dated one)
    before = find_windows(f"what did we do {span} before 3 August 2023?", MONDAY, TZ)[-1][0]
    assert (before.start, before.end) == (local("2023-08-03") - timedelta(days=days),
                                          local("2023-08-04"))
    after = find_windows(f"what did we do {span} after 3 August 2023?", MONDAY, TZ)[-1][0]
    assert (after.start, after.end) == (local("2023-08-03"),
                                        local("2023-08-04") + timedelta(days=days))


# --- how people type days in a hurry ----------------------------------------------------

ABBREVIATED = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3,
               "thurs": 3, "fri": 4, "sat": 5, "sun": 6}


@given(st.sampled_from(sorted(ABBREVIATED)), st.sampled_from(
    ["on {d}", "on {d}.", "next {d}", "{d} night", "{d} arvo", "{d} this week", "this {d}",
     "{d}'s"]), st.booleans())
def test_an_abbreviated_weekday_with_a_preposition_or_a_modifier_is_that_day(
    day: str, form: str, upper: bool
) -> None:
    phrase = form.format(d=day.title() if upper else day)
    found = find_windows(f"anything {phrase} for me?", MONDAY, TZ, prefer="future")
    assert found and found[0][0].start.weekday() == ABBREVIATED[day]


@pytest.mark.parametrize("text", ["we sat down in the sun.", "they wed in june", "mon ami"])
def test_an_abbreviation_alone_at_the_end_of_a_clause_is_a_word(text: str) -> None:
    assert not [w for w, (a, b) in find_windows(text, MONDAY, TZ) if text[a:b].split()[0] in
                ("sat", "sun", "wed", "mon")]


@pytest.mark.parametrize("word", ["tmrw", "tmr", "2moro", "tomoz", "tommorow"])
def test_tomorrow_typed_in_a_hurry_is_tomorrow(word: str) -> None:
    (w, _), = find_windows(f"whats on {word}", MONDAY, TZ, prefer="future")
    assert w.start == local("2026-11-24")


@pytest.mark.parametrize("written", ["this weekend", "this wknd", "this wkend", "this w/e"])
def test_the_weekend_typed_short_is_the_weekend(written: str) -> None:
    now = datetime(2027, 10, 27, 7, 15, tzinfo=TZ)  # a Wednesday
    found = find_window(f"what have i got {written}", now, TZ)
    assert found is not None and found[0].start.date() == date(2027, 10, 30)
