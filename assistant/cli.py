"""The `assistant` command: parse arguments, call the library, print. No SQL, no model code."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from assistant.errors import AssistantError
from assistant.runtime import Runtime

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # our data is personal
    help="An on-device assistant that answers from your own notes, calendars and messages.",
)
err = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def user_errors(fn: F) -> F:
    """A user's mistake or a broken file is one line on stderr and exit 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def runtime(ctx: typer.Context) -> Runtime:
    return ctx.obj  # type: ignore[no-any-return]


@app.callback()
@user_errors
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Config file (else $ASSISTANT_CONFIG, ./config.toml, ~/.config/assistant/config.toml).",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Pretend it is this ISO-8601 time (else $ASSISTANT_NOW)."),
    ] = None,
) -> None:
    rt = Runtime.from_options(config, now)
    _ = rt.now  # validate --now early
    ctx.obj = rt
    ctx.call_on_close(rt.close)


# --- index ------------------------------------------------------------------------------


@app.command()
@user_errors
def index(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders inside configured sources (default: all sources)."),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Delete the index and build it again.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Index the configured sources (only what changed since last time)."""
    from assistant import library

    # `kill` or a service manager stops a run like Ctrl-C: the document in progress rolls back.
    signal.signal(signal.SIGTERM, _interrupt)
    rt = runtime(ctx)
    if not rt.config.sources and not paths:
        raise AssistantError("no sources configured; add [[sources]] with a path to config.toml")
    show_progress = err.is_terminal and not as_json
    report = library.index(
        rt, paths or None, rebuild=rebuild, progress=_progress_bar() if show_progress else None
    )
    if as_json:
        emit_json(report.__dict__)
    else:
        for line in report.errors:
            typer.echo(f"error: {line}", err=True)
        for line in report.warnings[:50]:
            typer.echo(f"warning: {line}", err=True)
        if len(report.warnings) > 50:
            typer.echo(f"warning: ... and {len(report.warnings) - 50} more", err=True)
        _echo_capped(report.skipped_files, "assistant status --json lists them all")
        typer.echo(report.summary())


def _echo_capped(lines: list[str], where_all: str, limit: int = 50) -> None:
    for line in lines[:limit]:
        typer.echo(line, err=True)
    if len(lines) > limit:
        typer.echo(f"... and {len(lines) - limit} more ({where_all})", err=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _progress_bar() -> Callable[[str, int, int], None]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    )
    task: list[Any] = []

    def update(path: str, done: int, total: int) -> None:
        if not task:
            if total < 20:  # short runs need no bar
                task.append(None)
                return
            bar.start()
            task.append(bar.add_task("", total=total))
        if task[0] is None:
            return
        bar.update(task[0], completed=done, description=os.path.basename(path)[-40:])
        if done >= total:
            bar.stop()

    return update


# --- search / ask ---------------------------------------------------------------------


@app.command()
@user_errors
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=100, help="How many hits.")] = 5,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="note, event, message or email (repeatable).")
    ] = None,
    after: Annotated[
        str | None,
        typer.Option(
            "--after", help="Only hits at or after this time (ISO date or phrase like 'last week')."
        ),
    ] = None,
    before: Annotated[
        str | None, typer.Option("--before", help="Only hits before this time.")
    ] = None,
    sender: Annotated[
        list[str] | None,
        typer.Option("--from", help="Only messages from this sender (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Hybrid (meaning + keyword) search over everything indexed."""
    rt = runtime(ctx)
    args = {
        "query": query,
        "k": k,
        "kinds": kind,
        "after": after,
        "before": before,
        "senders": sender,
    }
    data = call(rt, "search", args)
    if as_json:
        emit_json(data)
        return
    if not data["hits"]:
        typer.echo("No matches.")
        return
    for hit in data["hits"]:
        when = f" · {hit['time'][:16].replace('T', ' ')}" if hit["time"] else ""
        name = hit["title"] or Path(hit["path"]).name
        out.print(
            f"[bold]{hit['rank']}. {escape(name)}[/bold] [dim]({hit['kind']}{when})[/dim]",
            highlight=False,
        )
        out.print(
            f"   [cyan]{escape(hit['path'])}[/cyan] {escape(hit['locator'])}", highlight=False
        )
        snippet = " ".join(hit["text"].split())
        out.print(
            f"   {snippet[:220]}{'…' if len(snippet) > 220 else ''}", highlight=False, markup=False
        )


def call(rt: Runtime, op: str, args: dict[str, Any], on_token: Any = None) -> Any:
    """Ask the daemon when one serves this store (warm models), else run in-process."""
    from assistant import library
    from assistant.ipc import DaemonClient

    client = DaemonClient.connect(rt.config.store.path)
    if client is not None:
        return client.request(op, args, now=rt.now_override, on_token=on_token)
    if op == "search":
        return library.search_json(rt, **args)
    if op == "ask":
        return library.ask_json(rt, **args, on_token=on_token)
    return library.calendar_json(rt, **args)


@app.command()
@user_errors
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question, in plain words.")],
    k: Annotated[
        int | None, typer.Option("-k", "--k", min=1, max=20, help="How many sources to retrieve.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (no streaming).")] = False,
) -> None:
    """Answer a question from your data, citing sources; calendar questions are answered exactly."""
    rt = runtime(ctx)
    args = {"question": question, "k": k}
    if as_json or not out.is_terminal:
        data = call(rt, "ask", args)
        emit_json(data) if as_json else print_answer(data)
        return
    from rich.live import Live
    from rich.text import Text

    draft = Text(style="dim")
    with Live(draft, console=out, refresh_per_second=20, transient=True) as live:

        def on_token(token: str) -> None:
            draft.append(token)
            live.update(draft)

        data = call(rt, "ask", args, on_token=on_token)
    print_answer(data)


def print_answer(data: dict[str, Any]) -> None:
    out.print(data["answer"], highlight=False, markup=False, soft_wrap=True)
    if data["citations"] and data["route"] == "search":
        out.print("\n[bold]Sources[/bold]")
        for c in data["citations"]:
            out.print(f"[{c['n']}] {c['path']} {c['locator']}", highlight=False, markup=False)


@app.command()
@user_errors
def forget(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to forget.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Wipe the whole index.")] = False,
) -> None:
    """Remove files from the index for good (rows, vectors, keyword entries, free pages)."""
    from assistant import library

    if not paths and not everything:
        raise AssistantError("say what to forget: assistant forget PATH... or --all")
    result = library.forget(runtime(ctx), paths or [], everything=everything)
    if everything:
        typer.echo("the index was wiped")
    else:
        typer.echo(f"forgot {result['removed']} documents; these paths will not be indexed again")


@app.command()
@user_errors
def doctor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Models, versions, threads, the SQLite module in use, and the offline settings."""
    from assistant import library

    info = library.doctor(runtime(ctx))
    if as_json:
        emit_json(info)
        return
    out.print(f"python {info['python']} on {info['platform']}", highlight=False)
    for name, ver in info["packages"].items():
        out.print(f"  {name:24} {ver or 'not installed'}", highlight=False)
    sq = info["sqlite"]
    out.print(
        f"sqlite {sq['version']} via {sq['module']}, sqlite-vec {sq['sqlite_vec']}", highlight=False
    )
    out.print(f"store: {info['encryption']['summary']}", highlight=False, markup=False)
    out.print(
        f"embedding {info['embedding']['model']}: {info['embedding']['path']}", highlight=False
    )
    out.print(f"llm {info['llm']['model']}, {info['llm']['threads']} threads", highlight=False)
    out.print(f"network: {info['network']['summary']}", highlight=False)
    for key, value in info["network"]["offline_switches"].items():
        out.print(f"  {key}={value}", highlight=False)


# --- status -----------------------------------------------------------------------------


@app.command()
@user_errors
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What is indexed, how big the index is, which models are used."""
    from assistant import library
    from assistant.cli_daemon import daemon_status, describe

    rt = runtime(ctx)
    info = library.status(rt)
    info["daemon"] = daemon_status(rt)
    if as_json:
        emit_json(info)
        return
    out.print(
        f"[bold]Index[/bold]  {info['store']['path']}  ({_size(info['store']['bytes'])}, "
        f"schema v{info['store']['schema']}, {info['store']['sqlite_module']})",
        highlight=False,
    )
    out.print(f"  {info['store']['encryption']['summary']}", highlight=False, markup=False)
    docs = info["documents"] or {}
    chunks = info["chunks"] or {}
    out.print("  documents: " + (", ".join(f"{k} {v}" for k, v in docs.items()) or "none"))
    out.print("  chunks:    " + (", ".join(f"{k} {v}" for k, v in chunks.items()) or "none"))
    out.print(f"  events:    {info['events']}")
    if info["documents_with_problems"]:
        out.print(f"  files with skipped items: {info['documents_with_problems']}")
    for entry in info["skipped_files"][:20]:
        out.print(
            f"  skipped ({entry['reason']}): {entry['path']} ({entry['detail']})",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if len(info["skipped_files"]) > 20:
        out.print(f"  ... and {len(info['skipped_files']) - 20} more skipped files (--json)")
    out.print("[bold]Sources[/bold]")
    for src in info["sources"]:
        out.print(f"  {src['path']} ({src['kind']})", highlight=False)
    out.print("[bold]Models[/bold]")
    out.print(f"  embedding: {info['models']['embedding']}", highlight=False)
    out.print(f"  llm:       {info['models']['llm']}", highlight=False)
    out.print(describe(info["daemon"]), highlight=False, markup=False)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _register_optional() -> None:
    from assistant.cli_daemon import register as register_daemon

    register_daemon(app, user_errors)
    from assistant.cli_store import register as register_store

    register_store(app, user_errors)
    try:
        from assistant.cli_calendar import register
    except ImportError:
        return
    register(app)


_register_optional()


def main() -> None:
    try:
        app(prog_name="assistant")
    except AssistantError as exc:  # raised outside a command (should not happen)
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a user
        typer.echo(f"error: internal error ({type(exc).__name__}: {exc})", err=True)
        sys.exit(1)
