"""Evidence: the statements of a retrieved chunk that may be offered to the model.

A chunk is cut into sentences ("units"); wrapped lines are joined first, every unit of
a chat message or an email carries its "[date] Sender: " head (so a quote says who
said it and when), and text that addresses an AI is never evidence: indexed text is
data, not instructions.
"""

from __future__ import annotations

import re

MAX_SENTENCE_WORDS = 40

# (a bracket after a sentence comments on it: "Panel 18 March? (Priya to confirm)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'\[])")
# "confirmation no. HD-558210", "Dr. Patel": a full stop after these ends no sentence
_ABBREVIATION = re.compile(
    r"(?:\b(?:no|nr|tel|ref|approx|e\.g|i\.e|dr|mr|mrs|ms|st|vs|ca|incl|fig|p|pp|nos|dept|"
    r"prof|jr|sr|co|corp|ltd|inc|mt|ft|est|min|max|z\.b|bzw|ggf|evtl|usw|str|tel|nr|abs)\.|"
    r"\b[A-Z]\.)$", re.IGNORECASE)


class _Splitter:
    """Splits text into sentences at . ! ? followed by a capital, not after abbreviations."""

    def split(self, text: str) -> list[str]:
        out: list[str] = []
        start = 0
        for m in _SENTENCE_END.finditer(text):
            if _ABBREVIATION.search(text[max(start, m.start() - 12) : m.start()]):
                continue
            out.append(text[start : m.start()])
            start = m.end()
        out.append(text[start:])
        return out


SENTENCE_SPLIT = _Splitter()
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
# "Frame number: GN23C-0477-118", "Total: €486": a labelled value is a statement of its own.
LABELLED = re.compile(r"^(?:[-*+]\s+)?(?:\[[ xX]\]\s+)?[^\W\d][\w .,/()'’&+#-]{0,40}:\s+\S")
TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


def tables_as_lines(lines: list[str]) -> list[str]:
    """Markdown table rows as labelled lines ("when: Jun 2026; who: Dan; £: 310"): a row
    read without its header says nothing."""
    out: list[str] = []
    header: list[str] | None = None
    for i, line in enumerate(lines):
        row = TABLE_ROW.match(line)
        if not row:
            header = None
            out.append(line)
            continue
        cells = [c.strip() for c in row.group(1).split("|")]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if header is None and TABLE_RULE.match(nxt):
            header = cells
            continue
        if TABLE_RULE.match(line):
            continue
        if header and len(header) == len(cells):
            out.append("; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True)
                                 if c))
        else:
            out.append(" ".join(c for c in cells if c))
    return out


def logical_lines(lines: list[str]) -> list[str]:
    """Lines with wrapped paragraphs joined: Markdown and plain-text mail wrap sentences
    across lines, and evidence cut at a line break starts or ends mid-sentence. A list
    item or a chat message starts a new line; nothing is joined onto a line that ends in
    ':' or onto a short one ending in ',' ("Dear Mr Keller,")."""
    out: list[str] = []
    joinable = False  # may the next physical line continue the last logical one?
    labelled = False  # is the last logical line a "Label: value" line?
    for raw in tables_as_lines(lines):
        line = raw.strip()
        if not line or line.startswith("#"):  # a blank line or a heading label ends it
            joinable = False
            continue
        starts_new = LIST_ITEM.match(line) or MESSAGE_HEAD.match(line) or LABELLED.match(line)
        if joinable and not starts_new and not (labelled and not line[:1].islower()):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
            labelled = bool(LABELLED.match(line))
        joinable = not (out[-1].endswith(":") or (out[-1].endswith(",") and len(out[-1].split()) <= 4))
    return out


# " Address: ", " Check-out time: ": a label inside a line that joined several labelled lines
INNER_LABEL = re.compile(r"\s(?=[A-Z][\w/()'’-]*(?: [a-z][\w/()'’-]*){0,2}: \S)")


def split_labels(line: str) -> list[str]:
    """A line that holds several "Label: value" pairs (a mail whose lines were joined as
    if wrapped) cut before each label; other lines stay whole."""
    if len(INNER_LABEL.findall(line)) < 2 or not LABELLED.match(line):
        return [line]
    return [part for part in INNER_LABEL.split(line) if part.strip()]


def event_units(text: str) -> list[str]:
    """An event chunk's lines, each under the event's title ("Book club — Where: Chloe's")."""
    lines = text.splitlines()
    title = lines[0].removeprefix("Event: ").strip()
    out = []
    for line in logical_lines(lines[1:]):
        for sentence in SENTENCE_SPLIT.split(line):
            if sentence.strip():
                out.append(f"{title} — {' '.join(sentence.split()[:MAX_SENTENCE_WORDS])}")
    return out


def units(text: str) -> list[str]:
    """Statements of a chunk, for evidence. A chat message is one unit (split only when
    long); each unit of a message or an email starts with its "[date] Sender: " head, so
    evidence quoted from it says who said it and when."""
    if text.startswith("Event: "):
        return event_units(text)
    units: list[str] = []
    lines = text.splitlines()
    head_of_mail, body = email_head(lines)
    for line in logical_lines(lines[body:]):
        m = MESSAGE_LINE.match(line)
        if head_of_mail and (EMAIL_FURNITURE.match(line) or SIGN_OFF.match(line)):
            continue  # quoted mail, "On ... wrote:", "Dear Mr Keller,": not statements
        head, line = (m.group(1), m.group(2)) if m else (head_of_mail, line)
        # list marks and quote marks go, a minus sign stays ("- -16 LUFS")
        line = re.sub(r"^(?:[-*+>](?!\d)\s*|\s+)*(?:\[[ xX]\]\s*)?", "", line)
        line = re.sub(r"\s+[-*>]+$", "", line).strip(" \t*")
        line = line.replace("**", "")
        if not line:
            continue
        whole = m is not None and len(line.split()) <= MAX_SENTENCE_WORDS
        pieces = [line] if whole else [
            s for part in split_labels(line) for s in SENTENCE_SPLIT.split(part)]
        for sentence in pieces:
            words = sentence.split()
            if len(words) < 3 and not any(ch.isdigit() for ch in sentence):
                continue
            if len(words) <= 5 and sentence.isupper():
                continue  # "WIFI / ROUTER": a label, no statement
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


def sections(text: str) -> list[tuple[str, str]]:
    """A note chunk cut at its "## Heading" lines: (heading, text under it). Other chunks
    are one section without a heading."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        if line.startswith("#"):
            out.append((line.lstrip("#").strip(), []))
        else:
            out[-1][1].append(line)
    return [(heading, "\n".join(lines)) for heading, lines in out if any(x.strip() for x in lines)]
