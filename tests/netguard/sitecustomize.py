"""Installed into child processes by tests (PYTHONPATH): any non-loopback network use fails
loudly and is logged to $NETGUARD_LOG, so a test can prove nothing tried to leave."""

import os
import socket

_LOG = os.environ.get("NETGUARD_LOG")
_TRACE = os.environ.get("NETGUARD_TRACE")  # every allowed inet connect, as host:port
_LOCAL = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "", None)


def _violation(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {what}\n")


def _is_local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    return host in _LOCAL or (isinstance(host, str) and host.startswith("127."))


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _guard(sock: socket.socket, address: object) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_local(host):
        _violation(f"connect {address!r}")
        raise OSError(f"network access blocked by the test guard: {address!r}")
    if _TRACE and isinstance(address, tuple):
        with open(_TRACE, "a", encoding="utf-8") as fh:
            fh.write(f"{host}:{address[1]}\n")


def connect(self: socket.socket, address: object) -> None:
    _guard(self, address)
    return _connect(self, address)


def connect_ex(self: socket.socket, address: object) -> int:
    _guard(self, address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if not _is_local(host):
        _violation(f"getaddrinfo {host!r}")
        raise socket.gaierror(f"name resolution blocked by the test guard: {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = getaddrinfo
