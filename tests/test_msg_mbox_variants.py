"""mbox variants (BOM, mboxrd, undated separators, mboxcl2 Content-Length), badly folded
Exchange headers, odd addresses, and one unreadable mail among good ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.records import Message
from assistant.sources import HEAD_BYTES, ParseContext, detect_format, eml, mbox

FIXTURES = Path(__file__).parent / "fixtures" / "messages"
BOXES = FIXTURES / "mbox"
TZ = ZoneInfo("Europe/Berlin")
CET = timezone(timedelta(hours=1))


def parse(path: Path) -> tuple[list[Message], list[str]]:
    ctx = ParseContext(tz=TZ)
    return list(mbox.parse(path, ctx)), ctx.problems


def format_of(path: Path) -> str | None:
    fmt = detect_format(path, path.read_bytes()[:HEAD_BYTES], "messages")
    return fmt.NAME if fmt else None


@pytest.mark.parametrize("name", ["Archive.mbox", "Undated", "Solaris-mboxcl2", "Exchange"])
def test_every_variant_is_recognised_as_an_mbox(name: str) -> None:
    assert format_of(BOXES / name) == "mbox"


def test_a_byte_order_mark_and_mboxrd_escapes(tmp_path: Path) -> None:
    msgs, problems = parse(BOXES / "Archive.mbox")
    assert [m.subject for m in msgs] == ["Ferry times", "Re: Ferry times"]
    assert msgs[0].text == (
        "The ferry leaves at 10:15.\nFrom the pier it is five minutes.\n>From here, quoted twice."
    )
    assert msgs[1].chat == msgs[0].chat and problems == []


def test_separators_without_a_date_and_without_a_blank_line_before_them() -> None:
    msgs, problems = parse(BOXES / "Undated")
    assert [(m.sender, m.subject) for m in msgs] == [
        ("Radhaus Mitte", "Your bike is ready"),
        ("Ada Brandt", "Lunch"),
        ("Sam Keller", "Re: Lunch"),
    ]
    # A body line "From …" that no header block follows stays in its mail.
    assert msgs[1].text == (
        "From what I hear the new place is good.\nSubject: not a header, a line of the body"
    )
    assert msgs[0].text == "Pick it up any time before 18:00."
    assert problems == []


def test_a_content_length_body_is_never_split() -> None:
    msgs, problems = parse(BOXES / "Solaris-mboxcl2")
    assert [m.subject for m in msgs] == ["Fwd: Heating", "Re: Fwd: Heating"]
    assert "From konrad@hausverwaltung.example Sun Nov 01" in msgs[0].text
    assert "The plumber comes on Thursday." in msgs[0].text
    assert msgs[1].text == "Good, I will be home." and problems == []


def test_a_content_length_that_does_not_fit_is_ignored(tmp_path: Path) -> None:
    data = (
        (BOXES / "Solaris-mboxcl2")
        .read_bytes()
        .replace(b"Content-Length: 183", b"Content-Length: 999")
    )
    path = tmp_path / "box"
    path.write_bytes(data)
    msgs, _ = parse(path)  # the forwarded mail inside now splits: better than losing one
    assert msgs[-1].subject == "Re: Fwd: Heating"


def exchange_checks(msg: Message) -> None:
    assert msg.subject == "Heizung: Termin für den Installateur"
    assert msg.sender == "Vogel, Konrad"
    assert msg.recipients == ("Keller, Sam", "Brandt, Ada")
    assert msg.time == datetime(2026, 11, 3, 8, 15, tzinfo=UTC)
    assert msg.text.startswith("Guten Tag Herr Keller,")
    assert msg.text.endswith("Mit freundlichen Grüßen\nKonrad Vogel")


def test_badly_folded_exchange_headers_are_read_in_an_mbox() -> None:
    msgs, problems = parse(BOXES / "Exchange")
    assert len(msgs) == 2 and problems == []
    exchange_checks(msgs[0])


def test_badly_folded_exchange_headers_are_read_in_an_eml() -> None:
    path = FIXTURES / "eml" / "4 Heizung Termin (Exchange).eml"
    assert format_of(path) == "eml"
    ctx = ParseContext(tz=TZ)
    (msg,) = eml.parse(path, ctx)
    exchange_checks(msg)
    assert ctx.problems == []


def test_an_eml_with_a_byte_order_mark() -> None:
    path = FIXTURES / "eml" / "5 Saved with BOM.eml"
    assert format_of(path) == "eml"
    (msg,) = eml.parse(path, ParseContext(tz=TZ))
    assert (msg.sender, msg.subject) == ("Mira Keller", "Birthday dinner")
    assert msg.time == datetime(2026, 11, 4, 19, 2, 11, tzinfo=CET)


def mail(n: int, sender: str = "Someone <someone@example.org>", extra: str = "") -> str:
    return (
        f"From someone@example.org Mon Nov 0{n} 10:00:00 2026\nFrom: {sender}\n"
        f"Date: Mon, {n} Nov 2026 11:00:00 +0100\nSubject: Mail {n}\n"
        f"Message-ID: <m{n}@example.org>\n{extra}\nHello {n}.\n\n"
    )


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("a!b@c@d", "a!b@c@d"),
        ('"Odd Sender" <a!b@c@d>', "Odd Sender"),
        ("Konrad Vogel <k.vogel@hausverwaltung.example>", "Konrad Vogel"),
        ("sam@example.org", "sam@example.org"),
    ],
)
def test_an_odd_address_gives_a_sensible_sender(tmp_path: Path, sender: str, expected: str) -> None:
    path = tmp_path / "box"
    path.write_text(mail(2, sender))
    assert parse(path)[0][0].sender == expected


@pytest.mark.parametrize("where", [0, 1, 2])
def test_one_unreadable_mail_is_one_warning_and_the_others_are_indexed(
    tmp_path: Path, where: int
) -> None:
    words = " ".join(["=?utf-8?q?x?="] * 5000)
    nested = "(" * 5000 + "x" + ")" * 5000
    bad = mail(5, f"{nested} {words} <evil@example.org>", f"To: {words}\nCc: {nested}\n")
    mails = [mail(2), mail(3)]
    mails.insert(where, bad)
    path = tmp_path / "box"
    path.write_text("".join(mails))
    msgs, problems = parse(path)
    assert {m.subject for m in msgs} >= {"Mail 2", "Mail 3"}
    assert all("\n" not in p for p in problems) and len(problems) <= 1
    if problems:
        assert (
            problems[0].startswith(f"mail {where + 1} (line ") and "<m5@example.org>" in problems[0]
        )
