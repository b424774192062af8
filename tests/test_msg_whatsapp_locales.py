"""WhatsApp exports in every locale shape: each message read with its sender, instant and
text; notices dropped, attachments named with their captions kept, nothing else lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.sources import HEAD_BYTES, ParseContext, detect_format, whatsapp
from assistant.sources.whatsapp_grammar import (
    LOCALES,
    PLATFORMS,
    Locale,
    match,
    order_of_shape,
    render,
)

FOLDER = Path(__file__).parent / "fixtures" / "messages" / "whatsapp"
TZ = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def read(path: Path) -> tuple[list[tuple[str, datetime, str]], list[str]]:
    ctx = ParseContext(tz=TZ)
    return [(m.sender, m.time, m.text) for m in whatsapp.parse(path, ctx)], ctx.problems


EXPECTED: dict[str, list[tuple[str, datetime, str]]] = {
    "WhatsApp Chat - Lisbon Trip/_chat.txt": [
        ("Ada Brandt", at(2020, 1, 15, 14, 21, 15), "Flights are booked ✈️"),
        (
            "Ada Brandt",
            at(2020, 1, 15, 14, 22, 40),
            "[attached: 00000004-PHOTO-2020-01-15-14-22-40.jpg] The view from the hotel",
        ),
        (
            "Sam Keller",
            at(2020, 1, 15, 14, 23, 5),
            "[attached: 00000005-AUDIO-2020-01-15-14-23-05.opus]",
        ),
        ("Sam Keller", at(2020, 1, 15, 14, 24), "[attached: 00000006-Itinerary.pdf]"),
        ("Ada Brandt", at(2020, 1, 15, 14, 25, 10), "Note: check-in closes at 6:30\u202fAM"),
        ("Noor", at(2020, 1, 16, 9, 5, 12), "صباح الخير"),
        (
            "Ada Brandt",
            at(2020, 1, 16, 9, 7),
            "Location: https://maps.google.com/?q=38.7223,-9.1393",
        ),
        ("Sam Keller", at(2020, 1, 16, 12, 1), "Lunch at noon, see you"),
    ],
    "WhatsApp Chat mit Ada Brandt.txt": [
        ("Ada Brandt", at(2020, 1, 15, 14, 21), "Hallo Sam! Bist du schon in Lissabon?"),
        (
            "Ada Brandt",
            at(2020, 1, 15, 14, 22),
            "[attached: IMG-20200115-WA0003.jpg] Das ist der Blick vom Hotel",
        ),
        ("Sam Keller", at(2020, 1, 15, 14, 25), "Wow, schön! Um 19:30 beim Abendessen?"),
        ("Ada Brandt", at(2020, 1, 16, 8, 2), "[attached: PTT-20200116-WA0001.opus]"),
        ("Sam Keller", at(2020, 1, 16, 8, 10), "Guten Morgen ☀️"),
    ],
    "Discussion WhatsApp avec Léa Martin.txt": [
        ("Léa Martin", at(2020, 1, 15, 2, 22), "Tu dors ?"),
        ("Sam Keller", at(2020, 1, 15, 2, 23), "Pas encore 😅"),
        (
            "Léa Martin",
            at(2020, 1, 15, 2, 24),
            "[attached: DOC-20200115-WA0004.pdf] Le billet pour samedi",
        ),
        ("Sam Keller", at(2020, 2, 13, 21, 5), "Rendez-vous à 20 h devant le cinéma"),
    ],
    "WhatsApp Chat with Mökki.txt": [
        ("Mikko Virtanen", at(2020, 1, 15, 14, 22), "Sauna lämpiää klo 18."),
        ("Aino Laine", at(2020, 1, 15, 14, 25), "Tuon makkarat!"),
        ("Aino Laine", at(2020, 2, 3, 9, 5), "Huomenta"),
    ],
    "WhatsApp Chat with Sam Keller.txt": [
        ("Ada Brandt", at(2014, 1, 12, 2, 22), "Are you awake?"),
        ("Sam Keller", at(2014, 1, 12, 2, 23), "Yes: jet lag."),
        ("Ada Brandt", at(2014, 1, 16, 14, 5), "Lunch at 13:00?\nOr later, 14:00 works too"),
    ],
    "WhatsApp Chat with Yuki Tanaka.txt": [
        ("Yuki Tanaka", at(2020, 1, 15, 14, 22), "おはよう"),
        ("Sam Keller", at(2020, 1, 15, 14, 23), "Good morning!"),
        ("Yuki Tanaka", at(2020, 1, 16, 9, 10), "今日は寒いね"),
        ("Sam Keller", at(2020, 1, 17, 19, 45), "See you tomorrow"),
    ],
    "WhatsApp Chat with 김민수.txt": [
        ("김민수", at(2020, 1, 15, 14, 22), "안녕하세요"),
        ("Sam Keller", at(2020, 1, 15, 14, 25), "Hello!"),
        ("김민수", at(2020, 1, 16, 9, 0), "좋은 아침"),
        ("김민수", at(2020, 1, 16, 12, 30), "점심 먹었어요?"),
    ],
    "WhatsApp Chat with أحمد.txt": [
        ("أحمد", at(2020, 1, 15, 14, 22), "مرحبا سام"),
        ("Sam Keller", at(2020, 1, 15, 14, 23), "Hi Ahmed!"),
        ("أحمد", at(2020, 1, 16, 9, 0), "صباح الخير"),
    ],
    "Conversa do WhatsApp com Ana Souza.txt": [
        ("Ana Souza", at(2020, 1, 15, 14, 22), "Oi, tudo bem?"),
        ("Ana Souza", at(2020, 1, 15, 14, 23), "[attached: IMG-20200115-WA0007.jpg]"),
        ("Sam Keller", at(2020, 1, 15, 14, 24), "Tudo ótimo!"),
    ],
    "Chat de WhatsApp con Carlos Ruiz.txt": [
        ("Carlos Ruiz", at(2020, 1, 15, 14, 22), "¿Vamos al cine?"),
        ("Sam Keller", at(2020, 1, 15, 23, 58), "Sí, a las 8"),
        ("Carlos Ruiz", at(2020, 1, 16, 0, 5), "Perfecto"),
    ],
}
CHATS = {
    "WhatsApp Chat - Lisbon Trip/_chat.txt": "Lisbon Trip",
    "WhatsApp Chat mit Ada Brandt.txt": "Ada Brandt",
    "Discussion WhatsApp avec Léa Martin.txt": "Léa Martin",
    "Conversa do WhatsApp com Ana Souza.txt": "Ana Souza",
    "Chat de WhatsApp con Carlos Ruiz.txt": "Carlos Ruiz",
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_message_of_a_real_export_reads_right(name: str) -> None:
    path = FOLDER / name
    fmt = detect_format(path, path.read_bytes()[:HEAD_BYTES], "messages")
    assert fmt is not None and fmt.NAME == "whatsapp"
    messages, problems = read(path)
    assert messages == EXPECTED[name]
    assert problems == []


@pytest.mark.parametrize(("name", "chat"), list(CHATS.items()))
def test_the_chat_is_named_by_the_export_file_in_the_apps_language(name: str, chat: str) -> None:
    ctx = ParseContext(tz=TZ)
    assert {m.chat for m in whatsapp.parse(FOLDER / name, ctx)} == {chat}


def write(tmp_path: Path, lines: list[str], name: str = "chat.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("13.06.18 21.25.15: a: m", at(2018, 6, 13, 21, 25, 15)),  # old, dotted clock
        ("13.6.2018 klo 21.25.15 - a: m", at(2018, 6, 13, 21, 25, 15)),
        ("[3/6/18 1:55:00 p. m.] a: m", at(2018, 6, 3, 13, 55)),
        ("\u200e[13/06/2018, 21:25:15] a: m", at(2018, 6, 13, 21, 25, 15)),
        ("2018. 06. 13. 21:25 - a: m", at(2018, 6, 13, 21, 25)),
        ("2018/6/13 下午9:25 - a: m", at(2018, 6, 13, 21, 25)),
        ("13.06.18 г., 21:25 ч. - a: m", at(2018, 6, 13, 21, 25)),
        ("13/06/2018, 9:25\u202fpm - a: m", at(2018, 6, 13, 21, 25)),
        ("13.06.18, 9:25 nachm. - a: m", at(2018, 6, 13, 21, 25)),
        ("13.06.2018 kl. 21.25 - a: m", at(2018, 6, 13, 21, 25)),
        ("13-06-2018 om 21:25 - a: m", at(2018, 6, 13, 21, 25)),
        ("13.06.2018 в 21:25 - a: m", at(2018, 6, 13, 21, 25)),
        ("13.06.18 um 21:25 - a: m", at(2018, 6, 13, 21, 25)),
        ("13/6/2561 21:25 - a: m", at(2018, 6, 13, 21, 25)),  # the Thai Buddhist era
        ("2018/06/13 午前0:25 - a: m", at(2018, 6, 13, 0, 25)),
    ],
)
def test_header_shapes_of_many_locales(tmp_path: Path, line: str, expected: datetime) -> None:
    messages, problems = read(write(tmp_path, [line]))
    assert messages == [("a", expected, "m")] and problems == []


def test_a_header_of_another_shape_inside_a_message_is_its_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "15/01/2020, 14:22 - Ada: the old chat said:",
            "[14/01/2020, 09:00:00] Sam: see you",  # pasted from an iOS export
            "15/01/2020, 14:23 - Sam: ok",
        ],
    )
    messages, _ = read(path)
    assert [text for _, _, text in messages] == [
        "the old chat said:\n[14/01/2020, 09:00:00] Sam: see you",
        "ok",
    ]


def test_notices_quoting_a_subject_with_a_colon_are_not_messages(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            '15/01/2020, 14:20 - Ada changed the subject from "Trip: planning" to "Trip"',
            "15/01/2020, 14:21 - Ada hat die Gruppe „Reise: Lissabon“ erstellt",
            '15/01/2020, 14:22 - Robert "Bob" Smith: I created group "Trip" yesterday',
            "15/01/2020, 14:23 - Tom Left: Messages and calls work fine for me",
        ],
    )
    messages, _ = read(path)
    assert [(s, t) for s, _, t in messages] == [
        ('Robert "Bob" Smith', 'I created group "Trip" yesterday'),
        ("Tom Left", "Messages and calls work fine for me"),
    ]


def test_an_unknown_marked_line_is_kept_rather_than_lost(tmp_path: Path) -> None:
    path = write(tmp_path, ["[15/01/2020, 14:22:00] Ada: \u200ePOLL: Dinner?\nOPTION: Pizza"])
    assert read(path)[0] == [("Ada", at(2020, 1, 15, 14, 22), "POLL: Dinner?\nOPTION: Pizza")]


def test_a_two_digit_year_first_is_decided_by_the_dates_of_the_whole_file(
    tmp_path: Path,
) -> None:
    # Read day first, these would be 20 Jan 2015, 2016, 2017: a year apart, not a chat.
    lines = ["20/01/15 14:22 - A: x", "20/01/16 09:00 - A: y", "20/01/17 10:00 - A: z"]
    assert [t for _, t, _ in read(write(tmp_path, lines))[0]] == [
        at(2020, 1, 15, 14, 22),
        at(2020, 1, 16, 9, 0),
        at(2020, 1, 17, 10, 0),
    ]


def test_the_order_is_decided_even_when_the_deciding_date_comes_late(tmp_path: Path) -> None:
    lines = [f"0{d}/0{m}/2020, 10:00 - A: x" for m in (1, 2) for d in range(1, 8)]
    lines.append("28/02/2020, 10:00 - A: the deciding date")
    first = read(write(tmp_path, lines))[0][0]
    assert first[1] == at(2020, 1, 1, 10, 0)


# --- the same chat in every locale shape ----------------------------------------------

NAMES = ["Ada Brandt", "Sam", "Łukasz Nowak", "أحمد", "山田 太郎", "Zoë-Anne", "+49 176 1234567"]
WORD = st.text(
    alphabet=st.characters(
        categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029\x85"
    ),
    min_size=0,
    max_size=24,
)
LINE = st.builds(lambda a, b: f"w{a.strip()}{b}.", WORD, st.sampled_from(["", "😀", " ok", ": x"]))
TEXT = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


@st.composite
def chats(draw: st.DrawFn) -> list[tuple[str, datetime, str]]:
    start = draw(st.datetimes(datetime(2012, 1, 1), datetime(2031, 12, 1)))
    n = draw(st.integers(1, 8))
    when = start
    out = []
    for _ in range(n):
        when += timedelta(seconds=draw(st.integers(0, 2 * 86400)))
        out.append((draw(st.sampled_from(NAMES)), when.replace(microsecond=0), draw(TEXT)))
    return out


def _decides_alone(loc: Locale) -> bool:
    """True when the locale's own order wins a tie for its shape (see OrderVote)."""
    head = match(render(loc, datetime(2020, 1, 2, 15, 4, 5), "android") + "A: x")
    assert head is not None
    order = "".join(dict.fromkeys(c.upper() for c in loc.date if c in "dMy"))
    return head.shape[-1] or order_of_shape(head.shape) == order


