"""The `assistant` command: parse arguments, call the library, print. No SQL, no model code."""

from __future__ import annotations

import functools
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from assistant import __version__
from assistant.errors import AssistantError
from assistant.runtime import Runtime
from assistant.terminal import OutConsole, StatusLine

EXIT_USER_ERROR = 1
EXIT_FILES_FAILED = 3
EXIT_INTERRUPTED = 130
# Global options, accepted before or after the command (as git, ripgrep and llm users type
# them): moved in front of the command before click parses.
GLOBAL_WITH_VALUE = ("--config", "--now")
GLOBAL_FLAGS = ("--no-daemon",)
HELP = ("-h", "--help")


def hoist_global_options(args: list[str]) -> list[str]:
    """``ask --now T "q"`` -> ``--now T ask "q"``; a ``--json`` before the command goes to
    its end. Nothing after ``--`` is touched."""
    front: list[str] = []
    rest: list[str] = []
    json_flag = False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_WITH_VALUE:
            front.append(arg)
            if "=" not in arg and i + 1 < len(args):
                front.append(args[i + 1])
                i += 1
        elif arg in GLOBAL_FLAGS:
            front.append(arg)
        elif arg == "--json":
            json_flag = True
        else:
            rest.append(arg)
        i += 1
    if json_flag:
        end = rest.index("--") if "--" in rest else len(rest)
        rest.insert(end, "--json")
    return front + rest


def plain_flags(command: Any, ctx: Any) -> None:
    """Show flags as `--json`, not `--json <bool>`, in every command's help."""
    params = list(getattr(command, "params", []))
    helper = getattr(command, "get_help_option", None)
    if helper is not None:
        params.append(helper(ctx))
    for param in params:
        if param is not None and getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        plain_flags(sub, ctx)


class RootGroup(TyperGroup):
    # Command groups imported only when used: `assistant search` through a warm daemon
    # pays for nothing it does not run (bench/bench_cli.py).
    LAZY = {"calendar": "assistant.cli_calendar"}

    def get_command(self, ctx: Any, name: str) -> Any:
        self._load(name)
        return super().get_command(ctx, name)

    def list_commands(self, ctx: Any) -> list[str]:
        for name in self.LAZY:
            self._load(name)
        return super().list_commands(ctx)

    def _load(self, name: str) -> None:
        if name in self.LAZY and name not in self.commands:
            import importlib

            module = importlib.import_module(self.LAZY[name])
            self.add_command(typer.main.get_group(module.app), name)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        args = hoist_global_options(args)
        cut = args.index("--") if "--" in args else len(args)
        ctx.meta["assistant.help"] = any(a in HELP for a in args[:cut])
        return super().parse_args(ctx, args)

    def get_params(self, ctx: Any) -> Any:
        plain_flags(self, ctx)
        return super().get_params(ctx)


app = typer.Typer(
    cls=RootGroup,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": list(HELP)},
    pretty_exceptions_show_locals=False,  # our data is personal
    help=(
        "An on-device assistant that answers from your own notes, calendars and messages.\n\n"
        "Global options (--config, --now, --json, --no-daemon) go before or after the "
        "command. Exit codes: 0 ok, 1 error, 2 usage, 3 some files failed to index, "
        "130 interrupted."
    ),
)
err = Console(stderr=True)
out = OutConsole()

F = TypeVar("F", bound=Callable[..., Any])
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str, code: int = EXIT_USER_ERROR) -> typer.Exit:
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
            raise fail("interrupted", EXIT_INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def runtime(ctx: typer.Context) -> Runtime:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def status_line(as_json: bool) -> StatusLine:
    """"searching…" and the like on stderr, in a terminal only, never with --json."""
    return StatusLine(enabled=False if as_json else None)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"assistant {__version__}")
        raise typer.Exit()


