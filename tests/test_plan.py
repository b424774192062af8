"""The planner reads a question the way a person writes it: any order, typos, no question mark.

Phrasings are generated (hypothesis) from parts no test is tuned to one by one: openers,
time phrases, event names from the user's own calendar, casing, punctuation and typos.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.plan import Planner, normalise, senders_named
from assistant.vocab import EventEntry, Vocabulary, plain_words

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday

EVENTS = [
    ("Dentist check-up (Dr. Yilmaz)", "Zahnarztpraxis am Arkonaplatz", ()),
    ("Call with Ada about Lisbon", None, ("Ada Brandt",)),
    ("Atlas steering meeting", "Nordlicht HQ, room Fjord", ("Jonas Weber", "Priya Nair")),
    ("Running club intervals", "Mauerpark", ()),
    ("Flight TP 555 Berlin → Lisbon", "Berlin Brandenburg Airport (BER)", ()),
    ("Mira's birthday", None, ()),
    ("Spanish class", "Volkshochschule Mitte", ()),
]


def vocabulary() -> Vocabulary:
    entries = []
    for i, (title, place, people) in enumerate(EVENTS):
        fields = {"title": frozenset(plain_words(title)),
                  "people": frozenset(w for p in people for w in plain_words(p)),
                  "location": frozenset(plain_words(place or "")), "description": frozenset()}
        entries.append(EventEntry(i, f"uid-{i}", "/cal.ics", title, place, people, fields,
                                  multi_day=False))
    senders = ["Ada Brandt", "Mum", "Konrad Vogel", "Mira Keller"]
    people = frozenset({"ada", "brandt", "jonas", "weber", "priya", "nair", "konrad", "vogel",
                        "mira", "keller", "mum"})
    words = frozenset(w for e in entries for f in ("title", "people", "location")
                      for w in e.fields[f]) | people
    return Vocabulary(entries, senders, people, words)


PLANNER = Planner(vocabulary(), TZ)


def route(question: str) -> str:
    return PLANNER.plan(question, NOW).route


def typo(word: str, position: int) -> str:
    """One slip of the keyboard in a long word: two letters swapped or one dropped."""
    if len(word) < 7:
        return word
    i = 1 + position % (len(word) - 2)
    if position % 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + word[i + 1:]


def written(text: str, case: int, end: str, slip: int) -> str:
    """How a person might type ``text``: any case, any end, a typo in one long word."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
    if long and slip:
        i = long[slip % len(long)]
        words[i] = typo(words[i], slip)
    text = " ".join(words)
    text = (text, text.lower(), text.capitalize(), text.upper())[case % 4]
    return text + end


ENDS = st.sampled_from(["?", "", " ?", "??", ".", "!"])

AGENDA_OPENERS = ["what do I have", "what have I got on", "anything on", "what's on",
                  "whats on my calendar", "what is on my schedule", "show me my agenda for",
                  "do I have anything", "is there anything planned", "any plans"]
WINDOWS = ["tomorrow", "on friday", "next week", "this weekend", "on the 3rd", "on 3 December",
           "on christmas eve", "the day after tomorrow", "next tuesday", "on wednesday evening",
           "in the next 3 days", "this afternoon"]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(AGENDA_OPENERS), st.sampled_from(WINDOWS), st.integers(0, 3), ENDS,
       st.integers(0, 40), st.booleans())
def test_agenda_questions_in_any_form_go_to_the_calendar(
        opener: str, window: str, case: int, end: str, slip: int, window_first: bool) -> None:
    text = f"{window} - {opener}" if window_first else f"{opener} {window}"
    question = written(text, case, end, slip)
    assert route(question) == "agenda", question


FREE_OPENERS = ["am I free", "am i available", "could I fit a 2h meeting in",
                "do I have time for a 1h call", "when am I free", "am I busy", "any free slots"]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(FREE_OPENERS), st.sampled_from(WINDOWS), st.integers(0, 3), ENDS,
       st.integers(0, 40))
def test_free_time_questions_go_to_the_calendar(opener: str, window: str, case: int, end: str,
                                                slip: int) -> None:
    question = written(f"{opener} {window}", case, end, slip)
    assert route(question) == "free", question


EVENT_QUESTIONS = [
    ("when do I next see {p}", "Ada"), ("when do I see {p} next", "Ada"),
    ("next time I see {p}", "ada"), ("{p} - when next", "Ada"),
    ("when's my next {p} appointment", "dentist"), ("{p} next when", "dentist"),
    ("when is the {p}", "steering meeting"), ("what time is the {p} on thursday", "steering"),
    ("is the {p} on friday still on", "running club"),
    ("when are the remaining {p}es", "spanish class"),
    ("what time does my {p} leave", "flight to lisbon"),
    ("when is {p}'s birthday this year", "Mira"),
    ("what day of the week is {p}'s birthday", "mira"),
]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(EVENT_QUESTIONS), st.integers(0, 3), ENDS, st.integers(0, 40))
def test_questions_naming_an_event_are_event_lookups(form: tuple[str, str], case: int, end: str,
                                                     slip: int) -> None:
    template, name = form
    question = written(template.format(p=name), case, end, slip)
    plan = PLANNER.plan(question, NOW)
    assert plan.route == "event" and plan.events, question


