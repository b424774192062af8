"""WhatsApp chat exports: Android and iOS shapes, locales, clocks, media, system lines, ids."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.records import Message
from assistant.sources import HEAD_BYTES, ParseContext, detect_format, whatsapp

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
ANDROID = FIXTURES / "WhatsApp Chat with Ada Brandt.txt"
IOS = FIXTURES / "WhatsApp Chat - Book Club" / "_chat.txt"
TZ = ZoneInfo("Europe/Berlin")


def parse(path: Path, tz: ZoneInfo = TZ) -> tuple[list[Message], list[str]]:
    ctx = ParseContext(tz=tz)
    return list(whatsapp.parse(path, ctx)), ctx.problems


def write(tmp_path: Path, text: str, name: str = "chat.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def format_of(path: Path, kind: str = "auto") -> str | None:
    fmt = detect_format(path, path.read_bytes()[:HEAD_BYTES], kind)
    return fmt.NAME if fmt else None


def test_an_export_is_recognised_by_its_lines_not_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "random name.txt"
    shutil.copy(ANDROID, renamed)
    assert format_of(renamed) == "whatsapp"
    assert {m.chat for m in parse(renamed)[0]} == {"random name"}
    assert format_of(renamed, "messages") == "whatsapp"
    assert format_of(IOS) == "whatsapp"
    note = write(tmp_path, "# Shopping\n12/11/2026 buy milk\n", "note.txt")
    assert format_of(note) == "notes"


def test_android_lines_become_messages_with_sender_time_and_chat() -> None:
    msgs, problems = parse(ANDROID)
    first = msgs[0]
    assert problems == []
    assert first.chat == "Ada Brandt"  # from "WhatsApp Chat with Ada Brandt.txt"
    assert first.sender == "Ada Brandt"
    assert first.text == "Morning! ☀️ Coffee at Bonanza before work?"
    assert first.time == datetime(2026, 11, 3, 8, 2, tzinfo=TZ)
    assert first.kind == "message"


def test_system_lines_media_omitted_and_deleted_messages_are_not_indexed() -> None:
    texts = [m.text for m in parse(ANDROID)[0]]
    joined = "\n".join(texts)
    for absent in ("end-to-end encrypted", "<Media omitted>", "was deleted", "changed the group"):
        assert absent not in joined


def test_a_message_spanning_lines_keeps_every_line() -> None:
    msgs = parse(ANDROID)[0]
    packing = next(m for m in msgs if m.text.startswith("Here is the list"))
    assert packing.text.splitlines() == [
        "Here is the list for the weekend:",
        "- tent",
        "- two sleeping bags",
        "",
        "- the camping stove 🔥",
    ]


def test_attached_files_are_named_and_their_captions_kept() -> None:
    android = parse(ANDROID)[0]
    doc = next(m for m in android if m.attachments)
    assert doc.attachments == ("DOC-20261103-WA0002.pdf",)
    assert doc.text == "[attached: DOC-20261103-WA0002.pdf] Tickets for the ferry"
    ios = parse(IOS)[0]
    photo = next(m for m in ios if m.attachments)
    assert photo.attachments == ("00000009-PHOTO-2026-11-14-12-05-01.jpg",)
    assert photo.text == "[attached: 00000009-PHOTO-2026-11-14-12-05-01.jpg]"


def test_rtl_text_emoji_and_the_edited_marker() -> None:
    android = parse(ANDROID)[0]
    assert any(m.text == "שלום! My Hebrew teacher says hi 🙂" for m in android)
    assert any(
        m.text == "The ferry leaves at 10:15" for m in android
    )  # "<This message was edited>"
    arabic = next(m for m in parse(IOS)[0] if m.sender == "Noor")  # "~ Noor": not a contact
    assert arabic.text == "سأقرأه في عطلة نهاية الأسبوع"


def test_ios_12h_clock_with_narrow_no_break_space_and_month_first_dates() -> None:
    msgs, problems = parse(IOS)
    assert problems == []
    times = [m.time for m in msgs]
    assert times[0] == datetime(2026, 11, 2, 21, 6, 40, tzinfo=TZ)  # 9:06:40 PM
    assert datetime(2026, 11, 14, 0, 4, 45, tzinfo=TZ) in times  # 12:04:45 AM is just past midnight
    assert datetime(2026, 11, 14, 12, 5, 1, tzinfo=TZ) in times  # 12:05:01 PM is noon
    assert "Bring snacks!" in next(m.text for m in msgs if m.text.startswith("Meeting"))


def test_ios_chat_is_named_by_its_export_folder_else_by_its_encryption_notice(
    tmp_path: Path,
) -> None:
    assert {m.chat for m in parse(IOS)[0]} == {"Book Club"}
    loose = tmp_path / "_chat.txt"
    shutil.copy(IOS, loose)
    assert {m.chat for m in parse(loose)[0]} == {"Book Club"}  # the notice's "sender"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # A first field above 12 decides: day first.
        (["03/11/2026, 10:00 - A: x", "25/11/2026, 10:00 - A: y"], datetime(2026, 11, 3, 10, 0)),
        # A second field above 12 decides: month first.
        (["03/11/2026, 10:00 - A: x", "03/25/2026, 10:00 - A: y"], datetime(2026, 3, 11, 10, 0)),
        # Undecided: the order whose dates lie closer together (3-5 Nov, not Mar-May).
        (
            ["03/11/2026, 10:00 - A: x", "04/11/2026, 10:00 - A: y", "05/11/2026, 10:00 - A: z"],
            datetime(2026, 11, 3, 10, 0),
        ),
        # Year first needs no inference.
        (["2026-11-03, 10:00 - A: x", "2026-11-04, 10:00 - A: y"], datetime(2026, 11, 3, 10, 0)),
        # German Android: dots and a two-digit year.
        (["03.11.26, 10:00 - A: x", "14.11.26, 10:00 - A: y"], datetime(2026, 11, 3, 10, 0)),
    ],
)
def test_the_date_order_is_inferred_from_the_file(
    tmp_path: Path, lines: list[str], expected: datetime
) -> None:
    msgs, _ = parse(write(tmp_path, "\n".join(lines) + "\n"))
    assert msgs[0].time == expected.replace(tzinfo=TZ)


def test_undecided_us_shape_defaults_to_month_first(tmp_path: Path) -> None:
    msgs, _ = parse(write(tmp_path, "3/4/26, 9:00 PM - A: x\n3/4/26, 9:01 PM - B: y\n"))
    assert msgs[0].time == datetime(2026, 3, 4, 21, 0, tzinfo=TZ)


def test_times_are_wall_clock_times_in_the_configured_zone() -> None:
    berlin = parse(ANDROID)[0][0].time
    new_york = parse(ANDROID, ZoneInfo("America/New_York"))[0][0].time
    assert berlin.hour == new_york.hour == 8
    assert (new_york - berlin).total_seconds() == 6 * 3600


def test_identical_messages_in_one_minute_get_distinct_ids() -> None:
    oks = [m for m in parse(ANDROID)[0] if m.text == "ok"]
    assert len(oks) == 2
    assert oks[1].id == oks[0].id + "-2"


def test_ids_survive_a_reexport_that_grew_or_lost_its_oldest_lines(tmp_path: Path) -> None:
    lines = ANDROID.read_text(encoding="utf-8").splitlines()
    full = parse(ANDROID)[0]
    # WhatsApp caps exports: a later one may start further on and end further on.
    later = write(tmp_path, "\n".join([*lines[2:], "13/11/2026, 22:00 - Ada Brandt: new"]) + "\n")
    again = parse(later)[0]
    assert [m.id for m in again[:-1]] == [m.id for m in full[1:]]


def test_invalid_utf8_is_reported_with_its_line_and_the_rest_is_indexed(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(
        b"03/11/2026, 10:00 - A: before\n03/11/2026, 10:01 - A: bad \xff\xfe byte\n"
        b"03/11/2026, 10:02 - A: after\n"
    )
    msgs, problems = parse(path)
    assert [m.text for m in msgs] == ["before", "bad \ufffd\ufffd byte", "after"]
    assert problems == ["line 2, byte 28: not valid UTF-8; the bad bytes were replaced"]


def test_lines_before_the_first_message_are_reported_once(tmp_path: Path) -> None:
    msgs, problems = parse(write(tmp_path, "junk\nmore junk\n03/11/2026, 10:00 - A: x\n"))
    assert [m.text for m in msgs] == ["x"]
    assert problems == ["line 1: not a WhatsApp message line; skipped"]


def test_an_impossible_date_is_reported_and_skipped(tmp_path: Path) -> None:
    text = "30/02/2026, 10:00 - A: never\n03/11/2026, 10:00 - A: fine\n"
    msgs, problems = parse(write(tmp_path, text))
    assert [m.text for m in msgs] == ["fine"]
    assert problems == ["line 1: 30/02/2026, 10:00 is not a valid date"]
