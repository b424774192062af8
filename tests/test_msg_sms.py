""" "SMS Backup & Restore" XML: SMS and MMS, the app's entity quirks, broken files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import HEAD_BYTES, ParseContext, detect_format, sms_xml

BACKUP = Path(__file__).parent / "fixtures" / "messages" / "sms-20261122210411.xml"
TZ = ZoneInfo("Europe/Berlin")
HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"3\">\n"


def parse(path: Path, tz: ZoneInfo = TZ) -> tuple[list[Message], list[str]]:
    ctx = ParseContext(tz=tz)
    return list(sms_xml.parse(path, ctx)), ctx.problems


def sms(date: int, body: str, kind: int = 1) -> str:
    return (
        f'  <sms protocol="0" address="+4930123" date="{date}" type="{kind}" body="{body}" '
        'contact_name="Radhaus Mitte" />\n'
    )


def write(tmp_path: Path, data: bytes | str) -> Path:
    path = tmp_path / "sms.xml"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_a_backup_is_recognised_by_its_content() -> None:
    fmt = detect_format(BACKUP, BACKUP.read_bytes()[:HEAD_BYTES], "auto")
    assert fmt is not None and fmt.NAME == "sms_xml"


def test_received_and_sent_sms_with_contact_time_and_id() -> None:
    msgs, _ = parse(BACKUP)
    received, sent = msgs[0], msgs[1]
    assert (received.chat, received.sender, received.recipients) == ("Mira", "Mira", ("Me",))
    assert (sent.chat, sent.sender, sent.recipients) == ("Mira", "Me", ("Mira",))
    assert received.time == datetime(2026, 11, 20, 18, 30, 44, tzinfo=TZ)
    assert received.id == "sms:1795195844000:+4917623456789"


def test_epoch_milliseconds_are_exact_whatever_the_zone() -> None:
    berlin = parse(BACKUP)[0][0].time
    tokyo = parse(BACKUP, ZoneInfo("Asia/Tokyo"))[0][0].time
    assert berlin == tokyo and tokyo.utcoffset() != berlin.utcoffset()


def test_emoji_written_as_surrogate_references_and_xml_escapes_are_decoded() -> None:
    msgs = parse(BACKUP)[0]
    assert msgs[0].text == "Lunch tomorrow? 🍜 12:30 & don't be late <3"
    assert msgs[1].text == "Perfect\nsee you there 👍"


def test_forbidden_characters_and_lone_surrogates_become_replacement_characters() -> None:
    dhl = next(m for m in parse(BACKUP)[0] if m.chat == "DHL")  # contact "(Unknown)"
    assert dhl.text == "DHL: parcel arrives today\ufffd[0m 13:00-16:00 \ufffd"


def test_drafts_are_skipped_and_a_bad_date_is_reported() -> None:
    msgs, problems = parse(BACKUP)
    assert all("draft" not in m.text for m in msgs)
    assert problems == ["<sms> number 5: no valid date"]


def test_an_mms_keeps_its_text_names_its_image_and_its_group_sender() -> None:
    mms = parse(BACKUP)[0][-1]
    assert mms.text == "First glaze test 💙"
    assert mms.attachments == ("IMG_0042.jpg",)
    assert mms.chat == "Mira, Ada"
    assert mms.sender == "Mira"  # the FROM address (type 137), named by position
    assert mms.id.startswith("mms:1795284153000:")


def test_a_truncated_backup_keeps_the_messages_before_the_break(tmp_path: Path) -> None:
    data = HEAD + sms(1795195844000, "one") + sms(1795195845000, "two") + '  <sms date="17'
    msgs, problems = parse(write(tmp_path, data))
    assert [m.text for m in msgs] == ["one", "two"]
    assert len(problems) == 1
    assert problems[0].startswith("line 5, column ")
    assert "2 messages before it were read" in problems[0]


def test_invalid_utf8_is_reported_with_its_byte_and_parsing_goes_on(tmp_path: Path) -> None:
    data = HEAD + sms(1795195844000, "caf\udcff!") + sms(1795195845000, "after") + "</smses>"
    raw = data.encode("utf-8", "surrogateescape")
    msgs, problems = parse(write(tmp_path, raw))
    assert [m.text for m in msgs] == ["caf\ufffd!", "after"]
    where = raw.index(b"\xff") + 1
    assert problems == [f"byte {where}: not valid UTF-8; the bad bytes were replaced"]


def test_a_surrogate_pair_split_across_read_blocks_is_still_one_emoji(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.sources import exports

    monkeypatch.setattr(exports.CleanReader, "BLOCK", 7)  # every reference is cut somewhere
    data = HEAD + sms(1795195844000, "&#55357;&#56397; &#x1F600; &amp;") + "</smses>"
    (msg,), problems = parse(write(tmp_path, data))
    assert msg.text == "👍 😀 &" and problems == []


def test_a_file_that_is_not_xml_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"sms.xml: line 1, column 0: not XML"):
        parse(write(tmp_path, "this is not xml"))


def test_another_xml_document_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not an SMS backup"):
        parse(write(tmp_path, "<calls><call /></calls>"))


def test_read_elements_are_cleared_so_memory_stays_flat(tmp_path: Path) -> None:
    rows = "".join(sms(1795195844000 + i, f"message {i}") for i in range(2000))
    msgs, _ = parse(write(tmp_path, HEAD + rows + "</smses>"))
    assert len(msgs) == 2000
    assert msgs[-1].time == datetime.fromtimestamp((1795195844000 + 1999) / 1000, UTC)


RCS = BACKUP.parent / "sms-20261123080000.xml"


def test_a_group_rcs_message_is_from_its_sender_never_from_the_group_id() -> None:
    msgs, problems = parse(RCS)
    group = [m for m in msgs if m.chat.startswith("group_")]
    assert [(m.sender, m.text) for m in group] == [
        ("+49 176 23456789", "Kiln is free on Saturday 🔥"),  # no name for that number
        ("Ada", "I'll bring the blue glaze"),  # named by her SMS, written another way
        ("Me", "Count me in"),
        ("+4915755555555", "[attached: PXL_20261121_195640.jpg]"),
    ]
    assert not any("rcs.google.com" in m.sender for m in msgs)
    assert problems == []


def test_one_unreadable_element_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    data = (
        HEAD
        + sms(1795195844000, "one")
        + '  <mms date="x" msg_box="1"><addrs><addr /></addrs></mms>\n'
    )
    data += sms(1795195845000, "two") + "</smses>"
    msgs, problems = parse(write(tmp_path, data))
    assert [m.text for m in msgs] == ["one", "two"]
    assert problems == ["<mms> number 2: no valid date"]
