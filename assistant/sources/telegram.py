"""Telegram Desktop JSON exports (result.json: one chat, or the full export's chats.list).

Streamed with ijson: one message object is built at a time, never the whole file.
``date_unixtime`` is exact; older exports only have ``date``, a wall-clock time that is
read in the configured zone. ``text`` is a string or a list of strings and entities;
``text_entities`` (newer exports) is preferred. Service messages carry no content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ijson

from assistant.errors import SourceError
from assistant.records import Message
from assistant.sources import ParseContext, open_binary
from assistant.sources.exports import MAX_TEXT, CappedRuns, CleanReader, Problems

NAME = "telegram"
FAMILY = "messages"

_CHAT_TYPES = (
    b"personal_chat",
    b"private_group",
    b"private_supergroup",
    b"public_supergroup",
    b"private_channel",
    b"public_channel",
    b"saved_messages",
    b"bot_chat",
)
_READ = 1 << 20  # big reads: yajl rescans an unfinished token on each one
_SINGLE = "messages.item"
_FULL = ("chats.list.item", "left_chats.list.item")
_MESSAGE_PREFIXES = {_SINGLE, *(f"{p}.messages.item" for p in _FULL)}
_CHAT_FIELDS = {"": "", **{f"{p}": p for p in _FULL}}
_MEDIA = {
    "sticker": "sticker",
    "voice_message": "voice message",
    "video_message": "video message",
    "video_file": "video",
    "audio_file": "audio",
    "animation": "GIF",
}


_MESSAGES = re.compile(rb'"messages"\s*:\s*\[\s*([\]{])')
_MESSAGE_KEYS = re.compile(rb'"(?:text|text_entities|from|date|date_unixtime)"\s*:')


def detect(path: Path, head: bytes) -> bool:
    """The full export, or one chat: an object whose ``messages`` holds message-shaped
    objects (an ``id`` and a text, sender or date); the chat's ``type``, even a message's
    ``date``, may be missing."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{"):
        return False
    if b'"personal_information"' in head and b'"about"' in head:
        return True  # the full export
    m = _MESSAGES.search(head)
    if m is None:
        return False
    if m.group(1) == b"]":  # a chat without messages
        return any(b'"' + t + b'"' in head for t in _CHAT_TYPES)
    first = head[m.start(1) : m.start(1) + 4096]
    return b'"id"' in first and _MESSAGE_KEYS.search(first) is not None


@dataclass
class _Chat:
    name: str | None = None
    id: Any = None
    type: str | None = None


def _text(obj: dict[str, Any]) -> str:
    entities = obj.get("text_entities")
    pieces = entities if isinstance(entities, list) else obj.get("text", "")
    if isinstance(pieces, str):
        return pieces
    out: list[str] = []
    if isinstance(pieces, list):
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
            elif isinstance(piece, dict) and isinstance(piece.get("text"), str):
                out.append(piece["text"])
    return "".join(out)


def _time(obj: dict[str, Any], tz: ZoneInfo) -> datetime | None:
    try:
        if obj.get("date_unixtime") is not None:
            return datetime.fromtimestamp(int(obj["date_unixtime"]), tz)
        local = datetime.fromisoformat(str(obj.get("date", "")))
    except (ValueError, TypeError, OverflowError, OSError):
        return None
    return local if local.tzinfo else local.replace(tzinfo=tz)


