"""Folders of .eml files: one email per file, threads across files, charsets, HTML-only mail."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import HEAD_BYTES, ParseContext, detect_format, eml

FOLDER = Path(__file__).parent / "fixtures" / "messages" / "eml"
TZ = ZoneInfo("Europe/Berlin")


def parse(path: Path) -> tuple[list[Message], list[str]]:
    ctx = ParseContext(tz=TZ)
    return list(eml.parse(path, ctx)), ctx.problems


def one(name: str) -> Message:
    msgs, problems = parse(FOLDER / name)
    assert problems == [] and len(msgs) == 1
    return msgs[0]


def format_of(path: Path) -> str | None:
    fmt = detect_format(path, path.read_bytes()[:HEAD_BYTES], "auto")
    return fmt.NAME if fmt else None


def test_each_eml_file_is_one_email() -> None:
    assert all(format_of(p) == "eml" for p in FOLDER.iterdir())
    question = one("1 Question about the radiator.eml")
    assert question.kind == "email"
    assert question.sender == "Sam Keller"
    assert question.recipients == ("Konrad Vogel",)
    assert question.subject == "Radiator"
    assert question.id == "q1@example.org"


def test_a_reply_in_another_file_shares_the_thread() -> None:
    question = one("1 Question about the radiator.eml")
    answer = one("2 Re Question about the radiator.eml")
    assert answer.chat == question.chat == "thread:q1@example.org"


def test_flowed_lines_are_joined_and_crlf_is_gone() -> None:
    text = one("1 Question about the radiator.eml").text
    assert "When can the plumber come?" in text
    assert "\r" not in text


def test_iso_8859_1_8bit_text_is_decoded() -> None:
    answer = one("2 Re Question about the radiator.eml")
    assert answer.text == "Haustechnik Krüger kommt am Donnerstag um 10 Uhr."


def test_an_html_only_windows_1252_mail_becomes_clean_text() -> None:
    news = one("3 Newsletter.eml")
    assert news.sender == "Radhaus Mitte"
    assert news.text == "Winter check: chain, lights & brakes for 49 EUR – book now."


def test_an_email_without_suffix_is_recognised_by_its_headers(tmp_path: Path) -> None:
    bare = tmp_path / "message-0001"
    shutil.copy(FOLDER / "1 Question about the radiator.eml", bare)
    assert format_of(bare) == "eml"
    text_note = tmp_path / "note.txt"
    shutil.copy(FOLDER / "1 Question about the radiator.eml", text_note)
    assert format_of(text_note) == "notes"  # a .txt is a note, whatever it holds


def test_an_eml_without_headers_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.eml"
    path.write_text("\nno headers here\n")
    with pytest.raises(SourceError, match="broken.eml: not an email"):
        parse(path)


def test_an_empty_eml_gives_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    assert parse(path) == ([], [])


def test_an_eml_without_date_is_dated_by_the_file_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "nodate.eml"
    path.write_text("From: A <a@example.org>\nSubject: hi\n\nbody text here\n")
    msgs, problems = parse(path)
    assert len(msgs) == 1
    assert problems == ["the message: no valid Date header; dated by the file's time"]


def test_labelled_lines_of_a_booking_mail_are_not_joined_as_if_wrapped() -> None:
    from assistant.sources.email_text import unwrap

    body = (
        "Thank you for your reservation! We look forward to welcoming you to Porto soon.\n"
        "Reservation number: CR-2705-118\n"
        "Apartment: Casa da Ribeira - River View (2nd floor), with a balcony over the river\n"
        "Total: €486.00 (3 nights x €162.00) - paid in full\n"
        "and a sentence that was wrapped by the mail client at about seventy-two\n"
        "characters goes on here."
    )
    lines = unwrap(body).split("\n")
    assert lines[1] == "Reservation number: CR-2705-118"
    assert lines[2].startswith("Apartment: ") and lines[3].startswith("Total: €486.00")
    assert lines[3].endswith("at about seventy-two characters goes on here.")  # still unwrapped
