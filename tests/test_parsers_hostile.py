"""Hostile and broken exports (messages and calendars): every input ends in a clean parse or
a one-line error, within bounded time and memory, and the other files are still indexed."""

from __future__ import annotations

import base64
import os
import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import library
from assistant.chunking import chunk_records
from assistant.errors import SourceError
from assistant.sources import ParseContext, eml, ics, mbox, sms_xml, telegram, whatsapp
from conftest import write_config

TZ = ZoneInfo("Europe/Berlin")
FIXTURES = Path(__file__).parent / "fixtures" / "messages"
SAMPLES: dict[ModuleType, Path] = {
    whatsapp: FIXTURES / "WhatsApp Chat with Ada Brandt.txt",
    mbox: FIXTURES / "Inbox",
    eml: FIXTURES / "eml" / "1 Question about the radiator.eml",
    sms_xml: FIXTURES / "sms-20261122210411.xml",
    telegram: FIXTURES / "ChatExport_2026-11-22" / "result.json",
    ics: FIXTURES.parent / "calendar" / "google.ics",
}
PARSERS = list(SAMPLES)
# Every shape the parsers read, mutated the same way: locales, marks, mbox variants.
SHAPES: list[tuple[ModuleType, Path]] = [
    *SAMPLES.items(),
    *((whatsapp, p) for p in sorted((FIXTURES / "whatsapp").rglob("*.txt"))),
    *((mbox, p) for p in sorted((FIXTURES / "mbox").iterdir())),
    (eml, FIXTURES / "eml" / "4 Heizung Termin (Exchange).eml"),
    (eml, FIXTURES / "eml" / "5 Saved with BOM.eml"),
    (sms_xml, FIXTURES / "sms-20261123080000.xml"),
    (telegram, FIXTURES / "telegram_bare" / "result.json"),
]
SECONDS = 5.0  # per file, far above what any case here needs
FAST = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "40")),  # raise to hunt locally
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def outcome(parser: ModuleType, path: Path) -> tuple[int, list[str]]:
    """Parse and chunk ``path``; a SourceError must be one line naming the file."""
    ctx = ParseContext(tz=TZ)
    start = time.monotonic()
    try:
        chunks = list(chunk_records(parser.parse(path, ctx), TZ))
    except SourceError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path)), str(exc)
        chunks = []
    assert time.monotonic() - start < SECONDS
    assert all("\n" not in p for p in ctx.problems), ctx.problems
    assert len(ctx.problems) <= 51  # capped: a file of broken lines cannot flood the index
    return len(chunks), ctx.problems


