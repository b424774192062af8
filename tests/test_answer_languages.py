"""Calendar answers and "not found" keep the question's language (assistant/replies.py)."""

from __future__ import annotations

import pytest

from assistant import library
from conftest import write_config, write_tree

CALENDAR = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//test//EN
BEGIN:VEVENT
UID:ru-1
DTSTART;TZID=Europe/Berlin:20261127T093000
DTEND;TZID=Europe/Berlin:20261127T101500
SUMMARY:Приём у стоматолога
LOCATION:Клиника «Улыбка»
END:VEVENT
BEGIN:VEVENT
UID:de-1
DTSTART;TZID=Europe/Berlin:20261124T150000
DTEND;TZID=Europe/Berlin:20261124T160000
SUMMARY:Zahnarzt Kontrolle
END:VEVENT
BEGIN:VEVENT
UID:zh-1
DTSTART;TZID=Europe/Berlin:20261202T140000
DTEND;TZID=Europe/Berlin:20261202T150000
SUMMARY:看牙医
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory):
    from assistant.config import load_config
    from assistant.runtime import Runtime

    home = tmp_path_factory.mktemp("home")
    write_tree(home, {"cal/family.ics": CALENDAR,
                      "notes/miete.md": "# Miete\n\nDie Miete beträgt 980 Euro im Monat.\n"})
    write_config(home, [("cal", "calendar"), ("notes", "notes")])
    rt = Runtime(config=load_config(home / "config.toml"), now_override="2026-11-23T09:00")
    library.index(rt)
    yield rt
    rt.close()


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("was habe ich morgen?", "Dienstag, 24. November 2026:\n- 15:00–16:00 Zahnarzt Kontrolle"),
        ("что у меня в пятницу?",
         "пятница, 27 ноября 2026:\n- 09:30–10:15 Приём у стоматолога, место: Клиника «Улыбка»"),
        ("我下周三有什么安排？", "2026年12月2日（星期三）:\n- 14:00–15:00 看牙医"),
        ("was habe ich übermorgen?", "Nichts in Ihrem Kalender für Mittwoch, 25. November 2026."),
        ("что у меня в субботу?", "В календаре ничего нет (суббота, 28 ноября 2026)."),
        ("¿qué tengo el martes?", "martes 24 de noviembre de 2026:\n- 15:00–16:00 Zahnarzt Kontrolle"),
        ("o que tenho na terça-feira?",
         "terça-feira, 24 de novembro de 2026:\n- 15:00–16:00 Zahnarzt Kontrolle"),
        ("co mam we wtorek?", "wtorek, 24 listopada 2026:\n- 15:00–16:00 Zahnarzt Kontrolle"),
        ("qu'est-ce que j'ai mardi ?", "mardi 24 novembre 2026:\n- 15:00–16:00 Zahnarzt Kontrolle"),
        ("¿qué tengo pasado mañana?",
         "Nada en su calendario para el miércoles 25 de noviembre de 2026."),
        ("o que tenho depois de amanhã?",
         "Nada no seu calendário para quarta-feira, 25 de novembro de 2026."),
        ("co mam pojutrze?", "Nic w kalendarzu (środa, 25 listopada 2026)."),
        ("qu'est-ce que j'ai après-demain ?",
         "Rien dans votre agenda pour le mercredi 25 novembre 2026."),
    ],
)
def test_an_agenda_answer_is_in_the_question_s_language(runtime, question: str,
                                                        answer: str) -> None:
    assert library.ask(runtime, question).answer == answer


def test_the_next_appointment_is_named_in_russian(runtime) -> None:
    got = library.ask(runtime, "когда следующий приём у стоматолога?").answer
    assert got.startswith("Следующее: пятница, 27 ноября 2026, 09:30–10:15 Приём у стоматолога")


def test_free_time_is_answered_in_chinese(runtime) -> None:
    got = library.ask(runtime, "我下周三下午有空吗？").answer
    assert got.startswith("2026年12月2日（星期三）, 12:00–18:00的空闲时间：")


def test_english_answers_are_unchanged(runtime) -> None:
    assert library.ask(runtime, "what do I have tomorrow?").answer == (
        "Tuesday 24 November 2026:\n- 15:00–16:00 Zahnarzt Kontrolle")


def test_not_found_is_said_in_the_question_s_language(runtime) -> None:
    got = library.ask(runtime, "Wie heißt der Tierarzt meines Hundes?").answer
    assert got.startswith("Dazu habe ich in Ihren Daten nichts gefunden.")


@pytest.mark.parametrize(("question", "opening"), [
    ("¿Cómo se llama el veterinario de mi perro?", "No he encontrado eso en sus datos."),
    ("Como se chama o veterinário do meu cão?", "Não encontrei isso nos seus dados."),
    ("Jak się nazywa weterynarz mojego psa?", "Nie znalazłem tego w Twoich danych."),
    ("Comment s'appelle le vétérinaire de mon chien ?", "Je n'ai pas trouvé cela dans vos données."),
])
def test_not_found_is_said_in_spanish_portuguese_polish_and_french(runtime, question: str,
                                                                   opening: str) -> None:
    assert library.ask(runtime, question).answer.startswith(opening)
