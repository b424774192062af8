"""Hostile and broken notes: every input ends in a clean parse or a one-line error, quickly."""

from __future__ import annotations

import time
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chunking import DEFAULT_OPTIONS, chunk_records, count_tokens
from assistant.errors import SourceError
from assistant.sources import ParseContext
from assistant.sources.notes import MAX_BYTES, parse

TZ = ZoneInfo("Europe/Berlin")
MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("abc xyz#*-:[]`~\n\t\r---é🙂\u202e\x00")), max_size=3000
)


def parse_file(tmp: Path, data: bytes, name: str = "note.md"):
    path = tmp / name
    path.write_bytes(data)
    ctx = ParseContext(tz=TZ)
    return list(chunk_records(parse(path, ctx), TZ)), ctx


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4000))
def test_any_bytes_parse_cleanly_or_fail_with_one_line(tmp_path: Path, data: bytes) -> None:
    try:
        chunks, _ = parse_file(tmp_path, data)
    except SourceError as exc:
        assert "\n" not in str(exc) and "note.md" in str(exc)
        return
    assert all(c.text.strip() for c in chunks)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MARKDOWNISH)
def test_any_markdownish_text_chunks_within_budget(tmp_path: Path, text: str) -> None:
    try:
        chunks, _ = parse_file(tmp_path, text.encode("utf-8"))
    except SourceError:
        return  # NUL bytes: refused as binary
    for chunk in chunks:
        assert count_tokens(chunk.text) <= DEFAULT_OPTIONS.note_tokens + 40
        start, end = chunk.locator[1:].split("-L")
        assert 1 <= int(start) <= int(end)


def test_a_50_mb_single_line_is_bounded_in_time(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(b"x" * (19 * 1024 * 1024))  # just under the note size limit
    t0 = time.monotonic()
    chunks = list(chunk_records(parse(path, ParseContext(tz=TZ)), TZ))
    assert chunks and time.monotonic() - t0 < 30
    big = tmp_path / "huge.md"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    try:
        list(parse(big, ParseContext(tz=TZ)))
    except SourceError as exc:
        assert "too large" in str(exc)
    else:
        raise AssertionError("a 20 MB+ note must be refused")


def test_empty_file_and_front_matter_only_give_no_chunks(tmp_path: Path) -> None:
    assert parse_file(tmp_path, b"")[0] == []
    assert parse_file(tmp_path, b"---\ntitle: x\n---\n")[0] == []


def test_a_deeply_nested_yaml_front_matter_is_survived(tmp_path: Path) -> None:
    nested = "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nbody text\n"
    chunks, ctx = parse_file(tmp_path, nested.encode())
    assert any("body text" in c.text for c in chunks) or ctx.problems