def _extras(obj: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(placeholder texts, attachment names) of a message's media, poll or location."""
    texts: list[str] = []
    files: list[str] = []
    media = obj.get("media_type")
    if "photo" in obj:
        files.append(_file_name(obj.get("photo"), "photo"))
    elif "file" in obj or media:
        label = _MEDIA.get(str(media), "file")
        if media == "sticker" and obj.get("sticker_emoji"):
            texts.append(f"[sticker {obj['sticker_emoji']}]")
        else:
            files.append(str(obj.get("file_name") or _file_name(obj.get("file"), label)))
    poll = obj.get("poll")
    if isinstance(poll, dict):
        answers = [a.get("text", "") for a in poll.get("answers", []) if isinstance(a, dict)]
        texts.append(f"Poll: {poll.get('question', '')} ({' / '.join(answers)})")
    place = obj.get("location_information")
    if isinstance(place, dict):
        texts.append(f"[location {place.get('latitude')}, {place.get('longitude')}]")
    return texts, files


def _file_name(value: object, label: str) -> str:
    # "(File not included. Change data exporting settings to download.)" names nothing.
    if isinstance(value, str) and value and not value.startswith("("):
        return value.rsplit("/", 1)[-1]
    return label


def _message(obj: dict[str, Any], chat: _Chat, full: bool, tz: ZoneInfo) -> Message | None:
    if obj.get("type", "message") != "message":
        return None  # service messages: joins, pins, calls
    when = _time(obj, tz)
    if when is None:
        raise ValueError("no valid date")
    texts, files = _extras(obj)
    text = _text(obj)[:MAX_TEXT].strip()
    if texts:
        text = "\n".join([text, *texts]).strip()
    if not text and files:
        text = "[" + ", ".join(files) + "]"
    if not text:
        return None
    msg_id = obj.get("id")
    forwarded = obj.get("forwarded_from")
    meta: dict[str, Any] = {}
    if forwarded:
        meta["forwarded_from"] = str(forwarded)
    if obj.get("reply_to_message_id") is not None:
        meta["reply_to"] = obj["reply_to_message_id"]
    return Message(
        id=f"{chat.id}:{msg_id}" if full else str(msg_id),
        chat=chat.name or "Telegram chat",
        sender=str(obj.get("from") or obj.get("actor") or "Deleted Account"),
        time=when,
        text=text,
        attachments=tuple(files),
        meta=meta,
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Message]:
    problems = Problems(ctx)
    fh = open_binary(path)
    reader = CappedRuns(CleanReader(fh, problems), cap=1 << 20)
    chat = _Chat()
    count = 0
    builder: ijson.ObjectBuilder | None = None
    current = ""
    with fh:
        try:
            for prefix, event, value in ijson.parse(reader, buf_size=_READ, use_float=True):
                if builder is not None:
                    builder.event(event, value)
                    if event == "end_map" and prefix == current:
                        obj, builder = builder.value, None
                        try:
                            msg = _message(obj, chat, current != _SINGLE, ctx.tz)
                        except ValueError as exc:
                            problems.report(f"message id {obj.get('id')}: {exc}; skipped")
                            continue
                        except Exception as exc:  # noqa: BLE001 - one odd message only
                            problems.report(
                                f"message id {obj.get('id')}: could not be read "
                                f"({type(exc).__name__}); skipped"
                            )
                            continue
                        if msg is not None:
                            count += 1
                            yield msg
                    continue
                if event == "start_map":
                    if prefix in _MESSAGE_PREFIXES:
                        builder, current = ijson.ObjectBuilder(), prefix
                        builder.event(event, value)
                    elif prefix in _FULL:
                        chat = _Chat()
                    continue
                base, _, key = prefix.rpartition(".")
                if base in _CHAT_FIELDS and key in ("name", "id", "type"):
                    if key == "name" and isinstance(value, str):
                        chat.name = value
                    elif key == "id":
                        chat.id = value
                    elif key == "type" and isinstance(value, str):
                        chat.type = value
                        if value == "saved_messages" and chat.name is None:
                            chat.name = "Saved Messages"
        except ijson.JSONError as exc:
            reason = (str(exc).strip().splitlines() or ["unknown error"])[0][:120]
            if count == 0 and chat.name is None:
                raise SourceError(
                    path, f"near byte {reader.offset}: not valid JSON ({reason})"
                ) from None
            problems.report(
                f"near byte {reader.offset}: the JSON is truncated or broken ({reason}); "
                f"{count} messages before it were read, the rest of the file was skipped"
            )
    problems.close()
