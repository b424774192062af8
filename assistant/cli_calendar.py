"""The `assistant calendar` command group: agenda (default), free slots, next occurrence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from assistant.cli import emit_json, out, plain_flags, runtime, status_line, user_errors
from assistant.client import call as call_client
from assistant.runtime import Runtime
from assistant.timeparse import Window, describe, is_time_phrase

COMMANDS = ("agenda", "free", "next")


class _AgendaByDefault(TyperGroup):
    """`calendar [WHEN]` and `calendar free|next ...` side by side.

    A group callback with an optional WHEN argument would swallow "free" and "next", so
    instead anything that is not a subcommand goes to the hidden default `agenda`
    command. `calendar next tuesday` / `calendar next week` name times, not events:
    when the words after "next" read as a time, they are an agenda window too.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        words = [a for a in args if not a.startswith("-")]
        if not words:
            if not any(a in ("--help", "-h") for a in args):
                args = ["agenda", *args]
        elif words[0] not in COMMANDS or words[0] == "next" and len(words) > 1 and is_time_phrase(" ".join(words)):
            args = ["agenda", *args]
        return super().parse_args(ctx, args)

    def get_params(self, ctx: Any) -> Any:
        plain_flags(self, ctx)
        return super().get_params(ctx)


app = typer.Typer(
    cls=_AgendaByDefault,
    help=(
        "Your agenda, free time and next events, exactly as in your calendars.\n\n"
        "assistant calendar [WHEN]  ·  assistant calendar free [WHEN]  ·  "
        "assistant calendar next TEXT\n\n"
        "Example: assistant --now 2026-11-23T09:00 calendar tomorrow"
    ),
    no_args_is_help=False,
)

