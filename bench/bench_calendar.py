"""Calendar benchmark: a 5,000-event calendar with long-running weekly series.

Every figure is a ratio against a baseline measured in the same run:
  parse    our ics parser (checks + index-time expansion) vs a bare icalendar parse
  store    parse + expansion + writing events and occurrences to SQLite vs the bare parse
  index    the full `assistant index` (with embedding every event chunk) vs the bare parse
  month    a one-month agenda from the index vs recurring-ical-events expanding the same
           month from the calendar already parsed in memory (the floor for query-time
           expansion, before any re-parsing)
  lazy     a one-month agenda beyond the index-time horizon (expanded from stored ics)
  next     "next dentist" from the index

Run: .venv/bin/python bench/bench_calendar.py [--events 5000] [--series 1500] [--skip-index]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistant.calendar import next_occurrence, occurrences  # noqa: E402
from assistant.sources import ParseContext, ics  # noqa: E402
from assistant.store import NewDocument, Store  # noqa: E402
from common import latency, print_table, save, timed  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
WORDS = ["Atlas", "review", "standup", "planning", "dentist", "yoga", "piano", "lunch", "call", "sync", "retro", "budget", "workshop", "interview", "dinner", "pottery", "run", "swim", "climbing", "train"]
VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""


def write_calendar(path: Path, events: int, series: int, anchor: datetime, seed: int = 5) -> None:
    """``series`` weekly series started up to ten years ago (a third with no end, some with
    EXDATEs and moved occurrences) and single events around ``anchor``."""
    rng = random.Random(seed)
    out = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nX-WR-TIMEZONE:Europe/Berlin\r\n",
           VTIMEZONE]
    for i in range(events):
        title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {i}"
        lines = [f"UID:bench-{i}@example.com", f"SUMMARY:{title}", "DTSTAMP:20260101T000000Z",
                 f"LOCATION:Room {i % 40}"]
        if i < series:
            start = anchor - timedelta(days=rng.randint(30, 3650))
            start = start.replace(hour=rng.randint(7, 19), minute=0, second=0, microsecond=0)
            stamp = f"{start:%Y%m%dT%H%M%S}"
            lines += [f"DTSTART;TZID=Europe/Berlin:{stamp}",
                      f"DTEND;TZID=Europe/Berlin:{start + timedelta(minutes=45):%Y%m%dT%H%M%S}"]
            rule = "RRULE:FREQ=WEEKLY"
            if i % 3 == 1:
                rule += f";UNTIL={anchor + timedelta(days=rng.randint(-200, 900)):%Y%m%dT000000Z}"
            elif i % 3 == 2:
                rule += f";COUNT={rng.randint(10, 600)}"
            lines.append(rule)
            if i % 5 == 0:
                skip = start + timedelta(weeks=rng.randint(1, 50))
                lines.append(f"EXDATE;TZID=Europe/Berlin:{skip:%Y%m%dT%H%M%S}")
            out.append("BEGIN:VEVENT\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n")
            if i % 7 == 0:  # a moved occurrence
                moved = start + timedelta(weeks=rng.randint(1, 50))
                out.append(
                    "BEGIN:VEVENT\r\n" + f"UID:bench-{i}@example.com\r\nSUMMARY:{title} (moved)\r\n"
                    f"RECURRENCE-ID;TZID=Europe/Berlin:{moved:%Y%m%dT%H%M%S}\r\n"
                    f"DTSTART;TZID=Europe/Berlin:{moved + timedelta(hours=2):%Y%m%dT%H%M%S}\r\n"
                    f"DTEND;TZID=Europe/Berlin:{moved + timedelta(hours=3):%Y%m%dT%H%M%S}\r\n"
                    "END:VEVENT\r\n")
            continue
        start = anchor + timedelta(days=rng.randint(-400, 700), hours=rng.randint(0, 23))
        start = start.replace(minute=0, second=0, microsecond=0)
        lines += [f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                  f"DTEND:{(start + timedelta(hours=1)).astimezone(UTC):%Y%m%dT%H%M%SZ}"]
        out.append("BEGIN:VEVENT\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n")
    out.append("END:VCALENDAR\r\n")
    path.write_text("".join(out), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--series", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-index", action="store_true", help="skip the embedding run")
    args = parser.parse_args()

    anchor = datetime.now(TZ)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cal_path = root / "calendar" / "big.ics"
        cal_path.parent.mkdir()
        write_calendar(cal_path, args.events, args.series, anchor)
        text = cal_path.read_text(encoding="utf-8")

        t_bare, cal = timed(lambda: icalendar.Calendar.from_ical(text))
        ctx = ParseContext(tz=TZ)
        t_parse, events = timed(lambda: list(ics.parse(cal_path, ctx)))
        occ_rows = sum(len(e.occurrences) for e in events)

        def store_all() -> Store:
            store = Store(root / "store.db")
            doc = NewDocument(path=str(cal_path), kind="calendar", format="ics", hash="x",
                              mtime=0.0, size=0)
            with store.writing(doc) as writer:
                writer.add_events(list(ics.parse(cal_path, ParseContext(tz=TZ))))
            return store

        t_store, store = timed(store_all)

        month_start = datetime(anchor.year, anchor.month, 1, tzinfo=TZ)
        month_end = (month_start + timedelta(days=32)).replace(day=1)
        base_q = latency(lambda: recurring_ical_events.of(cal).between(month_start, month_end),
                         max(3, args.repeat // 4), warmup=1)
        month = latency(lambda: occurrences(store, month_start, month_end, TZ), args.repeat)
        far = month_start.replace(year=month_start.year + 5)
        lazy = latency(lambda: occurrences(store, far, far + timedelta(days=30), TZ), 3, warmup=1)
        nxt = latency(lambda: next_occurrence(store, "dentist", anchor, TZ), args.repeat)
        n_month = len(occurrences(store, month_start, month_end, TZ))
        n_base = len(recurring_ical_events.of(cal).between(month_start, month_end))

        rows = [
            ["bare icalendar parse (baseline)", f"{t_bare:.2f} s", "1.00"],
            ["ics.parse: checks + expansion", f"{t_parse:.2f} s", f"{t_parse / t_bare:.2f}"],
            ["parse + expand + SQLite write", f"{t_store:.2f} s", f"{t_store / t_bare:.2f}"],
        ]
        results: dict[str, object] = {
            "events": args.events, "series": args.series, "occurrence_rows": occ_rows,
            "bare_parse_s": t_bare, "parse_s": t_parse, "store_s": t_store,
        }
        if not args.skip_index:
            from assistant.config import EmbeddingConfig, SourceConfig
            from assistant.embed import Embedder
            from assistant.index import Indexer

            embedder = Embedder.from_config(EmbeddingConfig())
            embedder.encode(["warm up"])
            full = Store(root / "full.db")
            indexer = Indexer(full, embedder, TZ, [SourceConfig(path=cal_path.parent,
                                                                kind="calendar")])
            t_index, _ = timed(indexer.run)
            rows.append(["assistant index (with embedding)", f"{t_index:.1f} s",
                         f"{t_index / t_bare:.1f}"])
            results["index_s"] = t_index
        print_table(f"Indexing {args.events} events ({args.series} weekly series, "
                    f"{occ_rows} occurrence rows)", ["what", "time", "x bare parse"], rows)
        print_table(
            "One-month agenda (p50 / p95)",
            ["query", "p50 ms", "p95 ms", "vs baseline p50"],
            [
                ["recurring-ical-events on the parsed calendar (baseline)",
                 f"{base_q['p50_ms']:.1f}", f"{base_q['p95_ms']:.1f}", "1.00"],
                ["calendar.occurrences, inside the horizon", f"{month['p50_ms']:.2f}",
                 f"{month['p95_ms']:.2f}", f"{month['p50_ms'] / base_q['p50_ms']:.4f}"],
                ["calendar.occurrences, 5 years ahead (lazy)", f"{lazy['p50_ms']:.1f}",
                 f"{lazy['p95_ms']:.1f}", f"{lazy['p50_ms'] / base_q['p50_ms']:.2f}"],
                ['next_occurrence("dentist")', f"{nxt['p50_ms']:.2f}", f"{nxt['p95_ms']:.2f}",
                 f"{nxt['p50_ms'] / base_q['p50_ms']:.4f}"],
            ],
        )
        print(f"\noccurrences in the month: index {n_month}, baseline {n_base}")
        results.update(month_baseline=base_q, month=month, lazy=lazy, next=nxt,
                       month_occurrences=n_month, baseline_occurrences=n_base,
                       when=time.strftime("%Y-%m-%d %H:%M"))
        print(f"saved {save('calendar', results)}")
        store.close()


if __name__ == "__main__":
    main()