@pytest.mark.parametrize(
    "question",
    [
        "What did Ada say about the flight last week?",  # messages, not the calendar
        "how much did the dentist cost",  # an amount the calendar does not hold
        "What do I have to bring tomorrow?",  # "bring" is no event
        "what's Ada's phone number",
        "When is my next pottery class?",  # no pottery on the calendar
        "is the museum free on sundays",  # "free" of charge, not free time
        "What is my sourdough starter called?",
        "when did I last change the bike chain",
    ],
)
def test_questions_the_calendar_cannot_answer_go_to_search(question: str) -> None:
    assert route(question) == "search", question


@pytest.mark.parametrize(
    ("question", "zone"),
    [
        ("what time is the call with Ada in New York time?", "America/New_York"),
        ("call with ada - what time is that UK time", "Europe/London"),
        ("when is the steering meeting in EST", "America/New_York"),
        ("what time is my flight to lisbon in lisbon time", "Europe/Lisbon"),
    ],
)
def test_a_zone_asked_for_is_read(question: str, zone: str) -> None:
    plan = PLANNER.plan(question, NOW)
    assert plan.zone is not None and str(plan.zone) == zone, question


def test_a_place_in_a_question_is_not_a_zone_unless_time_is_asked_there() -> None:
    assert PLANNER.plan("what time is christmas dinner in Freiburg?", NOW).zone is None
    assert PLANNER.plan("what time is my flight to Lisbon?", NOW).zone is None


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("what's Jonas's phone number?", "phone"),
        ("how much is the rent", "amount"),
        ("what's the booking reference", "code"),
        ("what time does the shop open", "time"),
        ("how long is the flight", "duration"),
        ("when is the plumber coming", "date"),
        ("where do the wheelers meet", "place"),
        ("who is hosting book club", "person"),
        ("what's ben's email address", "email"),
        ("at what temperature do I bake the bread", "temperature"),
        ("how many sessions are left", "count"),
    ],
)
def test_the_answer_type_is_read_from_the_question(question: str, kind: str) -> None:
    assert PLANNER.plan(question, NOW).answer_type == kind


ASKED = {"who": "person", "when": "date", "where": "place"}


@given(opening=st.sampled_from(sorted(ASKED)), clause=st.sampled_from(sorted(ASKED)),
       topic=st.sampled_from(["offered to lend me a ladder", "fixed the boiler",
                              "booked the table", "picked up the keys"]),
       context=st.sampled_from(["i hurt my leg", "we were in porto", "the heating broke",
                                "the kids were sick"]))
def test_a_question_word_after_the_first_opens_a_clause_and_asks_nothing(
        opening: str, clause: str, topic: str, context: str) -> None:
    # "who offered to lend me their massage gun when I hurt my leg" asks a person
    question = f"{opening} {topic} {clause} {context}"
    assert PLANNER.plan(question, NOW).answer_type == ASKED[opening]


@pytest.mark.parametrize(
    ("question", "problem"),
    [("", "empty"), ("   ", "empty"), ("?!?", "no words"), ("🙂🙂", "no words")],
)
def test_a_question_without_words_is_a_clear_problem(question: str, problem: str) -> None:
    plan = PLANNER.plan(question, NOW)
    assert plan.route == "invalid" and problem in (plan.problem or "")


def test_a_very_long_question_is_read_in_part_and_says_so() -> None:
    plan = PLANNER.plan("what do I have tomorrow " + "and more " * 2000, NOW)
    assert plan.route in ("agenda", "search") and plan.notes


def test_german_questions_use_the_german_tables() -> None:
    plan = PLANNER.plan("Wann ist der nächste Zahnarzttermin?", NOW)
    assert plan.language == "de" and plan.answer_type == "date"
    assert PLANNER.plan("Wie hoch ist die Kontoführungsgebühr?", NOW).answer_type == "amount"


def test_contractions_and_one_on_ones_are_normalised() -> None:
    assert normalise("When's my next 1:1 with Priya?") == "when is my next oneonone with priya"
    assert normalise("whats up") == "what is up"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what did Ada say about the hotel?", ("Ada Brandt",)),
        ("What did Herr Vogel write about the plumber?", ("Konrad Vogel",)),
        ("When is Mira's birthday?", ()),  # no "said": the note must stay in reach
    ],
)
def test_senders_are_named_only_in_questions_about_what_they_said(question: str,
                                                                   expected: tuple) -> None:
    assert senders_named(question, ["Ada Brandt", "Konrad Vogel", "Mira Keller"]) == expected


