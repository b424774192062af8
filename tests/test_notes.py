"""Notes: front matter, titles, heading-aware chunks with line-range locators."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assistant.chunking import ChunkingOptions, count_tokens, note_chunks
from assistant.errors import SourceError
from assistant.sources import ParseContext, detect_format, is_ignored
from assistant.sources.notes import MAX_BYTES, decode, parse, parse_text, skip_reason

TZ = ZoneInfo("Europe/Berlin")


def note(text: str, name: str = "n.md"):
    ctx = ParseContext(tz=TZ)
    return parse_text(text, Path(name), ctx), ctx


def test_front_matter_gives_title_tags_and_date() -> None:
    n, _ = note("---\ntitle: Trip\ntags: [a, b]\ndate: 2026-11-10\n---\nBody text here.\n")
    assert n.title == "Trip"
    assert n.tags == ("a", "b")
    assert n.date is not None and n.date.date().isoformat() == "2026-11-10"
    assert n.date.tzinfo is not None


def test_title_falls_back_to_first_h1_then_file_name() -> None:
    assert note("# Groceries\nmilk\n")[0].title == "Groceries"
    assert note("just text\n", "shopping-list.md")[0].title == "shopping-list"


def test_daily_note_takes_its_date_from_the_file_name() -> None:
    n, _ = note("went climbing\n", "journal/2026-11-20.md")
    assert n.date is not None and n.date.date().isoformat() == "2026-11-20"


def test_sections_carry_their_heading_path_and_line_range() -> None:
    text = "# Trip\nintro line\n\n## Flights\nTP 555 at 07:10\n\n### Return\nTP 556\n"
    n, _ = note(text)
    paths = [s.heading_path for s in n.sections]
    assert paths == [("Trip",), ("Trip", "Flights"), ("Trip", "Flights", "Return")]
    flights = n.sections[1]
    assert (flights.start_line, flights.end_line) == (5, 6)
    assert flights.text == "TP 555 at 07:10"


def test_headings_inside_code_fences_are_not_headings() -> None:
    n, _ = note("# Setup\n```bash\n# not a heading\necho hi\n```\n")
    assert len(n.sections) == 1
    assert "# not a heading" in n.sections[0].text


def test_invalid_front_matter_is_reported_and_the_note_still_parses() -> None:
    n, ctx = note("---\ntitle: [unclosed\n---\nBody\n")
    assert ctx.problems and "front matter" in ctx.problems[0]
    assert any("Body" in s.text for s in n.sections)


def test_org_headings_and_title_keyword() -> None:
    n, _ = note("#+TITLE: Garden\n* Tomatoes\nwater daily\n** Pests\naphids\n", "garden.org")
    assert n.title == "Garden"
    assert [s.heading_path for s in n.sections] == [("Tomatoes",), ("Tomatoes", "Pests")]


def test_long_sections_are_split_with_overlap_and_stay_within_budget() -> None:
    body = "\n".join(f"Line {i} says something about topic number {i}." for i in range(120))
    n, _ = note(f"# Big\n## Part\n{body}\n")
    options = ChunkingOptions(note_tokens=120, note_overlap=25)
    chunks = note_chunks(n, options)
    assert len(chunks) > 3
    assert all(count_tokens(c.text) <= 120 + 10 for c in chunks)
    first_end = chunks[0].text.splitlines()[-1]
    assert first_end in chunks[1].text  # overlap: the next chunk repeats the tail
    assert all(c.text.startswith("## Part") for c in chunks)  # heading path, title elided
    starts = [int(c.locator.split("-")[0][1:]) for c in chunks]
    assert starts == sorted(starts) and starts[0] == 3


def test_small_sections_are_packed_into_one_chunk() -> None:
    n, _ = note("# A\none\n## B\ntwo\n## C\nthree\n")
    chunks = note_chunks(n)
    assert len(chunks) == 1
    assert chunks[0].locator == "L2-L6"


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("latin-1", "Café au lait, Straße, naïve"),
        ("cp1252", "“Quoted” – 5 € for the crème brûlée"),  # 0x80-0x9F: Windows only
        ("utf-16", "Notepad’s “Unicode”: Ærø, 東京"),  # with a byte-order mark
        ("utf-8-sig", "BOM first: Ünïcödé"),
    ],
)
def test_notes_in_legacy_and_unicode_encodings_are_read(
    tmp_path: Path, encoding: str, text: str
) -> None:
    path = tmp_path / "legacy.md"
    path.write_bytes(f"# Old note\n{text}\n".encode(encoding))
    (note,) = parse(path, ParseContext(tz=TZ))
    assert note.sections[0].text == text


@given(st.text(st.characters(codec="cp1252"), min_size=1, max_size=200))
def test_any_windows_1252_text_that_is_not_utf8_reads_back_exactly(text: str) -> None:
    raw = text.encode("cp1252")
    try:
        raw.decode("utf-8")
        assume(False)  # the same bytes are valid UTF-8: read as UTF-8, rightly
    except UnicodeDecodeError:
        pass
    assume("\x00" not in text)
    assert decode(raw, Path("n.md")) == text


def test_bytes_undefined_in_windows_1252_are_read_as_latin1() -> None:
    assert decode(b"caf\xe9 \x81", Path("n.md")) == "café \x81"


def test_a_binary_file_named_like_a_note_is_skipped_with_a_reason() -> None:
    head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert detect_format(Path("photo.md"), head, "notes") is None
    assert skip_reason(Path("photo.md"), head) == "binary data, not a text note"
    assert skip_reason(Path("photo.png"), head) is None  # not ours: silently not indexed
    assert skip_reason(Path("plain.md"), b"# hello") is None


def test_the_size_limit_is_worded_in_mib_as_it_is_enforced(tmp_path: Path) -> None:
    big = tmp_path / "dump.md"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 512 * 1024)
    with pytest.raises(SourceError) as err:
        list(parse(big, ParseContext(tz=TZ)))
    assert str(err.value) == f"{big}: too large for a note (20.5 MiB; the limit is 20 MiB)"


def test_detection_by_suffix_and_content(tmp_path: Path) -> None:
    assert detect_format(Path("a.md"), b"# hi", "notes").NAME == "notes"
    assert detect_format(Path("a.png"), b"\x89PNG", "notes") is None
    assert detect_format(Path("a.txt"), b"\x00\x01binary", "notes") is None


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        (".hidden.md", True),
        ("notes.md.swp", True),
        ("~lock.md", True),
        (".#draft.md", True),
        ("draft.md~", True),
        ("notes.md", False),
    ],
)
def test_hidden_temp_and_lock_files_are_ignored(name: str, ignored: bool) -> None:
    assert is_ignored(Path(name)) is ignored
