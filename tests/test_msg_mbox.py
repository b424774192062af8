"""mbox mailboxes: MIME bodies, charsets, encoded headers, attachments, threads, bad separators."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.chunking import chunk_records
from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import HEAD_BYTES, ParseContext, detect_format, mbox
from assistant.sources.email_text import html_to_text, normalise_subject

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
INBOX = FIXTURES / "Inbox"
SAMPLE = Path(__file__).parent.parent / "data" / "messages" / "mail" / "Inbox"
TZ = ZoneInfo("Europe/Berlin")


def parse(path: Path) -> tuple[list[Message], list[str]]:
    ctx = ParseContext(tz=TZ)
    return list(mbox.parse(path, ctx)), ctx.problems


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mailbox"
    path.write_bytes(text.encode("utf-8"))
    return path


def mail(n: int, body: str = "Hello there.", headers: str = "") -> str:
    return (
        f"From someone@example.org Mon Nov 0{n} 10:00:00 2026\n"
        f"From: Someone <someone@example.org>\nDate: Mon, {n} Nov 2026 11:00:00 +0100\n"
        f"Subject: Mail {n}\nMessage-ID: <m{n}@example.org>\n{headers}\n{body}\n\n"
    )


def test_an_mbox_is_recognised_without_an_extension(tmp_path: Path) -> None:
    fmt = detect_format(INBOX, INBOX.read_bytes()[:HEAD_BYTES], "auto")
    assert fmt is not None and fmt.NAME == "mbox"
    note = tmp_path / "From the archive"
    note.write_text("From here on, notes about the archive.\nNo headers at all.\n")
    assert not mbox.detect(note, note.read_bytes())
    trip = tmp_path / "trip.md"
    trip.write_text("From BER Sat Dec 12 07:10:00 2026\nFlight: TP 555\n")
    assert not mbox.detect(trip, trip.read_bytes())  # a note that only looks like one


def test_each_mail_keeps_sender_recipients_time_and_subject() -> None:
    msgs, problems = parse(INBOX)
    first = msgs[0]
    assert problems == []
    assert len(msgs) == 4
    assert first.kind == "email"
    assert first.sender == "Inês Ferreira"  # RFC 2047 display name
    assert first.recipients == ("Sam Keller", "Brandt, Ada")
    assert first.subject == "Grüße aus Lissabon 🇵🇹"
    assert first.time == datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert first.id == "welcome-1@casadorio.example"


def test_the_plain_part_of_an_alternative_is_preferred_and_base64_decoded() -> None:
    first = parse(INBOX)[0][0]
    assert first.text == "Olá Sam, your room at Casa do Rio is ready from 15:00. Inês 😊"


def test_a_stub_plain_part_loses_to_the_html_version() -> None:
    tap = parse(SAMPLE)[0][0]
    assert "TP 555 Saturday 12 December 2026 Berlin Brandenburg (BER) 07:10" in tap.text
    assert "Open this e-mail in a browser" not in tap.text


def test_html_mail_becomes_clean_text_without_scripts_styles_or_hidden_text() -> None:
    cafe = parse(INBOX)[0][3]
    assert cafe.text.startswith("Café opening")
    assert "- Espresso 2,20 €" in cafe.text
    for junk in ("alert", "color: red", "preheader", "<p>", "Newsletter"):
        assert junk not in cafe.text


def test_quoted_printable_iso_8859_1_reads_as_windows_1252() -> None:
    bill = parse(INBOX)[0][2]
    assert bill.subject == "Abschlagsanpassung für Ihre Wohnung"
    assert "beträgt 64 EUR. Grüße aus Köln – Ihre Stadtwerke" in bill.text  # 0x96 is "–"
    assert bill.sender == "Stadtwerke"
    assert bill.recipients == ("sam@example.org",)  # no display name: the address


def test_attachments_are_named_never_indexed() -> None:
    first = parse(INBOX)[0][0]
    assert first.attachments == ("Sala de estar.jpg",)
    chunk = next(iter(chunk_records([first], TZ)))
    assert "Attachments: Sala de estar.jpg" in chunk.text
    assert base64.b64encode(bytes(range(256)))[:20].decode() not in chunk.text


def test_inline_images_of_an_html_mail_are_not_attachments() -> None:
    assert parse(SAMPLE)[0][0].attachments == ("Itinerary-QXR7LM.pdf",)


def test_replies_share_the_thread_of_the_mail_they_answer() -> None:
    msgs = parse(INBOX)[0]
    assert msgs[1].chat == msgs[0].chat == "thread:welcome-1@casadorio.example"
    vogel, reply, answer = parse(SAMPLE)[0][2:5]
    assert vogel.chat == reply.chat == answer.chat
    assert answer.subject == "AW: Re: Plumber for the bedroom radiator"


def test_a_reply_without_references_joins_the_thread_by_its_subject(tmp_path: Path) -> None:
    box = write(tmp_path, mail(2) + mail(3).replace("Subject: Mail 3", "Subject: AW: Re: Mail 2"))
    first, second = parse(box)[0]
    assert second.chat == first.chat
    assert normalise_subject("AW: Re: [list] Fwd: Mail 2") == "mail 2"


def test_an_escaped_from_line_in_a_body_is_restored() -> None:
    reply = parse(INBOX)[0][1]
    assert reply.text == "Thank you! We arrive around 11.\nFrom the airport we take the metro."


def test_an_unescaped_from_in_a_body_does_not_split_the_mail(tmp_path: Path) -> None:
    body = "First line.\n\nFrom what I hear, it works.\nThe end."
    msgs, problems = parse(write(tmp_path, mail(2, body) + mail(3)))
    assert [m.subject for m in msgs] == ["Mail 2", "Mail 3"]
    assert "From what I hear" in msgs[0].text and problems == []


def test_a_broken_separator_is_reported_and_both_mails_are_kept(tmp_path: Path) -> None:
    broken = mail(3).replace(
        "From someone@example.org Mon Nov 03 10:00:00 2026", "From someone garbled ?? 10"
    )
    msgs, problems = parse(write(tmp_path, mail(2) + broken + mail(4)))
    assert [m.subject for m in msgs] == ["Mail 2", "Mail 3", "Mail 4"]
    assert problems == [
        "line 9: malformed mbox 'From ' line; treated as the start of a new message"
    ]


def test_a_mail_without_a_date_is_dated_by_its_separator(tmp_path: Path) -> None:
    box = write(tmp_path, mail(2).replace("Date: Mon, 2 Nov 2026 11:00:00 +0100\n", ""))
    (msg,), problems = parse(box)
    assert msg.time == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert problems == [
        "mail 1 (line 1) <m2@example.org>: no valid Date header; dated by the mbox 'From ' line"
    ]


def test_the_same_mail_twice_is_indexed_once(tmp_path: Path) -> None:
    assert len(parse(write(tmp_path, mail(2) + mail(2) + mail(3)))[0]) == 2


def test_a_mail_without_message_id_gets_a_stable_hash_locator(tmp_path: Path) -> None:
    text = mail(2).replace("Message-ID: <m2@example.org>\n", "")
    first = parse(write(tmp_path, text))[0][0].id
    again = parse(write(tmp_path, text))[0][0].id
    assert first == again and first.startswith("sha:")


def test_a_file_that_is_not_an_mbox_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"mailbox: line 1: not an mbox"):
        parse(write(tmp_path, "just some text\n"))


def test_html_to_text_keeps_visible_text_only() -> None:
    html = (
        "<style>x{}</style><p>One&nbsp;&amp; two</p><span style='DISPLAY: none'>hidden</span>"
        "<table><tr><td>a</td><td>b</td></tr></table><br>end"
    )
    assert html_to_text(html) == "One & two\n\na b\n\nend"