@pytest.mark.parametrize(
    ("question", "sender"),
    [("what did dad say about the car?", "Papa"), ("what did my mom text me", "Mama ❤️"),
     ("Did Oma write anything about Christmas?", "Grandma"), ("what did father send", "Papa")],
)
def test_a_relative_is_found_by_any_word_for_them(question: str, sender: str) -> None:
    # family chats name people "Papa" or "Mum", in whichever language the family speaks
    assert senders_named(question, ["Papa", "Mama ❤️", "Grandma", "Ada Brandt"]) == (sender,)


@pytest.mark.parametrize(
    ("question", "kind"),
    [("why was the march book club called off?", "reason"),
     ("what is my sourdough starter called?", "person"),
     ("how come the dentist was put off", "reason")],
)
def test_called_off_is_no_name(question: str, kind: str) -> None:
    assert Planner(vocabulary(), TZ).plan(question, NOW).answer_type == kind


@pytest.mark.parametrize(
    ("question", "route", "title"),
    [
        ("next dentist appt?", "event", "Dentist check-up (Dr. Yilmaz)"),  # an abbreviation
        ("ada call friday - what time", "event", "Call with Ada about Lisbon"),  # a bare day
        ("am I free for coffee tomorrow afternoon", "free", None),  # whatever it is for
        ("do i have time for a quick call thursday?", "free", None),
        ("is the museum free on sundays", "search", None),  # not the person's time
        ("spanish class in june?", "event", "Spanish class"),  # a month qualifies, no title word
    ],
)
def test_everyday_shapes_of_calendar_questions(question: str, route: str, title: str | None
                                               ) -> None:
    plan = Planner(vocabulary(), TZ).plan(question, NOW)
    assert plan.route == route
    assert title is None or [m.entry.title for m in plan.events][:1] == [title]


@given(st.sampled_from(["sunday", "Sunday", "on sunday"]),
       st.sampled_from(["what did we do {d}?", "what did ada say {d}", "where was i {d}"]))
def test_a_day_in_a_past_question_is_the_one_gone_by(day: str, shape: str) -> None:
    plan = Planner(vocabulary(), TZ).plan(shape.format(d=day), NOW)  # NOW is a Monday
    assert plan.window is not None and plan.window.start.date() == date(2026, 11, 22)


@pytest.mark.parametrize("question", ["is the december atlas steering meeting still on?",
                                      "Atlas steering meeting in December still happening"])
def test_a_month_naming_an_occurrence_is_its_window(question: str) -> None:
    plan = Planner(vocabulary(), TZ).plan(question, NOW)
    assert plan.route == "event" and plan.event_mode == "status"
    assert plan.window is not None and plan.window.start.date() == date(2026, 12, 1)
    assert [m.entry.title for m in plan.events] == ["Atlas steering meeting"]


def test_a_short_form_or_a_word_for_a_relative_names_the_event() -> None:
    plan = PLANNER.plan("when's mira's bday this yr", NOW)
    assert plan.route == "event" and [m.entry.title for m in plan.events] == ["Mira's birthday"]
    call = EventEntry(0, "u", "/c.ics", "Ligar à Mãe", None, (),
                      {"title": frozenset(plain_words("Ligar à Mãe")), "people": frozenset(),
                       "location": frozenset(), "description": frozenset()})
    planner = Planner(Vocabulary([call], [], frozenset(), frozenset({"ligar", "mae"})), TZ)
    plan = planner.plan("what time is mum's call on sunday", NOW)
    assert plan.route == "event" and [m.entry.title for m in plan.events] == ["Ligar à Mãe"]


def test_a_word_the_data_writes_beside_an_event_completes_its_name() -> None:
    """ "the spanish conversation": "spanish" is in "Spanish class", and the notes write
    "conversation" next to its other word, "class"; without that the question is no event's."""
    def related(word: str, others: list[str]) -> bool:
        return word == "conversation" and "class" in others

    planner = Planner(vocabulary(), TZ, related=related)
    plan = planner.plan("when is my next spanish conversation", NOW)
    assert plan.route == "event" and [m.entry.title for m in plan.events] == ["Spanish class"]
    assert PLANNER.plan("when is my next spanish conversation", NOW).route == "search"
    # a word the data does not relate to the event is no part of its name
    assert planner.plan("when is my next pottery class", NOW).route == "search"