def _render_chat(loc: Locale, platform: str, chat: list[tuple[str, datetime, str]]) -> str:
    lines = []
    if platform == "android":
        lines.append(
            render(loc, chat[0][1], platform) + "Messages and calls are end-to-end "
            "encrypted. No one outside of this chat, not even WhatsApp, can read them."
        )
    else:
        lines.append(
            "\u200e" + render(loc, chat[0][1], platform) + "Ada: \u200eMessages and "
            "calls are end-to-end encrypted. No one outside of this chat can read them."
        )
    for sender, when, text in chat:
        lines.append(render(loc, when, platform) + f"\u202a{sender}\u202c: {text}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("loc", LOCALES, ids=lambda loc: loc.tag)
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chat=chats())
def test_the_same_chat_reads_back_identically_in_every_locale_shape(
    tmp_path: Path, loc: Locale, platform: str, chat: list[tuple[str, datetime, str]]
) -> None:
    if not _decides_alone(loc):  # a shape another locale writes in the other order:
        first = chat[0][1]  # one date past the 12th decides it, as in any real chat
        chat = [("Sam", first.replace(day=25) - timedelta(days=40), "wdecides."), *chat]
    path = tmp_path / "WhatsApp Chat with Ada.txt"
    path.write_text(_render_chat(loc, platform, chat), encoding="utf-8")
    fmt = detect_format(path, path.read_bytes()[:HEAD_BYTES], "messages")
    assert fmt is not None and fmt.NAME == "whatsapp"
    messages, problems = read(path)
    if platform != "ios":  # Android and older exports write no seconds
        chat = [(s, w.replace(second=0), t) for s, w, t in chat]
    assert messages == [(s, w.replace(tzinfo=TZ), t) for s, w, t in chat]
    assert problems == []


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-15 10:00: called the plumber\n2024-01-15 12:00: bought milk\n"
        "2024-01-16 09:00: Plumber: comes Thursday\n",
        "[15/01/2024, 10:00:00] called the plumber\n[16/01/2024, 09:00:00] paid the rent\n",
    ],
)
def test_a_journal_of_timestamped_lines_stays_a_note(tmp_path: Path, text: str) -> None:
    path = tmp_path / "journal.txt"
    path.write_text(text, encoding="utf-8")
    fmt = detect_format(path, path.read_bytes(), "auto")
    assert fmt is not None and fmt.NAME == "notes"