When = Annotated[
    list[str] | None,
    typer.Argument(help="today (default), tomorrow, 'next tuesday', 'friday afternoon', "
                        "'in december', 2026-12-03, 'the next 3 days' ..."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _rt(ctx: typer.Context) -> Runtime:
    return runtime(ctx.find_root())


def call(rt: Runtime, op: str, args: dict[str, Any], *, as_json: bool = False) -> Any:
    """The daemon's (or the library's) answer, with a status line while it takes long."""
    with status_line(as_json) as status:
        return call_client(rt, op, args, on_status=status)


@app.command("agenda", hidden=True)
@user_errors
def agenda(ctx: typer.Context, when: When = None, as_json: AsJson = False) -> None:
    """The events of a day or period, one table per day (the default command).

    Example: assistant calendar next week
    """
    rt = _rt(ctx)
    data = call(rt, "calendar", {"action": "agenda", "when": " ".join(when or []) or None},
                as_json=as_json)
    if as_json:
        emit_json(data)
        return
    window = _window(data["window"])
    if not data["events"]:
        out.print(f"Nothing on your calendar for {describe(window, rt.tz)}.", highlight=False)
        return
    for day in _days(window):
        rows = [e for e in data["events"] if _on_day(e, day, rt)]
        if not rows:
            continue
        table = Table(title=f"{day:%A} {day.day} {day:%B %Y}", title_justify="left",
                      show_header=False, box=None, pad_edge=False)
        table.add_column("when", style="bold", no_wrap=True)
        table.add_column("what")
        table.add_column("where", style="dim")
        for e in rows:
            table.add_row(_when(e, day, rt), e["title"], e["location"] or "")
        out.print(table)
        out.print()
    _say_cuts(data)


@app.command("free")
@user_errors
def free(
    ctx: typer.Context,
    when: When = None,
    minimum: Annotated[
        str, typer.Option("--min", help="Shortest slot worth showing: 30m, 1h, 1h30m.")
    ] = "30m",
    hours: Annotated[
        str | None,
        typer.Option("--hours", help="Usable hours each day, e.g. 09:00-18:00 (the default for "
                                     "whole days; a window like 'friday afternoon' is used as is)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Free slots in a day or period (not before now), and what keeps you busy.

    Example: assistant calendar free friday --min 1h --hours 09:00-18:00
    """
    rt = _rt(ctx)
    args = {"action": "free", "when": " ".join(when or []) or None, "min": minimum,
            "hours": hours}
    data = call(rt, "calendar", args, as_json=as_json)
    if as_json:
        emit_json(data)
        return
    label = describe(_window(data["window"]), rt.tz)
    if not data["free"]:
        out.print(f"No free slot of {minimum} or more on {label}.", highlight=False)
    else:
        out.print(f"[bold]Free on {label}[/bold]", highlight=False)
        for slot in data["free"]:
            a, b = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
            length = int((b - a).total_seconds() // 60)
            out.print(f"  {a:%a %d %b %H:%M}–{b:%H:%M}  ({length // 60} h {length % 60:02d} min)",
                      highlight=False)
    if data["busy"]:
        out.print("[bold]Busy[/bold]")
        for e in data["busy"]:
            a = datetime.fromisoformat(e["start"])
            out.print(f"  {a:%a %d %b} {_when(e, a.date(), rt)}  {e['title']}", highlight=False,
                      markup=False)
    if _say_cuts(data):
        out.print("Free time is listed only up to there.", highlight=False)


@app.command("next")
@user_errors
def next_event(
    ctx: typer.Context,
    text: Annotated[list[str], typer.Argument(help="Words of the event: dentist, 'steering'.")],
    as_json: AsJson = False,
) -> None:
    """The next occurrence of an event whose title, place or people match TEXT.

    Example: assistant calendar next dentist
    """
    rt = _rt(ctx)
    query = " ".join(text)
    data = call(rt, "calendar", {"action": "next", "text": query}, as_json=as_json)
    if as_json:
        emit_json(data)
        return
    if not data["events"]:
        out.print(f"No upcoming event matches {query!r}.", highlight=False, markup=False)
        return
    e = data["events"][0]
    day = date.fromisoformat(e["start"][:10])
    where = f" · {e['location']}" if e["location"] else ""
    out.print(f"{day:%A} {day.day} {day:%B %Y}, {_when(e, day, rt)}  {e['title']}{where}",
              highlight=False, markup=False)


# --- rendering helpers (from the JSON, so in-process and daemon output are the same) --------


def _say_cuts(data: dict[str, Any]) -> bool:
    """Under a list cut at the per-series cap, say so (what --json says as "truncated")."""
    if not data.get("truncated"):
        return False
    from assistant.calendar import cut_sentence

    for cut in data["truncated_series"]:
        out.print(cut_sentence(cut["title"], datetime.fromisoformat(cut["until"])),
                  highlight=False, markup=False)
    return True


def _window(w: dict[str, str]) -> Window:
    return Window(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))


def _days(w: Window) -> list[date]:
    first, last = w.start.date(), (w.end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _bounds(e: dict[str, Any], rt: Runtime) -> tuple[datetime, datetime]:
    if e["all_day"]:
        a = datetime.combine(date.fromisoformat(e["start"]), datetime.min.time(), tzinfo=rt.tz)
        b = datetime.combine(date.fromisoformat(e["end"]), datetime.min.time(), tzinfo=rt.tz)
        return a, b
    return datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"])


def _on_day(e: dict[str, Any], day: date, rt: Runtime) -> bool:
    a, b = _bounds(e, rt)
    lo = datetime.combine(day, datetime.min.time(), tzinfo=rt.tz)
    hi = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=rt.tz)
    return (lo <= a < hi) if a == b else (a < hi and b > lo)


def _when(e: dict[str, Any], day: date, rt: Runtime) -> str:
    if e["all_day"]:
        last = date.fromisoformat(e["end"]) - timedelta(days=1)
        first = date.fromisoformat(e["start"])
        return "all day" if first == last else f"all day ({first:%d %b}–{last:%d %b})"
    a, b = _bounds(e, rt)
    start = f"{a:%H:%M}" if a.date() == day else f"{a:%a %H:%M}"
    end = f"{b:%H:%M}" if b.date() == a.date() else f"{b:%a %H:%M}"
    return start if a == b else f"{start}–{end}"
