"""The daemon's Unix socket: paths, peer checks and a newline-delimited JSON protocol.

A request is one JSON line ``{"op": str, "args": {...}, "now": str|null}``. The reply is
zero or more ``{"status": str}`` lines (what the daemon is waiting for, e.g. "loading the
language model…") and ``{"token": str}`` lines (a streamed answer), then one
``{"result": ...}`` or ``{"error": str}`` line. Clients ignore lines they do not know.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import stat
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError

SOCKET_NAME = "daemon.sock"
PID_NAME = "daemon.pid"
LOCK_NAME = "daemon.lock"
LOG_NAME = "daemon.log"


def daemon_dir(store_path: Path) -> Path:
    return Path(store_path).parent


def socket_path(store_path: Path) -> Path:
    return daemon_dir(store_path) / SOCKET_NAME


def read_pid(folder: Path) -> int | None:
    try:
        return int((folder / PID_NAME).read_text().strip())
    except (OSError, ValueError):
        return None


def is_running(folder: Path) -> bool:
    """True when some process holds the store's daemon lock."""
    lock = folder / LOCK_NAME
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def peer_uid(conn: socket.socket) -> int | None:
    """The uid of the process on the other end (Linux SO_PEERCRED; macOS getpeereid)."""
    if hasattr(socket, "SO_PEERCRED"):
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid
    if sys.platform == "darwin":  # pragma: no cover - not testable here
        LOCAL_PEERCRED = 0x001
        creds = conn.getsockopt(0, LOCAL_PEERCRED, struct.calcsize("iih16i"))
        return struct.unpack("iih16i", creds)[1]
    return None


def socket_is_ours(path: Path) -> bool:
    """Only a socket we own, that nobody else can open, is trusted."""
    try:
        st = path.lstat()
    except OSError:
        return False
    return (
        stat.S_ISSOCK(st.st_mode)
        and st.st_uid == os.getuid()
        and stat.S_IMODE(st.st_mode) & 0o077 == 0
    )


def send(conn: socket.socket, message: dict[str, Any]) -> None:
    conn.sendall((json.dumps(message, ensure_ascii=False, default=str) + "\n").encode("utf-8"))


def read_lines(conn: socket.socket) -> Any:
    buffer = b""
    while True:
        data = conn.recv(65536)
        if not data:
            if buffer.strip():
                yield json.loads(buffer)
            return
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield json.loads(line)


class DaemonClient:
    """Talks to a running daemon; ``connect`` returns None when none is serving."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def connect(cls, store_path: Path) -> DaemonClient | None:
        path = socket_path(store_path)
        if not socket_is_ours(path):
            return None
        client = cls(path)
        try:
            client.request("ping", {}, timeout=2.0)
        except (OSError, AssistantError, ValueError):
            return None
        return client

    def request(
        self,
        op: str,
        args: dict[str, Any],
        *,
        now: str | None = None,
        on_token: Callable[[str], None] | None = None,
        on_status: Callable[[str], None] | None = None,
        timeout: float | None = 600.0,
    ) -> Any:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(self.path))
            send(conn, {"op": op, "args": args, "now": now})
            for message in read_lines(conn):
                if "token" in message:
                    if on_token is not None:
                        on_token(message["token"])
                elif "status" in message:
                    if on_status is not None:
                        on_status(message["status"])
                elif "result" in message:
                    return message["result"]
                elif "error" in message:
                    raise AssistantError(message["error"])
        raise AssistantError("the daemon closed the connection without an answer")