@pytest.mark.parametrize(
    "notice",
    [
        "Messages and calls are end-to-end encrypted. No one outside of this chat can read them.",
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats.",
        "Les messages et les appels sont chiffrés de bout en bout. Aucun tiers ne peut les lire.",
        "Сообщения и звонки защищены сквозным шифрованием. Никто за пределами этого чата.",
    ],
)
def test_the_encryption_notice_from_the_chat_name_is_not_a_message(
    tmp_path: Path, notice: str
) -> None:
    path = write(
        tmp_path, [f"[15/01/2020, 14:20:01] Book Club: {notice}", "[15/01/2020, 14:22:00] Ada: hi"]
    )
    assert read(path)[0] == [("Ada", at(2020, 1, 15, 14, 22), "hi")]


def test_a_group_export_opening_with_many_notices_is_recognised(tmp_path: Path) -> None:
    lines = ["15/01/2020, 14:20 - Messages and calls are end-to-end encrypted. Tap to learn more."]
    lines += [f"15/01/2020, 14:2{i % 10} - Ada added Person {i}" for i in range(70)]
    lines.append("15/01/2020, 14:30 - Ada: welcome all")
    path = write(tmp_path, lines, "WhatsApp Chat with Big Group.txt")
    assert detect_format(path, path.read_bytes()[:HEAD_BYTES], "messages") is not None
    assert read(path)[0] == [("Ada", at(2020, 1, 15, 14, 30), "welcome all")]