@app.callback()
@user_errors
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="PATH",
            help="Config file (else $ASSISTANT_CONFIG, ./config.toml, ~/.config/assistant/config.toml).",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now", metavar="ISO", help="Pretend it is this ISO-8601 time (else $ASSISTANT_NOW)."
        ),
    ] = None,
    no_daemon: Annotated[
        bool,
        typer.Option(
            "--no-daemon", help="Work in-process: neither use nor start the background daemon."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    if ctx.meta.get("assistant.help"):
        return  # help needs no config (and a broken one must not hide the help)
    rt = Runtime.from_options(config, now)
    _ = rt.now  # validate --now early
    rt.use_daemon = not no_daemon
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
        bool,
        typer.Option("--rebuild", help="Delete the index and build it again (the forget list is kept)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Index the configured sources (only what changed since last time).

    Exits 3 when some files could not be indexed (they are listed), 130 when interrupted
    (what was stored stays: run it again to resume).

    Example: assistant index ~/notes/travel
    """
    from assistant import library
    from assistant.terminal import ProgressBar

    # `kill` or a service manager stops a run like Ctrl-C: the document in progress rolls back.
    signal.signal(signal.SIGTERM, _interrupt)
    rt = runtime(ctx)
    if not rt.config.sources and not paths:
        if rt.config.path is None:
            raise AssistantError(rt.config.no_config_found())
        raise AssistantError("no sources configured; add [[sources]] with a path to config.toml")
    bar = ProgressBar(err, show=err.is_terminal and not as_json)
    try:
        report = library.index(rt, paths or None, rebuild=rebuild, on_update=bar)
    except KeyboardInterrupt:
        bar.stop()
        raise fail(_interrupted(rt, bar.last), EXIT_INTERRUPTED) from None
    finally:
        bar.stop()
    if as_json:
        emit_json(report.__dict__)
    else:
        for line in report.errors:
            typer.echo(f"error: {line}", err=True)
        for line in report.skipped_files:
            typer.echo(line, err=True)
        for line in report.warnings[:50]:
            typer.echo(f"warning: {line}", err=True)
        if len(report.warnings) > 50:
            typer.echo(f"warning: ... and {len(report.warnings) - 50} more", err=True)
        _echo_capped(report.skipped_files, "assistant status --json lists them all")
        typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(EXIT_FILES_FAILED)


def _echo_capped(lines: list[str], where_all: str, limit: int = 50) -> None:
    for line in lines[:limit]:
        typer.echo(line, err=True)
    if len(lines) > limit:
        typer.echo(f"... and {len(lines) - limit} more ({where_all})", err=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _interrupted(rt: Runtime, progress: Any) -> str:
    """What an interrupted run leaves: every document written before the stop is kept."""
    stored = progress.documents_stored if progress is not None else None
    try:
        total = sum(rt.store.counts()["documents"].values()) if rt.has_store() else 0
    except Exception:  # noqa: BLE001 - the message must still be printed
        total = None
    said = "interrupted"
    if stored is not None:
        said += f"; this run stored {_plural(stored, 'document')}"
    if total is not None:
        said += f"; the index holds {_plural(total, 'document')}"
    return said + "; run `assistant index` again to resume"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# --- search / ask ---------------------------------------------------------------------


@app.command()
@user_errors
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many hits.")] = 5,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help="note, event, message or email, or the config's words notes, calendar, "
            "messages (repeatable).",
        ),
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
    as_json: Json = False,
) -> None:
    """Hybrid (meaning + keyword) search over everything indexed.

    Example: assistant search "Lisbon hotel" -k 3 --kind notes
    """
    from assistant.client import call

    rt = runtime(ctx)
    args = {
        "query": query,
        "k": k,
        "kinds": kind,
        "after": after,
        "before": before,
        "senders": sender,
    }
    with status_line(as_json) as status:
        status("searching…")
        data = call(rt, "search", args, on_status=status)
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


@app.command()
@user_errors
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question, in plain words.")],
    k: Annotated[
        int | None, typer.Option("-k", min=1, max=20, help="How many sources to retrieve.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (no streaming).")] = False,
) -> None:
    """Answer a question from your data, citing sources; calendar questions are answered exactly.

    Example: assistant --now 2026-11-23T09:00 ask "When does my flight to Lisbon leave?"
    """
    from assistant.client import call

    rt = runtime(ctx)
    args = {"question": question, "k": k}
    with status_line(as_json) as status:
        status("searching…")
        if as_json or not out.is_terminal:
            data = call(rt, "ask", args, on_status=status)
            status.close()
            say_fallback(data)
            emit_json(data) if as_json else print_answer(data)
            return
        from rich.live import Live
        from rich.text import Text

        draft = Text(style="dim")
        # No stdout redirection: `out` writes to whatever sys.stdout is, which Live would
        # otherwise replace with a proxy that writes back through `out`.
        live = Live(
            draft, console=out, refresh_per_second=20, transient=True,
            redirect_stdout=False, redirect_stderr=False,
        )

        def on_token(token: str) -> None:
            if not live.is_started:
                status.close()  # the draft takes the screen from the status line
                live.start()
            draft.append(token)
            live.update(draft)

        try:
            data = call(rt, "ask", args, on_token=on_token, on_status=status)
        finally:
            live.stop()
    say_fallback(data)
    print_answer(data)


def say_fallback(data: dict[str, Any]) -> None:
    """One line on stderr when the model server failed and the local model answered."""
    llm = data.get("llm") or {}
    if llm.get("fallback_from") == "server":
        typer.echo(f"warning: {llm.get('reason')}; answered with the local model", err=True)


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
    everything: Annotated[
        bool, typer.Option("--all", help="Wipe the whole index (the forget list is kept).")
    ] = False,
    show: Annotated[bool, typer.Option("--list", help="Show the paths kept out.")] = False,
    unforget: Annotated[
        bool,
        typer.Option("--unforget", help="Take PATHs off the forget list: index them again."),
    ] = False,
    as_json: Json = False,
) -> None:
    """Remove files from the index for good and keep them out, even after a rebuild.

    Rows, vectors, keyword entries and free pages are scrubbed; `index` and
    `index --rebuild` never bring a forgotten path back (--unforget does).

    Example: assistant forget ~/notes/diary.md
    """
    from assistant import library

    rt = runtime(ctx)
    if show:
        listed = library.forget_list(rt)
        if as_json:
            emit_json({"forgotten": listed})
        else:
            for path in listed:
                typer.echo(path)
            if not listed:
                typer.echo("nothing is forgotten", err=True)
        return
    if unforget:
        if not paths:
            raise AssistantError("say which paths to index again: assistant forget --unforget PATH...")
        gone = library.unforget(rt, paths)
        if as_json:
            emit_json({"unforgotten": gone})
        else:
            typer.echo(
                f"{_plural(len(gone), 'path')} taken off the forget list; "
                "run `assistant index` to index them again"
            )
        return
    if not paths and not everything:
        raise AssistantError(
            "say what to forget: assistant forget PATH... or --all (--list shows the forget list)"
        )
    result = library.forget(rt, paths or [], everything=everything)
    if as_json:
        emit_json(result)
    elif everything:
        kept = len(result["excluded"])
        typer.echo(
            "the index was wiped; the forget list was kept"
            + (
                f" ({_plural(kept, 'path')} {'stays' if kept == 1 else 'stay'} excluded: "
                "assistant forget --list)"
                if kept
                else ""
            )
        )
    else:
        typer.echo(
            f"forgot {_plural(result['removed'], 'document')}; "
            "these paths will not be indexed again"
        )


@app.command()
@user_errors
def doctor(ctx: typer.Context, as_json: Json = False) -> None:
    """Models, versions, threads, the SQLite module in use, and the offline settings.

    Example: assistant doctor --json
    """
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
    llm, cores = info["llm"], info["threads"]
    out.print(
        f"embedding {info['embedding']['model']}: {info['embedding']['path']}, "
        f"{cores['embedding']} threads",
        highlight=False,
    )
    how = (
        "from the config"
        if llm["threads_chosen_by"] == "config"
        else f"auto: {cores['physical_cores']} physical cores - 1, at least 1"
    )
    if llm["backend"] == "server":
        out.print(f"llm server {llm['url']}, model {llm['model'] or '(the server default)'}",
                  highlight=False, markup=False)
        out.print(f"llm fallback {llm['local_model']}, {llm['threads']} threads ({how})",
                  highlight=False, markup=False)
    else:
        out.print(f"llm {llm['model']}, {llm['threads']} threads ({how})", highlight=False)
    for adapter in llm["lora"]:
        missing = "" if adapter["exists"] else " (file not found)"
        out.print(f"  lora {adapter['path']} scale {adapter['scale']:g}{missing}",
                  highlight=False, markup=False)
    out.print(f"prompts: {llm['prompts']}", highlight=False, markup=False)
    out.print(f"network: {info['network']['summary']}", highlight=False)
    for key, value in info["network"]["offline_switches"].items():
        out.print(f"  {key}={value}", highlight=False)


# --- status -----------------------------------------------------------------------------


@app.command()
@user_errors
def status(ctx: typer.Context, as_json: Json = False) -> None:
    """What is indexed, how big the index is, which models are used, what the daemon does.

    Example: assistant status --json
    """
    from assistant import library
    from assistant.cli_daemon import daemon_status, describe

    rt = runtime(ctx)
    info = library.status(rt)
    info["daemon"] = daemon_status(rt)
    problem = info["store"]["problem"]
    if as_json:
        emit_json(info)
        if problem:  # everything else was said; the damaged index is still an error
            raise fail(problem)
        return
    for line in info["warnings"]:
        typer.echo(f"warning: {line}", err=True)
    if info["config"] is None:
        out.print(f"Config  {rt.config.no_config_found()}", highlight=False, markup=False)
    store = info["store"]
    if problem:
        out.print("Index  damaged (see the error below)", highlight=False, markup=False)
    elif not store["exists"]:
        out.print(
            f"[bold]Index[/bold]  {escape(store['path'])}  (not created yet: run `assistant index`)",
            highlight=False,
        )
    else:
        out.print(
            f"[bold]Index[/bold]  {escape(store['path'])}  ({_size(store['bytes'])}, "
            f"schema v{store['schema']}, {store['sqlite_module']})",
            highlight=False,
        )
        if store.get("encryption"):
            out.print(f"  {store['encryption']['summary']}", highlight=False, markup=False)
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
    if info["forgotten"]:
        out.print(f"  forgotten (kept out): {_plural(len(info['forgotten']), 'path')}")
        for path in info["forgotten"]:
            out.print(f"    {path}", highlight=False, markup=False)
    out.print("[bold]Sources[/bold]")
    for src in info["sources"]:
        missing = "" if src["exists"] else ", folder not found"
        out.print(f"  {src['path']} ({src['kind']}{missing})", highlight=False, markup=False)
    out.print("[bold]Models[/bold]")
    out.print(f"  embedding: {info['models']['embedding']}", highlight=False)
    out.print(f"  llm:       {info['models']['llm']}", highlight=False)
    out.print(f"  prompts:   {info['models']['prompts']}", highlight=False, markup=False)
    out.print(describe(info["daemon"]), highlight=False, markup=False)
    if problem:
        raise fail(problem)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _register_optional() -> None:
    from assistant.cli_daemon import register as register_daemon

    register_daemon(app, user_errors)  # `calendar` is loaded on use: RootGroup.LAZY
    from assistant.cli_store import register as register_store

    register_store(app, user_errors)


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
