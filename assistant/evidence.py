"""Evidence: the statements of a retrieved chunk that may be offered to the model.

A chunk is cut into sentences ("units"); wrapped lines are joined first, every unit of
a chat message or an email carries its "[date] Sender: " head (so a quote says who
said it and when), and text that addresses an AI is never evidence: indexed text is
data, not instructions.
"""

from __future__ import annotations

import re

MAX_SENTENCE_WORDS = 40

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
# Text that talks to an AI rather than about the user's life. Kept searchable, never
# offered to the model as evidence: indexed text is data, not instructions.
INJECTION = re.compile(
    r"(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier)\s+"
    r"(instructions|prompts?|rules|messages)|you are now|system prompt|as an ai\b|"
    r"new instructions|reply (only )?with|respond (only )?with",
    re.IGNORECASE,
)


# A message line of a chat window: "[2026-11-18 20:14] Ada Brandt: text".
MESSAGE_LINE = re.compile(r"^(\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\] [^:\n]{1,80}: )(.*)$")
# The "[date] Sender: " head a unit of a message or an email starts with.
MESSAGE_HEAD = re.compile(r"^\[(?P<when>[^\]\n]{0,40}\d[^\]\n]{0,40})\] (?P<sender>[^:\n]{1,80}): ")
EMAIL_HEADER = re.compile(r"^(From|To|Date|Subject|Attachments): (.*)$")
EMAIL_FURNITURE = re.compile(r"^(>.*|.{0,80} wrote:|(\S+\s?){1,4},|(\S+\s?){1,3})$")
# A closing and the name under it, joined into one line: "Kind regards Konrad Vogel".
SIGN_OFF = re.compile(
    r"^((kind|best|warm|many)\s+(regards|wishes|thanks)|regards|cheers|thanks|sincerely|"
    r"yours( sincerely| truly)?|(viele|liebe|beste) grüße|mit freundlichen grüßen)"
    r"[,.!]?(\s+\S+){0,3}$",
    re.IGNORECASE,
)


def email_head(lines: list[str]) -> tuple[str, int]:
    """An email chunk's "[date] Sender: " head and where its body starts, else ("", 0)."""
    fields: dict[str, str] = {}
    for i, line in enumerate(lines):
        m = EMAIL_HEADER.match(line)
        if m:
            fields[m.group(1)] = m.group(2)
            continue
        if not line.strip() and "From" in fields and "Date" in fields:
            return f"[{fields['Date']}] {fields['From']}: ", i + 1
        break
    return "", 0


LIST_ITEM = re.compile(r"^\s*([-*+>]|\d{1,3}[.)])\s+")


def logical_lines(lines: list[str]) -> list[str]:
    """Lines with wrapped paragraphs joined: Markdown and plain-text mail wrap sentences
    across lines, and evidence cut at a line break starts or ends mid-sentence. A list
    item or a chat message starts a new line; nothing is joined onto a line that ends in
    ':' or onto a short one ending in ',' ("Dear Mr Keller,")."""
    out: list[str] = []
    joinable = False  # may the next physical line continue the last logical one?
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):  # a blank line or a heading label ends it
            joinable = False
            continue
        if joinable and not (LIST_ITEM.match(line) or MESSAGE_HEAD.match(line)):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joinable = not (out[-1].endswith(":") or (out[-1].endswith(",") and len(out[-1].split()) <= 4))
    return out


def units(text: str) -> list[str]:
    """Statements of a chunk, for evidence. A chat message is one unit (split only when
    long); each unit of a message or an email starts with its "[date] Sender: " head, so
    evidence quoted from it says who said it and when."""
    units: list[str] = []
    lines = text.splitlines()
    head_of_mail, body = email_head(lines)
    for line in logical_lines(lines[body:]):
        m = MESSAGE_LINE.match(line)
        if head_of_mail and (EMAIL_FURNITURE.match(line) or SIGN_OFF.match(line)):
            continue  # quoted mail, "On ... wrote:", "Dear Mr Keller,": not statements
        head, line = (m.group(1), m.group(2)) if m else (head_of_mail, line)
        line = line.strip(" \t-*>")
        if not line:
            continue
        whole = m is not None and len(line.split()) <= MAX_SENTENCE_WORDS
        for sentence in [line] if whole else SENTENCE_SPLIT.split(line):
            words = sentence.split()
            if len(words) < 3 and not any(ch.isdigit() for ch in sentence):
                continue
            units.append(head + " ".join(words[:MAX_SENTENCE_WORDS]))
    return units


def sender_lines(text: str) -> list[str]:
    """Each message of a chat window, or the email, as one "[date] Sender: text" line
    (wrapped lines joined, text that addresses an AI left out)."""
    lines = text.splitlines()
    head, body = email_head(lines)
    if head:
        subject = next((ln[9:] for ln in lines[:body] if ln.startswith("Subject: ")), "")
        first = next((u for u in units(text) if not INJECTION.search(u)), "")
        said = without_head(first)
        return [head + " — ".join(p for p in (subject, said) if p)] if (subject or said) else []
    return [
        " ".join(line.split())
        for line in logical_lines(lines)
        if MESSAGE_LINE.match(line) and not INJECTION.search(line)
    ]


def offerable(text: str) -> list[str]:
    """The units of ``text`` that may be shown to the model as evidence."""
    return [u for u in units(text) if not INJECTION.search(u)]


def without_head(unit: str) -> str:
    """A unit without its "[date] Sender: " head (the head is in every unit of a chat)."""
    return MESSAGE_HEAD.sub("", unit)
