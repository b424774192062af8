"""`assistant daemon start|stop|status|run|install|uninstall` and `assistant check`."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant import ipc
from assistant.client import daemon_command, spawn
from assistant.errors import AssistantError
from assistant.runtime import Runtime
from assistant.terminal import StatusLine

daemon_app = typer.Typer(
    help="The background daemon: live index and warm answers.", no_args_is_help=True
)

UNIT_NAME = "assistant.service"
AGENT_NAME = "org.assistant.daemon.plist"


def _rt(ctx: typer.Context) -> Runtime:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def _folder(rt: Runtime) -> Path:
    return ipc.daemon_dir(rt.config.store.path)


MODELS_TIMEOUT_S = 300  # `daemon start` waits this long for the models to load


def register(app: typer.Typer, user_errors: Any) -> None:
    app.add_typer(daemon_app, name="daemon")

    @daemon_app.command("run")
    @user_errors
    def run(
        ctx: typer.Context,
        quiet: Annotated[bool, typer.Option("--quiet", help="Log only to the log file.")] = False,
    ) -> None:
        """Run the daemon in the foreground (Ctrl-C stops it).

        Example: assistant daemon run
        """
        from assistant.daemon import Daemon, setup_logging

        rt = _rt(ctx)
        rt.now_override = None  # a long-running daemon follows the clock; requests carry --now
        # Everything a daemon creates (index, WAL, rotated logs, socket) is the owner's
        # alone, whatever umask it was started with.
        os.umask(0o077)
        setup_logging(_folder(rt), to_stderr=not quiet)
        Daemon(rt).run()

    @daemon_app.command("start")
    @user_errors
    def start(ctx: typer.Context) -> None:
        """Start the daemon in the background; returns when both models are loaded.

        search, ask and calendar also start it when none runs (unless --no-daemon or
        [daemon] autostart = false).

        Example: assistant daemon start
        """
        from assistant.client import wait_until_serving

        rt = _rt(ctx)
        folder = _folder(rt)
        if ipc.is_running(folder):
            raise AssistantError(f"the daemon is already running (pid {ipc.read_pid(folder)})")
        with StatusLine() as status:
            status("starting the daemon…")
            client = wait_until_serving(rt, spawn(rt), 60)
            if isinstance(client, str):
                raise AssistantError(client)
            try:
                info = _wait_for_models(client, status)
            except OSError:
                raise AssistantError(
                    f"the daemon stopped while loading the models; see {folder / ipc.LOG_NAME}"
                ) from None
        pid = info.get("pid")
        if info.get("models_loaded"):
            typer.echo(f"daemon started (pid {pid}), models loaded; log: {folder / ipc.LOG_NAME}")
        else:
            problem = (info.get("errors") or ["still loading"])[-1]
            typer.echo(
                f"daemon started (pid {pid}); the models are not loaded ({problem}); "
                f"log: {folder / ipc.LOG_NAME}"
            )

    @daemon_app.command("stop")
    @user_errors
    def stop(ctx: typer.Context) -> None:
        """Stop the daemon (it finishes or rolls back the document in progress).

        Example: assistant daemon stop
        """
        is_running, read_pid = ipc.is_running, ipc.read_pid
        folder = _folder(_rt(ctx))
        pid = read_pid(folder)
        if not is_running(folder) or pid is None:
            typer.echo("the daemon is not running")
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 120
        while is_running(folder) and time.monotonic() < deadline:
            time.sleep(0.1)
        if is_running(folder):
            raise AssistantError(f"the daemon (pid {pid}) did not stop within 120 s")
        typer.echo(f"daemon stopped (pid {pid})")

    @daemon_app.command("status")
    @user_errors
    def status(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Whether the daemon runs, whether its models are loaded, what it is doing.

        Example: assistant daemon status --json
        """
        info = daemon_status(_rt(ctx))
        if as_json:
            sys.stdout.write(json.dumps(info, indent=2) + "\n")
        else:
            typer.echo(describe(info))

    @daemon_app.command("install")
    @user_errors
    def install(ctx: typer.Context) -> None:
        """Write a systemd user unit (Linux) or a launchd agent (macOS).

        Example: assistant daemon install
        """
        rt = _rt(ctx)
        path, enable = service_file(rt)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(service_text(rt))
        typer.echo(f"wrote {path}\nenable it with: {enable}")

    @daemon_app.command("uninstall")
    @user_errors
    def uninstall(ctx: typer.Context) -> None:
        """Remove the unit or agent written by install.

        Example: assistant daemon uninstall
        """
        path, _ = service_file(_rt(ctx))
        if path.exists():
            path.unlink()
            typer.echo(f"removed {path}")
        else:
            typer.echo(f"nothing to remove ({path} does not exist)")

    @app.command()
    @user_errors
    def check(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Check the index: every chunk has its vector and keyword row, every file exists.

        Example: assistant check --json
        """
        from assistant import library

        report = library.check(_rt(ctx))
        if as_json:
            sys.stdout.write(json.dumps(report, indent=2) + "\n")
        else:
            typer.echo(
                f"{report['documents']} documents, {report['chunks']} chunks: "
                + ("ok" if report["ok"] else "problems found")
            )
            for line in report["problems"]:
                typer.echo(f"- {line}")
        if not report["ok"]:
            raise typer.Exit(1)


def _wait_for_models(client: ipc.DaemonClient, status: StatusLine) -> dict[str, Any]:
    deadline = time.monotonic() + MODELS_TIMEOUT_S
    while True:
        info: dict[str, Any] = client.request("status", {}, timeout=5)
        if info.get("models_loaded") or not info.get("loading") and info.get("errors"):
            return info
        if time.monotonic() > deadline:
            return info
        status(info.get("loading") or "starting the daemon…")
        time.sleep(0.2)


def daemon_status(rt: Runtime) -> dict[str, Any]:
    folder = _folder(rt)
    info: dict[str, Any] = {
        "running": False,
        "models_loaded": False,
        "socket": str(folder / ipc.SOCKET_NAME),
        "log": str(folder / ipc.LOG_NAME),
    }
    if not ipc.is_running(folder):
        return info
    info.update(running=True, pid=ipc.read_pid(folder))
    client = ipc.DaemonClient.connect(rt.config.store.path)
    if client is not None:
        info.update(client.request("status", {}, timeout=5))
    return info


def describe(info: dict[str, Any]) -> str:
    if not info["running"]:
        return "daemon: not running"
    models = (
        "models loaded"
        if info.get("models_loaded")
        else (info.get("loading") or "models not loaded")
    )
    lines = [f"daemon: running (pid {info.get('pid')}), {info.get('phase', '?')}, {models}"]
    if "queue" in info:
        lines.append(
            f"  queue: {info['queue']} waiting"
            + (f", indexing {info['current']}" if info.get("current") else "")
        )
        lines.append(f"  last indexed: {info.get('last_indexed') or 'nothing yet'}")
    for err in info.get("errors", [])[-5:]:
        lines.append(f"  error: {err}")
    return "\n".join(lines)


def service_file(rt: Runtime) -> tuple[Path, str]:
    if sys.platform == "darwin":
        path = Path.home() / "Library" / "LaunchAgents" / AGENT_NAME
        return path, f"launchctl load -w {path}"
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "systemd" / "user" / UNIT_NAME, f"systemctl --user enable --now {UNIT_NAME}"


def service_text(rt: Runtime) -> str:
    cmd = [*daemon_command(rt), "--quiet"]
    if sys.platform == "darwin":
        from xml.sax.saxutils import escape

        args = "\n".join(f"    <string>{escape(c)}</string>" for c in cmd)
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>org.assistant.daemon</string>
  <key>ProgramArguments</key>
  <array>
{args}
  </array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
</dict>
</plist>
"""
    quoted = " ".join(f'"{c}"' if " " in c else c for c in cmd)
    return f"""[Unit]
Description=assistant: keeps the personal index in step and answers warm

[Service]
ExecStart={quoted}
Restart=on-failure
KillSignal=SIGTERM
TimeoutStopSec=120

[Install]
WantedBy=default.target
"""
