"""Message-export benchmark: streaming parse (peak RSS, throughput) and a 200k-message index.

For each format a synthetic export is written to a temp dir. A child process parses it
(records streamed through the chunker, nothing kept) and reports the peak RSS it gained
over its RSS after imports, next to the file size, and the parse throughput against a
baseline measured in the same child on the same file: a bare line read (text formats) or
a bare 1 MB block read (JSON, XML). Then the WhatsApp export is indexed through the
library API with the real bundled embedder, in a child process: time, chunks, peak RSS.

With ``--baseline DIR`` every parse child also runs on the code in DIR (another checkout,
e.g. main), alternating with this one on the same file, and the table adds the ratio of
the two throughputs and peak RSS gains: a before/after comparison from one run on one
(busy) machine. ``--repeat N`` keeps the best of N runs of each.

Run: .venv/bin/python bench/bench_messages.py [--messages 200000] [--emails 20000]
                                              [--index-messages 200000] [--skip-index]
                                              [--baseline /path/to/main] [--repeat 1]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import print_table, save, sentence  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Berlin")
PEOPLE = ["Ada Brandt", "Sam Keller", "Mira Keller", "Jonas Weber", "Priya Nair", "Tomasz"]
START = datetime(2019, 1, 1, 8, 0)
FORMATS = {  # name: (module, file name, baseline)
    "whatsapp": ("assistant.sources.whatsapp", "WhatsApp Chat with Ada Brandt.txt", "lines"),
    "whatsapp_ios": ("assistant.sources.whatsapp", "_chat.txt", "lines"),
    "telegram": ("assistant.sources.telegram", "result.json", "blocks"),
    "sms_xml": ("assistant.sources.sms_xml", "sms-20261122210411.xml", "blocks"),
    "mbox": ("assistant.sources.mbox", "Inbox", "lines"),
}


def _times(n: int, rng: random.Random) -> list[datetime]:
    when, out = START, []
    for _ in range(n):
        when += timedelta(minutes=rng.choice([1, 1, 2, 2, 3, 5, 8, 15, 60, 240, 600]))
        out.append(when)
    return out


def write_whatsapp(path: Path, n: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"{START:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted.\n")
        for i, when in enumerate(_times(n, rng)):
            text = sentence(rng) + ("\n" + sentence(rng) if i % 17 == 0 else "")
            fh.write(f"{when:%d/%m/%Y, %H:%M} - {PEOPLE[i % 2]}: {text}\n")


def write_whatsapp_ios(path: Path, n: int, rng: random.Random) -> None:
    """The iOS shape: brackets, seconds, a 12-hour clock after a narrow no-break space,
    U+200E on WhatsApp's own lines, CRLF."""

    def stamp(when: datetime) -> str:
        hour = when.hour % 12 or 12
        ampm = "PM" if when.hour >= 12 else "AM"
        return f"[{when.month}/{when.day}/{when:%y}, {hour}:{when:%M:%S}\u202f{ampm}]"

    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            f"\u200e{stamp(START)} Ada Brandt: \u200eMessages and calls are end-to-end "
            "encrypted. No one outside of this chat can read them.\r\n"
        )
        for i, when in enumerate(_times(n, rng)):
            text = sentence(rng) + ("\r\n" + sentence(rng) if i % 17 == 0 else "")
            if i % 23 == 0:
                text = f"\u200e<attached: {i:08d}-PHOTO-{when:%Y-%m-%d-%H-%M-%S}.jpg>"
            fh.write(f"{stamp(when)} {PEOPLE[i % 2]}: {text}\r\n")


