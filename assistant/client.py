"""How search, ask and calendar reach an answer: the daemon that serves the store (started
on demand), else in-process.

The daemon path imports nothing heavy (no torch, llama_cpp, numpy or sqlite-vec): a
warm answer costs a Python start, this module and a socket round trip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant import ipc
from assistant.errors import AssistantError
from assistant.runtime import Runtime

AUTOSTART_ENV = "ASSISTANT_AUTOSTART"  # "0" turns auto-start off, as [daemon] autostart = false
# How long a client waits for a daemon it started to answer on its socket before it works
# in-process instead. The socket is up before any model loads (bench/bench_cli.py: about
# 1 s on 2 busy cores), so this is only reached when something is wrong.
READY_TIMEOUT_S = 20.0
STARTING = "starting the daemon (it keeps the models loaded for the next questions)…"

Status = Callable[[str], None]


def autostart_enabled(rt: Runtime) -> bool:
    env = os.environ.get(AUTOSTART_ENV, "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return False
    return rt.config.daemon.autostart


def daemon_command(rt: Runtime) -> list[str]:
    cmd = [sys.executable, "-m", "assistant"]
    if rt.config.path is not None:
        cmd += ["--config", str(Path(rt.config.path).resolve())]
    return cmd + ["daemon", "run"]


def spawn(rt: Runtime) -> subprocess.Popen[bytes]:
    """Start `assistant daemon run --quiet` detached from this terminal and session."""
    folder = ipc.daemon_dir(rt.config.store.path)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_NOW"}
    key = rt.store_key  # unlock here, where a passphrase can still be typed
    if key is not None and key.kind == "passphrase":
        env["ASSISTANT_PASSPHRASE"] = key.secret  # the detached child has no terminal
    return subprocess.Popen(
        [*daemon_command(rt), "--quiet"],
        start_new_session=True,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_serving(
    rt: Runtime, proc: subprocess.Popen[bytes] | None, timeout: float
) -> ipc.DaemonClient | str:
    """The client of the daemon ``proc`` (or of one that won a race to start, or that
    another command is starting when ``proc`` is None), or why there is none."""
    folder = ipc.daemon_dir(rt.config.store.path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client = ipc.DaemonClient.connect(rt.config.store.path)
        if client is not None:
            return client
        if proc is not None and proc.poll() is not None and not ipc.is_running(folder):
            return (
                f"the daemon exited at start (code {proc.returncode}); "
                f"see {folder / ipc.LOG_NAME}"
            )
        time.sleep(0.05)
    return f"the daemon did not answer within {timeout:.0f} s; see {folder / ipc.LOG_NAME}"


def connect(rt: Runtime, on_status: Status | None = None) -> ipc.DaemonClient | None:
    """The daemon serving this store; started first when none does and auto-start is on.

    None means: work in-process (--no-daemon, auto-start off, no index yet, or a
    daemon that would not start, which is said on stderr).
    """
    if not rt.use_daemon:
        return None
    client = ipc.DaemonClient.connect(rt.config.store.path)
    if client is not None or not autostart_enabled(rt) or not rt.has_store():
        return client
    proc = None  # None: another command is starting it right now; wait for that one
    if not ipc.is_running(ipc.daemon_dir(rt.config.store.path)):
        if on_status:
            on_status(STARTING)
        proc = spawn(rt)
    outcome = wait_until_serving(rt, proc, READY_TIMEOUT_S)
    if isinstance(outcome, str):
        clear = "\r\x1b[2K" if sys.stderr.isatty() else ""  # over a status line, if any
        sys.stderr.write(f"{clear}warning: {outcome}; answering in-process\n")
        return None
    return outcome


def call(
    rt: Runtime,
    op: str,
    args: dict[str, Any],
    *,
    on_token: Callable[[str], None] | None = None,
    on_status: Status | None = None,
) -> Any:
    """``op`` (search | ask | calendar) answered by the daemon, or in-process; same JSON."""
    client = connect(rt, on_status)
    if client is not None:
        try:
            return client.request(
                op, args, now=rt.now_override, on_token=on_token, on_status=on_status
            )
        except OSError as exc:  # it stopped or was killed mid-answer
            log = ipc.daemon_dir(rt.config.store.path) / ipc.LOG_NAME
            raise AssistantError(
                f"the daemon stopped while answering ({exc.strerror or exc}); see {log}"
            ) from None
    from assistant import library

    rt.on_status = on_status
    if op == "search":
        return library.search_json(rt, **args)
    if op == "ask":
        return library.ask_json(rt, **args, on_token=on_token)
    return library.calendar_json(rt, **args)
