"""Which network addresses count as the person's own machines (the model server privacy rule)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

# Loopback, RFC 1918, link-local and unique-local: addresses that never route across the
# internet, so a prompt sent there stays on machines the person owns (or at least on
# their own network). Carrier-grade NAT (100.64/10) is left out on purpose: it is the
# ISP's network as often as a VPN's.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_private_address(address: str | Address) -> bool:
    """Whether an IP address is loopback, RFC 1918, link-local or unique-local."""
    ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in PRIVATE_NETWORKS)


def literal_address(host: str) -> Address | None:
    """``host`` as an IP address when it is written as one ("[::1]" included), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def is_private_name(host: str) -> bool:
    """Names that mean this machine or the local network without asking a DNS server."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith((".localhost", ".local"))


@dataclass(frozen=True)
class Verdict:
    """Where a host resolved to and whether every address is private."""

    host: str
    addresses: tuple[str, ...]
    private: bool


def classify(host: str, port: int) -> Verdict:
    """Resolve ``host`` (no lookup for an IP literal) and judge every address it has: a name
    with one public address among private ones is public (DNS answers can change). A
    ``.local`` name is the LAN by definition (mDNS), whatever addresses it announces (a
    Mac on the shelf announces its global IPv6 address too)."""
    literal = literal_address(host)
    if literal is not None:
        return Verdict(host, (str(literal),), is_private_address(literal))
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    private = is_private_name(host) or all(is_private_address(a) for a in addresses)
    return Verdict(host, addresses, bool(addresses) and private)


@dataclass(frozen=True)
class ServerURL:
    scheme: str  # http | https
    host: str  # as written, without brackets
    port: int
    path: str  # the /v1 prefix, without a trailing slash


def parse_url(url: str, where: str = "") -> ServerURL:
    """The server URL split into parts; a one-line ConfigError when it is not http(s)://host."""
    from urllib.parse import urlsplit

    from assistant.errors import ConfigError

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"{where}key 'llm.url': not a URL ({exc}): {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where}key 'llm.url' must look like http://host:port/v1, got {url!r}"
        )
    default = 443 if parts.scheme == "https" else 80
    return ServerURL(parts.scheme, parts.hostname, port or default, parts.path.rstrip("/"))


def remote_refused(host: str, addresses: tuple[str, ...], where: str = "") -> str:
    shown = host if addresses == (host,) else f"{host} ({', '.join(addresses)})"
    return (
        f"{where}key 'llm.url': {shown} is not on your own network; prompts carry your notes, "
        "so a public server needs allow_remote = true under [llm]"
    )


def check_url(url: str, allow_remote: bool, where: str = "") -> ServerURL:
    """Validate the URL and, without any lookup, refuse a public IP literal. Host names are
    resolved and judged when the server is first called (assistant/llm_server.py)."""
    from assistant.errors import ConfigError

    parsed = parse_url(url, where)
    literal = literal_address(parsed.host)
    if not allow_remote and literal is not None and not is_private_address(literal):
        raise ConfigError(remote_refused(parsed.host, (str(literal),), where))
    return parsed
