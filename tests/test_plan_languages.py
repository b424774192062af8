"""Calendar questions in German, Russian and Chinese: time phrases from each language's
table (assistant/phrases/<lang>.toml [time]) read by the one exact English grammar.

Phrasings are generated (hypothesis) from openers x time phrases x casing/punctuation.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.plan import Planner
from assistant.timewords import to_english
from assistant.vocab import EventEntry, Vocabulary, plain_words

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday
EVENTS = [("Приём у стоматолога", "Клиника «Улыбка»"), ("Zahnarzt Kontrolle", "Praxis am Markt"),
          ("看牙医", "仁爱口腔诊所"), ("Yoga class", "Studio 5")]


def _planner() -> Planner:
    entries = []
    for i, (title, place) in enumerate(EVENTS):
        fields = {"title": frozenset(plain_words(title)), "people": frozenset(),
                  "location": frozenset(plain_words(place)), "description": frozenset()}
        entries.append(EventEntry(i, f"u{i}", "/c.ics", title, place, (), fields, multi_day=False))
    words = frozenset(w for e in entries for f in ("title", "location") for w in e.fields[f])
    return Planner(Vocabulary(entries, [], frozenset(), words), TZ)


PLANNER = _planner()
D = date
# time phrase -> (first day, last day) of the window it names, with NOW a Monday 23 Nov 2026
TIMES = {
    "de": {"morgen": (D(2026, 11, 24),) * 2, "übermorgen": (D(2026, 11, 25),) * 2,
           "heute": (D(2026, 11, 23),) * 2, "am Freitag": (D(2026, 11, 27),) * 2,
           "nächsten Dienstag": (D(2026, 11, 24),) * 2,
           "Dienstag nächste Woche": (D(2026, 12, 1),) * 2,
           "nächste Woche": (D(2026, 11, 30), D(2026, 12, 6)),
           "am Wochenende": (D(2026, 11, 28), D(2026, 11, 29)),
           "im Dezember": (D(2026, 12, 1), D(2026, 12, 31))},
    "ru": {"завтра": (D(2026, 11, 24),) * 2, "послезавтра": (D(2026, 11, 25),) * 2,
           "сегодня": (D(2026, 11, 23),) * 2, "в пятницу": (D(2026, 11, 27),) * 2,
           "в следующую среду": (D(2026, 11, 25),) * 2,
           "на следующей неделе": (D(2026, 11, 30), D(2026, 12, 6)),
           "в эту субботу": (D(2026, 11, 28),) * 2,
           "в декабре": (D(2026, 12, 1), D(2026, 12, 31))},
    "zh": {"明天": (D(2026, 11, 24),) * 2, "后天": (D(2026, 11, 25),) * 2,
           "今天": (D(2026, 11, 23),) * 2, "周五": (D(2026, 11, 27),) * 2,
           "星期五": (D(2026, 11, 27),) * 2, "下周三": (D(2026, 12, 2),) * 2,
           "下星期三": (D(2026, 12, 2),) * 2, "下周": (D(2026, 11, 30), D(2026, 12, 6)),
           "这个周末": (D(2026, 11, 28), D(2026, 11, 29)),
           "这周末": (D(2026, 11, 28), D(2026, 11, 29)),
           "下周末": (D(2026, 12, 5), D(2026, 12, 6)),
           "十二月": (D(2026, 12, 1), D(2026, 12, 31))},
}
OPENERS = {
    "de": ["was habe ich {t}", "{t} was steht an", "was ist {t} los", "was steht {t} an"],
    "ru": ["что у меня {t}", "{t} что у меня", "какие планы {t}", "что запланировано {t}"],
    "zh": ["我{t}有什么安排", "{t}有什么安排", "{t}我有什么计划", "{t}的日程"],
}


def _days(plan) -> tuple[date, date]:
    from datetime import timedelta

    return plan.window.start.date(), (plan.window.end - timedelta(seconds=1)).date()


@pytest.mark.parametrize("lang", sorted(TIMES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_agenda_question_reads_its_time_phrase(lang: str, data: st.DataObject) -> None:
    phrase = data.draw(st.sampled_from(sorted(TIMES[lang])))
    opener = data.draw(st.sampled_from(OPENERS[lang]))
    end = data.draw(st.sampled_from(["?", "", " ?", "？" if lang == "zh" else "!"]))
    question = opener.format(t=phrase) + end
    if data.draw(st.booleans()):
        question = question.capitalize()
    plan = PLANNER.plan(question, NOW)
    assert plan.language == lang, question
    assert plan.route == "agenda", question
    assert _days(plan) == TIMES[lang][phrase], question


@pytest.mark.parametrize(
    ("question", "language", "route", "window"),
    [
        ("was habe ich morgen?", "de", "agenda", (D(2026, 11, 24),) * 2),
        ("что у меня в пятницу?", "ru", "agenda", (D(2026, 11, 27),) * 2),
        ("我下周三有什么安排？", "zh", "agenda", (D(2026, 12, 2),) * 2),
        ("Habe ich am Freitag nachmittags Zeit?", "de", "free", (D(2026, 11, 27),) * 2),
        ("я свободен в субботу вечером?", "ru", "free", (D(2026, 11, 28),) * 2),
        ("我周五下午有空吗？", "zh", "free", (D(2026, 11, 27),) * 2),
    ],
)
def test_the_questions_of_the_issue_are_read(question: str, language: str, route: str,
                                             window: tuple[date, date]) -> None:
    plan = PLANNER.plan(question, NOW)
    assert (plan.language, plan.route, _days(plan)) == (language, route, window)


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("когда следующий приём у стоматолога?", "Приём у стоматолога"),
        ("Когда у меня стоматолог?", "Приём у стоматолога"),
        ("Wann ist der nächste Zahnarzt Termin?", "Zahnarzt Kontrolle"),
        ("下次看牙医是什么时候？", "看牙医"),
    ],
)
def test_the_next_event_is_found_by_its_title_in_any_language(question: str, title: str) -> None:
    plan = PLANNER.plan(question, NOW)
    assert plan.route == "event" and plan.event_mode == "next"
    assert [m.entry.title for m in plan.events] == [title]


def test_words_that_only_look_like_time_words_are_left_alone() -> None:
    assert to_english("was steht am Freitag an", "de").split()[-1] == "an"
    assert to_english("下班后去健身房", "zh") == "下班后去健身房"
    assert to_english("晚上上班", "zh") == "晚上上班"  # 上 alone is no "last"
    assert to_english("Was kostet die Miete?", "de") == "was kostet die miete?"


def test_english_questions_are_not_rewritten() -> None:
    plan = PLANNER.plan("what do I have next Tuesday?", NOW)
    assert plan.language == "en" and _days(plan) == (D(2026, 11, 24),) * 2


@pytest.mark.parametrize("question", ["August rent?", "what happened in April", "September"])
def test_a_month_english_writes_alike_keeps_an_english_question_english(question: str) -> None:
    assert PLANNER.plan(question, NOW).language == "en"


@pytest.mark.parametrize(("question", "language"), [
    ("What did 妈妈 say about 降压药?", "en"),
    ("what did Мама write about the dacha", "en"),
    ("妈妈说了什么", "zh"),
])
def test_a_few_words_in_another_script_do_not_change_the_question_s_language(
        question: str, language: str) -> None:
    assert PLANNER.plan(question, NOW).language == language