def mutate(data: bytes, draw: Callable) -> bytes:
    """Truncate, cut out, overwrite or insert bytes (NULs, bad UTF-8, markup) somewhere."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["truncate", "cut", "insert", "overwrite"]))
        junk = draw(
            st.sampled_from(
                [
                    b"\x00",
                    b"\xff\xfe",
                    b"\xed\xa0\x80",
                    b"<",
                    b"&#55357;",
                    b'"',
                    b"{",
                    b"\n",
                    b"--",
                    b"From x\n",
                    b"]",
                    b"\r",
                    b"=?utf-8?b?@@@?=",
                    b"\xc3",
                ]
            )
            | st.binary(max_size=20)
        )
        if op == "truncate":
            data = data[:at]
        elif op == "cut":
            data = data[:at] + data[at + draw(st.integers(1, 200)) :]
        elif op == "insert":
            data = data[:at] + junk + data[at:]
        else:
            data = data[:at] + junk + data[at + len(junk) :]
    return data


@pytest.mark.parametrize("parser", PARSERS, ids=lambda m: m.NAME)
@FAST
@given(data=st.binary(max_size=2000))
def test_random_bytes_parse_cleanly_or_fail_in_one_line(
    tmp_path: Path, parser: ModuleType, data: bytes
) -> None:
    path = tmp_path / SAMPLES[parser].name
    path.write_bytes(data)
    outcome(parser, path)


@pytest.mark.parametrize(("parser", "sample"), SHAPES, ids=lambda x: getattr(x, "name", ""))
@FAST
@given(data=st.data())
def test_mutated_real_exports_parse_cleanly_or_fail_in_one_line(
    tmp_path: Path, parser: ModuleType, sample: Path, data: st.DataObject
) -> None:
    path = tmp_path / sample.name
    path.write_bytes(mutate(sample.read_bytes(), data.draw))
    outcome(parser, path)


@FAST
@given(data=st.data())
def test_whatsapp_headers_of_every_locale_with_junk_spliced_in(
    tmp_path: Path, data: st.DataObject
) -> None:
    from datetime import datetime

    from assistant.sources.whatsapp_grammar import LOCALES, PLATFORMS, render

    lines = []
    for _ in range(data.draw(st.integers(1, 6))):
        loc = data.draw(st.sampled_from(LOCALES))
        when = data.draw(st.datetimes(datetime(1990, 1, 1), datetime(2099, 12, 31)))
        head = render(loc, when, data.draw(st.sampled_from(PLATFORMS)))
        cut = data.draw(st.integers(0, len(head)))  # a header broken anywhere
        junk = data.draw(st.sampled_from(["", "\u200e", "99", ":", " - ", "]", "‹", "<attached: "]))
        lines.append(head[:cut] + junk + head[cut:] + data.draw(st.text(max_size=30)))
    path = tmp_path / "WhatsApp Chat with Ada.txt"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    outcome(whatsapp, path)


@pytest.mark.parametrize("shape", ["mboxrd", "undated", "mboxcl2"])
@FAST
@given(data=st.data())
def test_mailboxes_of_generated_mails_keep_every_readable_mail(
    tmp_path: Path, shape: str, data: st.DataObject
) -> None:
    mails = []
    for i in range(data.draw(st.integers(1, 5))):
        body = data.draw(
            st.lists(
                st.sampled_from(
                    [
                        "From here on",
                        ">From the pier",
                        "From: x",
                        "",
                        "text",
                        "From a@b Mon Nov 02 10:00:00 2026",
                    ]
                ),
                max_size=6,
            )
        )
        body_bytes = "\n".join(body).encode() + b"\n"
        head = f"From: P{i} <p{i}@example.org>\nDate: Mon, 2 Nov 2026 10:00:00 +0100\n"
        head += f"Subject: s{i}\nMessage-ID: <g{i}@example.org>\n"
        sep = {
            "mboxrd": "From p@example.org Mon Nov 02 10:00:00 2026",
            "undated": "From ",
            "mboxcl2": "From p@example.org Mon Nov 02 10:00:00 2026",
        }[shape]
        if shape == "mboxcl2":
            head += f"Content-Length: {len(body_bytes)}\n"
        else:  # every writer but mboxcl2 escapes a body line "From "
            body_bytes = b"\n".join(
                b">" + x if x.lstrip(b">").startswith(b"From ") else x
                for x in body_bytes.split(b"\n")
            )
        mails.append(f"{sep}\n{head}\n".encode() + body_bytes)
    path = tmp_path / "box"
    path.write_bytes(b"\n".join(mails))
    ctx = ParseContext(tz=TZ)
    msgs = list(mbox.parse(path, ctx))
    assert [m.subject for m in msgs] == [f"s{i}" for i in range(len(mails))]


@pytest.mark.parametrize("parser", PARSERS, ids=lambda m: m.NAME)
@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "utf-8-sig"])
def test_a_wrong_encoding_is_survived(tmp_path: Path, parser: ModuleType, encoding: str) -> None:
    text = SAMPLES[parser].read_text(encoding="utf-8")
    path = tmp_path / SAMPLES[parser].name
    path.write_bytes(text.encode(encoding, errors="replace"))
    outcome(parser, path)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda m: m.NAME)
def test_an_empty_file_gives_nothing(tmp_path: Path, parser: ModuleType) -> None:
    path = tmp_path / SAMPLES[parser].name
    path.write_bytes(b"")
    assert outcome(parser, path)[0] == 0


@pytest.mark.parametrize("parser", PARSERS, ids=lambda m: m.NAME)
def test_a_50_mb_line_costs_bounded_time_and_memory(tmp_path: Path, parser: ModuleType) -> None:
    sample = SAMPLES[parser].read_bytes()
    huge = b"x" * (50 << 20)
    if parser is sms_xml:  # inside an attribute, where a giant body would be
        data = sample.replace(b"Lunch tomorrow?", huge, 1)
    elif parser is telegram:  # inside a string
        data = sample.replace(b"Works for me", huge, 1)
    else:  # a line of its own inside the first message
        first_break = sample.index(b"\n", sample.index(b"\n") + 1)
        data = sample[:first_break] + b"\n" + huge + sample[first_break:]
    path = tmp_path / SAMPLES[parser].name
    path.write_bytes(data)
    del data, sample
    tracemalloc.start()
    try:
        chunks, _ = outcome(parser, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert chunks > 0  # the rest of the file is still there
    # Lines are cut at 1 MB, quoted XML values and JSON strings at 256 KB / 1 MB.
    assert peak < (40 << 20)


def nested_mime(depth: int) -> bytes:
    head = b"From: A <a@example.org>\nDate: Mon, 2 Nov 2026 09:00:00 +0100\nSubject: deep\n"
    body = b"Content-Type: text/plain\n\ninnermost text\n"
    for i in range(depth):
        b = f"b{i}".encode()
        body = (
            b'Content-Type: multipart/mixed; boundary="'
            + b
            + b'"\n\n--'
            + b
            + b"\n"
            + body
            + b"--"
            + b
            + b"--\n"
        )
    return head + body


@pytest.mark.parametrize("depth", [20, 3000])
def test_deeply_nested_mime_is_cut_off_and_reported(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.eml"
    path.write_bytes(nested_mime(depth))
    chunks, problems = outcome(eml, path)
    assert problems and "nested too deeply" in problems[0]
    assert chunks <= 1


def test_a_zip_bomb_like_attachment_is_named_never_decoded(tmp_path: Path) -> None:
    payload = base64.encodebytes(b"\x00" * (36 << 20))  # ~50 MB of base64, 76-char lines
    path = tmp_path / "bomb.eml"
    path.write_bytes(
        b"From: A <a@example.org>\nDate: Mon, 2 Nov 2026 09:00:00 +0100\nSubject: bomb\n"
        b'Content-Type: multipart/mixed; boundary="x"\n\n--x\nContent-Type: text/plain\n\n'
        b'see attachment\n--x\nContent-Type: application/zip; name="bomb.zip"\n'
        b"Content-Transfer-Encoding: base64\n\n" + payload + b"--x--\n"
    )
    del payload
    start = time.monotonic()
    msgs = list(eml.parse(path, ctx := ParseContext(tz=TZ)))
    (msg,) = msgs
    assert msg.attachments == ("bomb.zip",) and msg.text == "see attachment"
    assert ctx.problems == ["larger than 2 MB; 49 MB of attachment data skipped"]
    assert time.monotonic() - start < SECONDS


def test_a_file_deleted_before_parsing_is_one_clear_error(tmp_path: Path) -> None:
    for parser in PARSERS:
        with pytest.raises(SourceError, match="cannot read"):
            list(parser.parse(tmp_path / "gone", ParseContext(tz=TZ)))


@pytest.mark.slow  # loads the embedder and embeds every fixture
def test_broken_exports_never_stop_the_others_from_being_indexed(
    tmp_path: Path, make_runtime
) -> None:
    folder = tmp_path / "messages"
    shutil.copytree(FIXTURES, folder)
    (folder / "broken").mkdir()
    truncated = SAMPLES[telegram].read_bytes()[:700]
    (folder / "broken" / "result.json").write_bytes(truncated)
    (folder / "broken" / "sms-1.xml").write_bytes(SAMPLES[sms_xml].read_bytes()[:1500])
    (folder / "broken" / "garbage.eml").write_bytes(b"\x00\x01 not an email")
    (folder / "broken" / "empty.eml").write_bytes(b"")
    (folder / "broken" / "not-xml.xml").write_bytes(b"<smses><sms body='x' date='1'")
    write_config(tmp_path, [("messages", "messages")])
    report = library.index(make_runtime(tmp_path))
    good = sum(1 for p in FIXTURES.rglob("*") if p.is_file())
    assert report.added >= good + 2  # the truncated JSON and XML keep their first messages
    assert report.failed <= 2 and all(e.count("\n") == 0 for e in report.errors)
    assert any("result.json: near byte" in w for w in report.warnings)
    assert any("sms-1.xml: line" in w for w in report.warnings)
