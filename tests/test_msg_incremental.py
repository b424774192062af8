"""Re-exports of a growing chat: only the new messages are embedded."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant import library
from assistant.chunking import chunk_records, text_hash
from assistant.index import STREAM_AFTER
from assistant.sources import ParseContext, whatsapp
from conftest import write_config

TZ = ZoneInfo("Europe/Berlin")
START = datetime(2026, 9, 1, 9, 0)
TOPICS = ["the flight", "the hotel", "dinner", "the museum", "running", "Mira's gift", "rain"]


def export_lines(n: int, gap: timedelta = timedelta(minutes=20)) -> list[str]:
    """An Android export: two people chatting, a pause of ``gap`` between messages."""
    lines = []
    for i in range(n):
        when = START + i * gap
        who = "Ada Brandt" if i % 2 else "Sam Keller"
        topic = TOPICS[(i // 5) % len(TOPICS)]
        lines.append(f"{when:%d/%m/%Y, %H:%M} - {who}: message {i} about {topic}")
    return lines


def hashes(path: Path) -> list[str]:
    return [text_hash(c) for c in chunk_records(whatsapp.parse(path, ParseContext(tz=TZ)), TZ)]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "messages").mkdir()
    write_config(tmp_path, [("messages", "messages")])
    return tmp_path


def test_a_grown_export_embeds_only_its_new_messages(
    home: Path, make_runtime
) -> None:
    chat = home / "messages" / "WhatsApp Chat with Ada Brandt.txt"
    chat.write_text("\n".join(export_lines(40)) + "\n", encoding="utf-8")
    rt = make_runtime(home)
    first = library.index(rt)
    before = hashes(chat)
    assert first.chunks_embedded == len(before) > 5

    chat.write_text("\n".join(export_lines(52)) + "\n", encoding="utf-8")
    again = library.index(rt)
    after = hashes(chat)
    new = [h for h in after if h not in set(before)]
    assert again.updated == 1
    assert again.chunks_embedded == len(new) == 12  # one chunk per message
    assert again.chunks_reused == len(after) - len(new) == len(before)


def test_chunks_are_the_same_for_the_same_prefix(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    short, long = tmp_path / "a" / "chat.txt", tmp_path / "b" / "chat.txt"
    short.write_text("\n".join(export_lines(30)) + "\n", encoding="utf-8")
    long.write_text("\n".join(export_lines(300)) + "\n", encoding="utf-8")
    assert hashes(long)[: len(hashes(short)) - 1] == hashes(short)[:-1]


@pytest.mark.slow
def test_a_large_export_is_streamed_and_reindexed_incrementally(home: Path, make_runtime) -> None:
    chat = home / "messages" / "WhatsApp Chat with Ada Brandt.txt"
    hour = timedelta(hours=1)  # every message its own window
    chat.write_text("\n".join(export_lines(STREAM_AFTER + 40, hour)) + "\n", encoding="utf-8")
    rt = make_runtime(home)
    first = library.index(rt)
    assert first.added == 1 and first.chunks_embedded == STREAM_AFTER + 40

    chat.write_text("\n".join(export_lines(STREAM_AFTER + 45, hour)) + "\n", encoding="utf-8")
    again = library.index(rt)
    assert (again.chunks_embedded, again.chunks_reused) == (5, STREAM_AFTER + 40)
    assert rt.store.counts()["chunks"] == {"message": STREAM_AFTER + 45}
