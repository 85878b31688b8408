"""Where webhooks may go, and the one HTTP POST that takes them there.

A webhook URL is https, and its host resolves only to public addresses: a registered URL must
not become a way to reach the service's own network (server-side request forgery). Every
address the host resolves to is checked, at registration and again before each attempt (a
name can be re-pointed after it was checked: DNS rebinding), and the connection goes to an
address that was checked, never to a second lookup. ``WEBHOOK_ALLOW_PRIVATE`` lifts both
rules (plain http, private and loopback addresses) for testing.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import Invalid

#: host, port -> the addresses it resolves to.
Resolver = Callable[[str, int], Sequence[str]]
MAX_URL = 1024
#: How much of a response body the delivery log keeps.
RESPONSE_SNIPPET = 1000


class UnsafeUrl(Invalid):
    """A URL webhooks may not be sent to."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors={"url": [detail]})


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    """A URL taken apart, with the checked addresses of its host."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def is_public(address: str) -> bool:
    """Routable on the internet: not private, loopback, link-local, shared, reserved or multicast
    (an IPv4 address written as IPv6, ``::ffff:10.0.0.1``, is judged as the IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an acceptable URL; UnsafeUrl says what is wrong."""
    if len(url) > MAX_URL:
        raise UnsafeUrl(f"A webhook URL has at most {MAX_URL} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"Not a valid URL: {exc}.") from exc
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeUrl("A webhook URL must use https.")
    if not parts.hostname:
        raise UnsafeUrl("A webhook URL needs a host name.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("A webhook URL may not carry a user name or password.")
    if parts.fragment:
        raise UnsafeUrl("A webhook URL may not have a fragment (#...).")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve_target(url: str, *, allow_private: bool, resolve: Resolver = system_resolve) -> Target:
    """The URL's target, its host resolved and every address checked."""
    scheme, host, port, path = check_url(url, allow_private=allow_private)
    try:
        addresses = tuple(resolve(host, port))
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(f"The host {host!r} does not resolve: {exc}.") from exc
    if not addresses:
        raise UnsafeUrl(f"The host {host!r} does not resolve.")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise UnsafeUrl(f"The host {host!r} resolves to {address}, a private, loopback or "
                                "reserved address; webhooks go to public addresses only.")
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


@dataclass(frozen=True)
class Answer:
    """What came back from one POST: a status and the start of the body, or an error."""

    status: int | None
    body: str | None
    error: str | None
    duration_ms: float

    @property
    def success(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(target.host, target.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def connect(address: tuple[str, int], timeout: float | None = None,
                source: tuple[str, int] | None = None) -> socket.socket:
        # To the checked addresses, not to a new lookup of the name; TLS still checks the
        # certificate against the host name.
        error: OSError | None = None
        for ip in target.addresses:
            try:
                return socket.create_connection((ip, address[1]), timeout, source)
            except OSError as exc:
                error = exc
        raise error or OSError("no address to connect to")

    conn._create_connection = connect  # type: ignore[attr-defined]
    return conn


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST ``body``; redirects are not followed (a 3xx is a failed attempt)."""
    start = time.perf_counter()
    conn = _connection(target, timeout)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        snippet = response.read(RESPONSE_SNIPPET).decode("utf-8", "replace")
        return Answer(response.status, snippet, None, _ms(start))
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, None, f"{type(exc).__name__}: {exc}"[:RESPONSE_SNIPPET], _ms(start))
    finally:
        conn.close()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)
