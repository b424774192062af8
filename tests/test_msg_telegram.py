"""Telegram Desktop JSON exports: one chat or the full export, entities, media, broken JSON."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import HEAD_BYTES, ParseContext, detect_format, telegram

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
CHAT = FIXTURES / "ChatExport_2026-11-22" / "result.json"
FULL = FIXTURES / "telegram_full" / "result.json"
TZ = ZoneInfo("Europe/Berlin")


def parse(path: Path) -> tuple[list[Message], list[str]]:
    ctx = ParseContext(tz=TZ)
    return list(telegram.parse(path, ctx)), ctx.problems


def by_id(path: Path) -> dict[str, Message]:
    return {m.id: m for m in parse(path)[0]}


def test_both_export_shapes_are_recognised_by_content(tmp_path: Path) -> None:
    for path in (CHAT, FULL):
        fmt = detect_format(path, path.read_bytes()[:HEAD_BYTES], "auto")
        assert fmt is not None and fmt.NAME == "telegram"
    other = tmp_path / "package.json"
    other.write_text('{"name": "x", "version": "1.0"}')
    assert detect_format(other, other.read_bytes(), "auto") is None


def test_a_message_keeps_chat_sender_exact_time_and_its_id() -> None:
    msg = by_id(CHAT)["2"]
    assert msg.chat == "Mauerpark Runners"
    assert msg.sender == "Lena"
    assert msg.time == datetime(2026, 11, 16, 20, 2, 31, tzinfo=TZ)
    assert msg.text == "Intervals moved to Wednesday, 19:00 at Mauerpark"  # entities joined


def test_service_messages_are_skipped_and_replies_remembered() -> None:
    msgs = by_id(CHAT)
    assert "1" not in msgs  # a pin
    assert msgs["3"].meta == {"reply_to": 2}


def test_stickers_photos_polls_and_files_say_what_they_are() -> None:
    msgs = by_id(CHAT)
    assert msgs["4"].text == "[sticker 😅]"
    assert msgs["5"].text == "Route for Sunday"
    assert msgs["5"].attachments == ("photo_1@17-11-2026_07-00-00.jpg",)
    assert msgs["7"].text == "Poll: Long run: 9 or 10? (9:00)"
    assert msgs["8"].attachments == ("route.gpx",)
    assert msgs["8"].meta == {"forwarded_from": "Berlin Half Marathon"}


def test_an_old_export_without_unixtime_reads_its_date_in_the_configured_zone() -> None:
    msg = by_id(CHAT)["6"]
    assert msg.sender == "Deleted Account"
    assert msg.time == datetime(2026, 11, 18, 21, 20, 18, tzinfo=TZ)


def test_the_full_export_yields_every_chat_including_left_ones() -> None:
    msgs = by_id(FULL)
    assert {m.chat for m in msgs.values()} == {
        "Ada Brandt",
        "Saved Messages",
        "Flat viewing Kreuzberg",
    }
    assert msgs["5512093841:102"].text == "these ones?"  # a text_link entity
    assert msgs["42:3"].sender == "Agent"
    assert "Sam" not in {m.sender for m in msgs.values()}  # personal_information is no chat


def test_truncated_json_keeps_what_came_before_and_says_where(tmp_path: Path) -> None:
    data = CHAT.read_bytes()
    cut = tmp_path / "result.json"
    cut.write_bytes(data[: data.index(b'"id": 5')])
    msgs, problems = parse(cut)
    assert [m.id for m in msgs] == ["2", "3", "4"]
    assert len(problems) == 1
    assert problems[0].startswith("near byte ")
    assert "premature EOF); 3 messages before it were read" in problems[0]


def test_invalid_utf8_inside_a_string_is_replaced_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(CHAT.read_bytes().replace(b"Works for me", b"Works \xff me"))
    msgs, problems = parse(path)
    assert any(m.text.startswith("Works \ufffd me") for m in msgs)
    assert len(msgs) == 7
    assert problems and problems[0].endswith("not valid UTF-8; the bad bytes were replaced")


def test_a_file_that_is_not_json_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text("{ this is not json")
    with pytest.raises(SourceError, match=r"result.json: near byte \d+: not valid JSON"):
        parse(path)


BARE = FIXTURES / "telegram_bare" / "result.json"


def test_a_chat_export_without_the_chats_type_or_message_dates_is_read() -> None:
    fmt = detect_format(BARE, BARE.read_bytes()[:HEAD_BYTES], "messages")
    assert fmt is not None and fmt.NAME == "telegram"
    msgs, problems = parse(BARE)
    assert [(m.id, m.chat, m.sender, m.text) for m in msgs] == [
        ("101", "Lena", "Lena", "Are we still on for the long run?"),
        ("102", "Lena", "Sam Keller", "Yes — 9:00 at the gate"),  # no "type": a message
    ]
    assert msgs[0].time == datetime.fromtimestamp(1794862951, TZ) and problems == []


def test_other_json_with_messages_is_not_taken_for_telegram(tmp_path: Path) -> None:
    discord = tmp_path / "discord.json"
    discord.write_text(
        '{"guild": {"id": "1"}, "messages": [{"id": "9", "type": "Default", '
        '"timestamp": "2026-11-01T10:00:00+00:00", "content": "hi", "author": {"id": "2"}}]}'
    )
    facebook = tmp_path / "message_1.json"
    facebook.write_text('{"participants": [], "messages": [{"sender_name": "A", "content": "x"}]}')
    for path in (discord, facebook):
        assert detect_format(path, path.read_bytes(), "messages") is None