@pytest.mark.parametrize(
    ("question", "mode"),
    [("when's the last spanish class of the course", "final"),
     ("final spanish class?", "final"),
     ("when was my last spanish class", "last")],
)
def test_the_last_of_a_series_is_its_end_and_the_last_one_is_the_one_gone_by(
        question: str, mode: str) -> None:
    plan = PLANNER.plan(question, NOW)
    assert plan.route == "event" and plan.event_mode == mode


def _planner(*titles: str) -> Planner:
    entries = [EventEntry(i, f"u{i}", "/c.ics", t, None, (),
                          {"title": frozenset(plain_words(t)), "people": frozenset(),
                           "location": frozenset(), "description": frozenset()})
               for i, t in enumerate(titles)]
    people = frozenset({"georg"})
    return Planner(Vocabulary(entries, ["Georg"], people,
                              frozenset(w for e in entries for w in e.fields["title"]) | people), TZ)


@pytest.mark.parametrize(
    ("question", "title"),
    [("which day of the week is kathi's birthday this year", "Kathi 🎂"),  # BIRTHDAY CAKE
     ("when does the ship leave", "Hurtigruten 🚢"),  # SHIP
     ("is the theatre on friday still on", "Burgtheater – Der Talisman"),  # a compound's head
     ("are georg and i still going to the theatre on friday", "Burgtheater – Der Talisman")],
)
def test_pictures_compounds_and_companions_in_event_names(question: str, title: str) -> None:
    planner = _planner("Kathi 🎂", "Hurtigruten 🚢", "Burgtheater – Der Talisman", "Chorprobe 🎶")
    plan = planner.plan(question, NOW)
    assert plan.route == "event" and [m.entry.title for m in plan.events] == [title]


@pytest.mark.parametrize(
    ("question", "title"),
    [("what time does my flight to poland take off", "Flight to Warsaw (LO 2)"),  # its zone
     ("what time is the chemistry ptc", "PTC – Haddad (chem)"),  # a short form in the title
     ("is the long run as usual this weekend", "Long run 🏃"),
     ("next physio appt?", "Okafor PT – calf")],
)
def test_countries_short_forms_and_usual_in_event_questions(question: str, title: str) -> None:
    planner = _planner("Flight to Warsaw (LO 2)", "Flight to Chicago (LO 3)",
                       "PTC – Haddad (chem)", "Long run 🏃", "Okafor PT – calf")
    plan = planner.plan(question, NOW)
    assert plan.route == "event" and [m.entry.title for m in plan.events] == [title]


def test_what_else_today_is_an_agenda() -> None:
    plan = PLANNER.plan("what else have i got today", NOW)
    assert plan.route == "agenda" and plan.window is not None


@pytest.mark.parametrize(
    ("question", "kind", "word"),
    [("monthly mortgage amt", "amount", "amount"), ("whats the wifi pw", "code", "password"),
     ("next dentist appt?", "other", "appointment")],
)
def test_short_forms_are_read_written_out(question: str, kind: str, word: str) -> None:
    plan = PLANNER.plan(question, NOW)
    assert word in plan.text and (kind == "other" or plan.answer_type == kind)


@pytest.mark.parametrize("word", ["pls", "plz", "thx", "thanks"])
def test_please_and_thanks_are_no_topic(word: str) -> None:
    assert word not in PLANNER.plan(f"booking ref for the barcelona flights {word}", NOW).focus


def test_what_else_today_is_what_is_left_of_it() -> None:
    plan = PLANNER.plan("what else have i got today", NOW)
    assert plan.route == "agenda" and plan.rest_only


@pytest.mark.parametrize(("title", "said"), [
    ("Manchester 🇬🇧", "england"), ("Manchester 🇬🇧", "uk"), ("FaceTime Maureen 🇺🇸", "usa"),
    ("Kraków 🇵🇱", "poland"), ("Kathi 🎂", "birthday")])
def test_a_picture_in_a_title_is_read_by_what_it_shows(title: str, said: str) -> None:
    # a flag shows its country (the time zone database's country table), a cake a birthday
    from assistant.vocab import emoji_words
    assert said in emoji_words(title)


@pytest.mark.parametrize("question", ["am i free on 3 decembre?", "what do i have on 3 decembre"])
def test_one_word_spelt_like_another_language_leaves_the_question_english(question: str) -> None:
    # "decembre" is a typo here, not French: the rest of the question is English
    plan = PLANNER.plan(question, NOW)
    assert plan.language == "en" and plan.route in ("free", "agenda")


@pytest.mark.parametrize(("question", "route"), [
    ("whats in the calendar while im away in lisbon", "agenda"),
    ("what've i got tomorrow", "agenda")])
def test_contractions_typed_without_an_apostrophe_or_in_full_are_read(question: str,
                                                                       route: str) -> None:
    assert PLANNER.plan(question, NOW).route == route
