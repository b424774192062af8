"""Calendar questions in German, Russian, Chinese, Spanish, Portuguese, Polish and French:
time phrases from each language's table (assistant/phrases/<lang>.toml [time]) read by the
one exact English grammar; the question's language told by its function words.

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
    "es": {"mañana": (D(2026, 11, 24),) * 2, "pasado mañana": (D(2026, 11, 25),) * 2,
           "hoy": (D(2026, 11, 23),) * 2, "el viernes": (D(2026, 11, 27),) * 2,
           "el próximo martes": (D(2026, 11, 24),) * 2,
           "el viernes que viene": (D(2026, 11, 27),) * 2,
           "la semana que viene": (D(2026, 11, 30), D(2026, 12, 6)),
           "la próxima semana": (D(2026, 11, 30), D(2026, 12, 6)),
           "el fin de semana": (D(2026, 11, 28), D(2026, 11, 29)),
           "en diciembre": (D(2026, 12, 1), D(2026, 12, 31)),
           "el 5 de diciembre": (D(2026, 12, 5),) * 2},
    "pt": {"amanhã": (D(2026, 11, 24),) * 2, "depois de amanhã": (D(2026, 11, 25),) * 2,
           "hoje": (D(2026, 11, 23),) * 2, "na sexta-feira": (D(2026, 11, 27),) * 2,
           "na sexta": (D(2026, 11, 27),) * 2, "no sábado": (D(2026, 11, 28),) * 2,
           "na próxima terça": (D(2026, 11, 24),) * 2,
           "na semana que vem": (D(2026, 11, 30), D(2026, 12, 6)),
           "no fim de semana": (D(2026, 11, 28), D(2026, 11, 29)),
           "em dezembro": (D(2026, 12, 1), D(2026, 12, 31)),
           "a 5 de dezembro": (D(2026, 12, 5),) * 2},
    "pl": {"jutro": (D(2026, 11, 24),) * 2, "pojutrze": (D(2026, 11, 25),) * 2,
           "dzisiaj": (D(2026, 11, 23),) * 2, "w piątek": (D(2026, 11, 27),) * 2,
           "we wtorek": (D(2026, 11, 24),) * 2, "w środę": (D(2026, 11, 25),) * 2,
           "w przyszły piątek": (D(2026, 11, 27),) * 2,
           "w przyszłym tygodniu": (D(2026, 11, 30), D(2026, 12, 6)),
           "w weekend": (D(2026, 11, 28), D(2026, 11, 29)),
           "w grudniu": (D(2026, 12, 1), D(2026, 12, 31)),
           "5 grudnia": (D(2026, 12, 5),) * 2},
    "fr": {"demain": (D(2026, 11, 24),) * 2, "après-demain": (D(2026, 11, 25),) * 2,
           "aujourd'hui": (D(2026, 11, 23),) * 2, "vendredi": (D(2026, 11, 27),) * 2,
           "vendredi prochain": (D(2026, 11, 27),) * 2, "mardi prochain": (D(2026, 11, 24),) * 2,
           "la semaine prochaine": (D(2026, 11, 30), D(2026, 12, 6)),
           "ce week-end": (D(2026, 11, 28), D(2026, 11, 29)),
           "en décembre": (D(2026, 12, 1), D(2026, 12, 31)),
           "le 5 décembre": (D(2026, 12, 5),) * 2},
}
OPENERS = {
    "de": ["was habe ich {t}", "{t} was steht an", "was ist {t} los", "was steht {t} an"],
    "ru": ["что у меня {t}", "{t} что у меня", "какие планы {t}", "что запланировано {t}"],
    "zh": ["我{t}有什么安排", "{t}有什么安排", "{t}我有什么计划", "{t}的日程"],
    "es": ["qué tengo {t}", "¿qué tengo {t}", "{t} qué tengo", "qué hay en mi agenda {t}",
           "tengo algo {t}"],
    "pt": ["o que tenho {t}", "{t} o que tenho", "o que há na minha agenda {t}",
           "tenho alguma coisa {t}"],
    "pl": ["co mam {t}", "{t} co mam", "co jest w kalendarzu {t}", "czy mam coś {t}"],
    "fr": ["qu'est-ce que j'ai {t}", "{t} qu'est-ce que j'ai", "qu'est-ce qui est prévu {t}",
           "j'ai quelque chose {t}"],
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
        ("qué tengo el viernes", "es", "agenda", (D(2026, 11, 27),) * 2),
        ("co mam w piątek", "pl", "agenda", (D(2026, 11, 27),) * 2),
        ("qu'est-ce que j'ai vendredi", "fr", "agenda", (D(2026, 11, 27),) * 2),
        ("o que tenho na sexta-feira?", "pt", "agenda", (D(2026, 11, 27),) * 2),
        ("¿Estoy libre el viernes por la tarde?", "es", "free", (D(2026, 11, 27),) * 2),
        ("Estou livre amanhã à tarde?", "pt", "free", (D(2026, 11, 24),) * 2),
        ("Czy jestem wolny jutro po południu?", "pl", "free", (D(2026, 11, 24),) * 2),
        ("Est-ce que je suis libre demain après-midi ?", "fr", "free", (D(2026, 11, 24),) * 2),
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


@pytest.mark.parametrize(("question", "language", "kind"), [
    ("¿cuánto pagamos de renta?", "es", "amount"),
    ("¿a qué hora es la boda de Marta?", "es", "time"),
    ("¿cuándo es la cena?", "es", "date"),
    ("¿dónde es la fiesta de Lucía?", "es", "place"),
    ("¿quién trae el pastel?", "es", "person"),
    ("¿cuántos invitados vienen?", "es", "count"),
    ("¿cuál es el código del portal?", "es", "code"),
    ("a que horas é a cerimónia da Marta?", "pt", "time"),
    ("quanto pagamos de renda?", "pt", "amount"),
    ("quanta couve leva o caldo verde?", "pt", "amount"),
    ("onde fica o restaurante do jantar?", "pt", "place"),
    ("quem leva o bolo?", "pt", "person"),
    ("qual é a senha do wifi?", "pt", "code"),
    ("ile twarogu daję do ruskich?", "pl", "amount"),
    ("o której jest ślub Marty?", "pl", "time"),
    ("kiedy przylatuje Michał?", "pl", "date"),
    ("gdzie jest kolacja?", "pl", "place"),
    ("kto przynosi tort?", "pl", "person"),
    ("ile razy w tygodniu jest basen?", "pl", "count"),
    ("jaki jest kod do wifi?", "pl", "code"),
    ("à quelle heure est le mariage de Marta ?", "fr", "time"),
    ("combien coûte le loyer ?", "fr", "amount"),
    ("où est le dîner ?", "fr", "place"),
    ("qui apporte le gâteau ?", "fr", "person"),
    ("quel est le code du wifi ?", "fr", "code"),
    ("combien de temps dure le vol ?", "fr", "duration"),
])
def test_a_question_s_answer_type_is_read_in_its_language(question: str, language: str,
                                                          kind: str) -> None:
    plan = PLANNER.plan(question, NOW)
    assert (plan.language, plan.answer_type) == (language, kind)


@pytest.mark.parametrize(("question", "focus"), [
    ("¿cuánto pagamos de renta?", {"renta"}),
    ("a que horas é a cerimónia da Marta?", {"cerimónia", "marta"}),
    ("ile twarogu daję do ruskich?", {"twarog", "rusk"}),  # lemmas: the case ending gone
    ("qu'est-ce qu'Ana a dit sur l'appartement ?", {"ana", "appartement"}),
])
def test_function_words_are_no_focus_words(question: str, focus: set[str]) -> None:
    assert set(PLANNER.plan(question, NOW).focus) <= focus | {"pagamos", "horas"}
    assert focus <= set(PLANNER.plan(question, NOW).focus)


@pytest.mark.parametrize(("question", "title"), [
    ("¿Cuándo es mi próxima cita con el Zahnarzt?", "Zahnarzt Kontrolle"),
    ("Quando é a próxima aula de yoga?", "Yoga class"),
    ("Kiedy jest następne yoga class?", "Yoga class"),
    ("Quand est le prochain cours de yoga ?", "Yoga class"),
])
def test_the_next_event_is_found_in_spanish_portuguese_polish_and_french(
        question: str, title: str) -> None:
    plan = PLANNER.plan(question, NOW)
    assert plan.route == "event" and plan.event_mode == "next", plan
    assert [m.entry.title for m in plan.events] == [title]


# English questions naming people and places whose names are built of other languages'
# small words ("Casa da Ribeira", "Café de la Paix") stay English.
NAMES = ["Ana", "João", "Marta", "Zosia", "Kuba", "Domingo", "Inês", "Michał", "Lucía", "Nuno",
         "Amélie", "Pedro", "Ola", "Ewa", "Maria", "Jose"]
PLACES = ["Casa da Ribeira", "Café de la Paix", "Le Petit Bistro", "El Sol", "Los Arcos",
          "Quinta do Lago", "Pão de Açúcar", "Pod Aniołami", "Na Zdrowie", "La Fitness", "Mi Casa",
          "Bom Dia", "Dos Santos", "Rua da Fonte Taurina", "Plac na Groblach", "São Paulo",
          "Rio de Janeiro", "Mercado de San Miguel", "Sala Kongresowa", "Hotel du Lac",
          "Tasca do Chico", "Bar Mleczny", "Las Ramblas", "Casa Lucio", "Pasta e Basta",
          "Ostra da Vila", "Mayo Clinic", "Chez Marie", "Porta Nova", "Que Sera", "Jak Bar"]
FRAMES = ["what did {n} say about {p}", "who is DJ-ing at {n}'s wedding at {p}",
          "how much is dinner at {p}", "when is {n}'s party at {p}", "reservation number for {p}?",
          "is {p} open on sunday", "what time does {p} close", "what's the address of {p}",
          "did {n} pay for {p}", "where are we meeting {n} on friday", "{n} and me at {p} tomorrow?",
          "what's the wifi password at {p}", "how do I get to {p} from the airport",
          "who booked {p} for {n}", "can {n} come to {p} next week", "la fitness membership price",
          "{p} membership price for {n}?"]


@settings(max_examples=300, deadline=None)
@given(frame=st.sampled_from(FRAMES), name=st.sampled_from(NAMES), place=st.sampled_from(PLACES),
       lower=st.booleans(), end=st.sampled_from(["", "?", " ?", "!"]))
def test_an_english_question_naming_foreign_places_stays_english(
        frame: str, name: str, place: str, lower: bool, end: str) -> None:
    from assistant import phrases

    question = frame.format(n=name, p=place) + end
    if lower:
        question = question.lower()
    got = phrases.detect(phrases.words(question), "en", phrases.capitalised(question))
    assert got == "en", question


@pytest.mark.parametrize(("question", "language"), [
    ("what did Ana say about the casa da ribeira", "en"),
    ("who is DJ-ing at marta's wedding", "en"),
    ("la fitness membership price", "en"),
    ("reservation number for casa da ribeira?", "en"),
    ("what kind of plug adapter am i packing for poland", "en"),
    ("Rio de Janeiro membership price", "en"),
    ("o que disse a Ana sobre a casa?", "pt"),
    ("¿qué dijo Ana del piso?", "es"),
    ("co napisała Ania o mieszkaniu?", "pl"),
    ("qu'est-ce qu'Ana a dit sur l'appartement ?", "fr"),
    ("na ile osób jest ta sala w restauracji?", "pl"),
    ("o que é que não posso vestir no casamento", "pt"),
])
def test_the_language_is_told_by_function_words_not_by_names(question: str,
                                                             language: str) -> None:
    assert PLANNER.plan(question, NOW).language == language


@pytest.mark.parametrize(("asked", "written"), [
    ("restauracji", "restauracja"), ("ruskich", "ruskie"), ("cukierni", "cukiernia"),
    ("michała", "michał"), ("wesela", "wesele"),
])
def test_a_polish_word_matches_its_other_cases(asked: str, written: str) -> None:
    from assistant.phrases import load

    pl = load("pl")
    assert pl.lemma(asked) == pl.lemma(written)


def test_a_short_polish_word_keeps_its_letters() -> None:
    from assistant.phrases import load

    assert load("pl").lemma("tort") == "tort" and load("pl").lemma("sala") == "sala"
