"""Run the real `assistant` command in a child process: piped, or on a pseudo-terminal as
a person's shell would, collecting what it shows."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


def assistant(
    cwd: Path, *args: str, config: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m assistant ARGS` in ``cwd``; ``env`` adds to (or replaces) variables."""
    full_env = {**os.environ, **env}
    full_env.pop("ASSISTANT_NOW", None)
    full_env.pop("ASSISTANT_CONFIG", None)
    if config is not None:
        full_env["ASSISTANT_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, proc.stderr
    return proc


def run_on_terminal(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300.0,
    columns: int = 120,
) -> tuple[int, str]:
    """(exit code, everything written to the terminal: stdout and stderr, escapes kept)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(
        args, cwd=cwd, env={**env, "COLUMNS": str(columns), "TERM": "xterm-256color"},
        stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            raise AssertionError(f"{args} did not finish in {timeout} s")
    finally:
        os.close(master)
    return proc.wait(timeout=30), b"".join(chunks).decode("utf-8", "replace")