def write_telegram(path: Path, n: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{\n "name": "Mauerpark Runners",\n "type": "private_supergroup",\n')
        fh.write(' "id": 1873452210,\n "messages": [\n')
        for i, when in enumerate(_times(n, rng)):
            words = sentence(rng)
            msg = {
                "id": i + 1,
                "type": "message",
                "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(when.replace(tzinfo=TZ).timestamp())),
                "from": PEOPLE[i % len(PEOPLE)],
                "from_id": f"user{i % len(PEOPLE)}",
                "text": words,
                "text_entities": [{"type": "plain", "text": words}],
            }
            fh.write(("  " if i == 0 else ",\n  ") + json.dumps(msg, ensure_ascii=False))
        fh.write("\n ]\n}\n")


def write_sms(path: Path, n: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        fh.write(f'<smses count="{n}" backup_set="bench" type="full">\n')
        for i, when in enumerate(_times(n, rng)):
            ms = int(when.replace(tzinfo=TZ).timestamp() * 1000)
            body = sentence(rng).replace("&", "&amp;") + " &#55357;&#56397;"
            fh.write(
                f'  <sms protocol="0" address="+4917600{i % 40:04d}" date="{ms}" '
                f'type="{1 + i % 2}" subject="null" body="{body}" toa="null" sc_toa="null" '
                f'service_center="null" read="1" status="-1" locked="0" date_sent="0" '
                f'sub_id="1" readable_date="" contact_name="{PEOPLE[i % len(PEOPLE)]}" />\n'
            )
        fh.write("</smses>\n")


def write_mbox(path: Path, n: int, rng: random.Random) -> None:
    attachment = base64.encodebytes(rng.randbytes(300_000)).decode()
    with path.open("w", encoding="utf-8") as fh:
        for i, when in enumerate(_times(n, rng)):
            body = "\n".join(sentence(rng) for _ in range(rng.randint(3, 12)))
            fh.write(
                f"From bench@example.org {when:%a %b %d %H:%M:%S %Y}\n"
                f"From: {PEOPLE[i % len(PEOPLE)]} <p{i % 6}@example.org>\n"
                f"To: Sam Keller <sam@example.org>\n"
                f"Date: {when:%a, %d %b %Y %H:%M:%S} +0100\nSubject: Update {i}\n"
                f"Message-ID: <bench-{i}@example.org>\nMIME-Version: 1.0\n"
            )
            if i % 50 == 0:  # every 50th mail carries a 300 KB attachment
                fh.write(
                    'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
                    "Content-Type: text/plain; charset=utf-8\n\n"
                    f'{body}\n--b\nContent-Type: application/pdf; name="r{i}.pdf"\n'
                    f"Content-Transfer-Encoding: base64\n\n{attachment}--b--\n\n"
                )
            else:
                fh.write(f"Content-Type: text/plain; charset=utf-8\n\n{body}\n\n")


WRITERS = {
    "whatsapp": write_whatsapp,
    "whatsapp_ios": write_whatsapp_ios,
    "telegram": write_telegram,
    "sms_xml": write_sms,
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- child processes: each measures one thing with a clean peak RSS ------------------


def child_parse(fmt: str, path: Path) -> dict:
    import importlib

    from assistant.chunking import chunk_records
    from assistant.sources import ParseContext

    module = importlib.import_module(FORMATS[fmt][0])
    base = peak_rss_mb()
    t0 = time.perf_counter()
    ctx = ParseContext(tz=TZ)
    records = chunks = 0

    def counted():  # noqa: ANN202 - a local generator
        nonlocal records
        for rec in module.parse(path, ctx):
            records += 1
            yield rec

    for _ in chunk_records(counted(), TZ):
        chunks += 1
    parse_s = time.perf_counter() - t0
    peak = peak_rss_mb() - base
    t0 = time.perf_counter()
    with path.open("rb") as fh:
        if FORMATS[fmt][2] == "lines":
            for _ in fh:
                pass
        else:
            while fh.read(1 << 20):
                pass
    bare_s = time.perf_counter() - t0
    return {
        "records": records,
        "chunks": chunks,
        "problems": len(ctx.problems),
        "parse_s": parse_s,
        "bare_read_s": bare_s,
        "peak_rss_gain_mb": peak,
    }


def child_index(folder: Path) -> dict:
    from assistant.config import EmbeddingConfig, SourceConfig
    from assistant.embed import Embedder
    from assistant.index import Indexer
    from assistant.store import Store

    embedder = Embedder.from_config(EmbeddingConfig())
    embedder.encode(["warm up"])
    base = peak_rss_mb()
    store = Store(folder.parent / "index.db")
    indexer = Indexer(store, embedder, TZ, [SourceConfig(path=folder, kind="messages")])
    t0 = time.perf_counter()
    report = indexer.run()
    first_s = time.perf_counter() - t0
    peak = peak_rss_mb()
    chat = next(folder.iterdir())
    with chat.open("a", encoding="utf-8") as fh:  # the same export, a day later
        fh.write("01/01/2031, 09:00 - Ada Brandt: one more message about the flight\n")
    t0 = time.perf_counter()
    again = indexer.run()
    again_s = time.perf_counter() - t0
    store.close()
    return {
        "index_s": first_s,
        "chunks_embedded": report.chunks_embedded,
        "reindex_grown_s": again_s,
        "reindex_embedded": again.chunks_embedded,
        "reindex_reused": again.chunks_reused,
        "rss_before_mb": base,
        "peak_rss_mb": peak,
    }


def run_child(*args: str, code: str | None = None) -> dict:
    """Run a measurement in a fresh process, on the code in ``code`` if given."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = code
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_parses(
    fmt: str, path: Path, repeat: int, baseline: str | None
) -> tuple[dict, dict | None]:
    """The best of ``repeat`` parses by this code and, alternating with it on the same
    file so both see the same machine, by the code in ``baseline``."""
    mine: list[dict] = []
    theirs: list[dict] = []
    for _ in range(repeat):
        if baseline:
            theirs.append(run_child("parse", fmt, str(path), code=baseline))
        mine.append(run_child("parse", fmt, str(path)))

    def best(runs: list[dict]) -> dict:
        return min(runs, key=lambda r: r["parse_s"])

    return best(mine), best(theirs) if theirs else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--emails", type=int, default=20_000)
    ap.add_argument("--index-messages", type=int, default=200_000)
    ap.add_argument("--skip-index", action="store_true")
    ap.add_argument("--baseline", help="another checkout whose parsers to compare against")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs per parse")
    ap.add_argument("--formats", nargs="+", choices=list(FORMATS), help="only these")
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = (
            child_parse(rest[0], Path(rest[1])) if kind == "parse" else child_index(Path(rest[0]))
        )
        print(json.dumps(result))
        return

    rng = random.Random(11)
    results: dict = {"parse": {}, "config": vars(args)}
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-messages-") as tmp:
        work = Path(tmp)
        for fmt, (_, name, baseline) in FORMATS.items():
            path = work / fmt / name
            path.parent.mkdir()
            n = args.emails if fmt == "mbox" else args.messages
            (write_mbox if fmt == "mbox" else WRITERS[fmt])(path, n, rng)
            if args.formats and fmt not in args.formats:
                continue
            r, before = best_parses(fmt, path, args.repeat, args.baseline)
            r["file_mb"] = path.stat().st_size / 1e6
            results["parse"][fmt] = r
            row = [
                fmt,
                f"{r['records']:,}",
                f"{r['file_mb']:.0f} MB",
                f"{r['peak_rss_gain_mb']:.0f} MB",
                f"{r['records'] / r['parse_s']:,.0f}/s",
                f"{r['file_mb'] / r['parse_s']:.1f} MB/s",
                f"{r['parse_s'] / r['bare_read_s']:.0f}x {baseline}",
            ]
            if before is not None:
                results["parse"][fmt]["baseline"] = before
                row += [
                    f"{before['records']:,}",
                    f"{before['parse_s'] / r['parse_s']:.2f}x",
                    f"{before['peak_rss_gain_mb']:.0f} -> {r['peak_rss_gain_mb']:.0f} MB",
                ]
            rows.append(row)
            path.unlink()
        columns = [
            "format",
            "records",
            "file",
            "peak RSS gain",
            "msgs",
            "throughput",
            "vs bare read",
        ]
        if args.baseline:
            columns += ["baseline records", "speed vs baseline", "RSS gain baseline -> now"]
        print_table("Streaming parse + chunking (child process per format)", columns, rows)
        if not args.skip_index:
            folder = work / "index" / "messages"
            folder.mkdir(parents=True)
            write_whatsapp(folder / FORMATS["whatsapp"][1], args.index_messages, rng)
            r = run_child("index", str(folder))
            r["messages"] = args.index_messages
            results["index"] = r
            print_table(
                "Indexing the WhatsApp export (library API, bundled MiniLM)",
                [
                    "messages",
                    "windows embedded",
                    "time",
                    "chunks/s",
                    "peak RSS",
                    "re-index grown",
                    "embedded/reused",
                ],
                [
                    [
                        f"{args.index_messages:,}",
                        f"{r['chunks_embedded']:,}",
                        f"{r['index_s']:.0f} s",
                        f"{r['chunks_embedded'] / r['index_s']:.0f}",
                        f"{r['peak_rss_mb']:.0f} MB ({r['rss_before_mb']:.0f} MB with models)",
                        f"{r['reindex_grown_s']:.1f} s",
                        f"{r['reindex_embedded']}/{r['reindex_reused']:,}",
                    ]
                ],
            )
    print(f"\nsaved {save('bench_messages', results)}")


if __name__ == "__main__":
    main()
