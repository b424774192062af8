""""What did Mum write last week?": that sender's messages in that time, quoted exactly.

The filters are the whole question, so there is nothing for a model to phrase and
nothing to guess: the lines are listed oldest first, each with its source.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from assistant import evidence
from assistant.retrieve import Hit, SearchFilter

MAX_LISTED = 12


def listing(question: str, flt: SearchFilter, hits: list[Hit], tz: ZoneInfo
            ) -> tuple[str, list[int]] | None:
    """(answer text, hit numbers cited), or None when no hit holds a line of the sender."""
    wanted = {s.lower() for s in flt.senders or ()}
    start = flt.after.astimezone(tz).strftime("%Y-%m-%d %H:%M") if flt.after else ""
    end = flt.before.astimezone(tz).strftime("%Y-%m-%d %H:%M") if flt.before else "~"
    found: dict[str, tuple[str, int]] = {}  # quoted line -> (time key, hit number)
    for n, hit in enumerate(hits, start=1):
        when = hit.time.astimezone(tz).strftime("%Y-%m-%d %H:%M") if hit.time else ""
        for line in evidence.sender_lines(hit.text):
            head = evidence.MESSAGE_HEAD.match(line)
            sender = head["sender"].lower() if head else ""
            if any(w in sender for w in wanted):  # as the sender filter: a substring
                # a chat line has its own ISO time; an email's head has the Date header
                key = head["when"] if head and evidence.MESSAGE_LINE.match(line) else when
                if start <= key < end:  # a window may reach outside the asked time
                    found.setdefault(line, (key, n))
    if not found:
        return None
    ordered = sorted(found.items(), key=lambda item: item[1])
    quoted = [(line, n) for line, (_, n) in ordered[:MAX_LISTED]]
    cited = list(dict.fromkeys(n for _, n in quoted))  # hit numbers, in order of quoting
    number = {n: i for i, n in enumerate(cited, 1)}  # ... numbered as the sources are listed
    lines = [f"- {line} [{number[n]}]" for line, n in quoted]
    if len(found) > MAX_LISTED:
        lines.append(f"... and {len(found) - MAX_LISTED} more (see the sources)")
    return "\n".join(lines), cited
