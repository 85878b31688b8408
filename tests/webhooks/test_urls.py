"""Where webhooks may go: https and public addresses only, checked at registration and again
at every attempt (a name re-pointed at a private address after it was registered)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from service.extensions import db
from service.monitoring.webhooks import create_endpoint
from service.monitoring.webhooks_delivery import run_once
from service.monitoring.webhooks_http import UnsafeUrl, check_url, is_public, resolve_target

from .conftest import deliveries, emit_event, endpoint_row

PUBLIC = "93.184.215.14"


def resolver(*addresses: str) -> Any:
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("url, message", [
    ("http://hooks.example.com/in", "must use https"),
    ("ftp://hooks.example.com/in", "must use https"),
    ("https:///in", "needs a host"),
    ("https://user:pw@hooks.example.com/in", "user name or password"),
    ("https://hooks.example.com/in#frag", "fragment"),
    ("https://hooks.example.com:99999/", "Not a valid URL"),
    ("https://hooks.example.com/" + "a" * 1100, "at most 1024"),
])
def test_malformed_or_plain_http_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(UnsafeUrl, match=message):
        check_url(url, allow_private=False)


@pytest.mark.parametrize("addresses", [
    ("127.0.0.1",), ("10.1.2.3",), ("192.168.0.10",), ("172.16.5.4",), ("169.254.169.254",), ("100.64.0.1",),
    ("0.0.0.0",), ("::1",), ("fe80::1%eth0",), ("fc00::1",), ("::ffff:10.0.0.1",), ("224.0.0.1",),
    (PUBLIC, "10.0.0.1"),  # every address counts, not just the first
])
def test_private_loopback_and_reserved_addresses_are_refused(addresses: tuple[str, ...]) -> None:
    with pytest.raises(UnsafeUrl, match="public addresses only"):
        resolve_target("https://hooks.example.com/in", allow_private=False, resolve=resolver(*addresses))


def test_literal_addresses_and_unresolvable_hosts() -> None:
    with pytest.raises(UnsafeUrl, match="public addresses only"):
        resolve_target("https://127.0.0.1:8443/in", allow_private=False)
    with pytest.raises(UnsafeUrl, match="public addresses only"):
        resolve_target("https://[::1]/in", allow_private=False)
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        resolve_target("https://no-such-host.invalid/in", allow_private=False)


def test_public_https_is_accepted_and_private_only_when_allowed() -> None:
    target = resolve_target("https://hooks.example.com/in?x=1", allow_private=False, resolve=resolver(PUBLIC))
    assert (target.scheme, target.host, target.port, target.path, target.addresses) == (
        "https", "hooks.example.com", 443, "/in?x=1", (PUBLIC,))
    assert is_public(PUBLIC) and is_public("2606:2800:220:1:248:1893:25c8:1946")
    target = resolve_target("http://127.0.0.1:8080", allow_private=True)
    assert (target.scheme, target.port, target.path, target.addresses) == ("http", 8080, "/", ("127.0.0.1",))


def test_a_host_re_pointed_at_a_private_address_is_refused_at_delivery(app: Any, receiver: Any, ctx: Any) -> None:
    """DNS rebinding: public when registered, loopback when delivered to."""
    with app.app_context():
        endpoint, _ = create_endpoint(session=db.session, url="https://hooks.example.com/in",
                                      events=["alert.created"], allow_private=False, resolve=resolver(PUBLIC))
        db.session.commit()
        endpoint_id = endpoint.id
    emit_event(app)
    rebound = replace(ctx, settings=replace(ctx.settings, allow_private=False), resolve=resolver("127.0.0.1"))
    assert run_once(rebound) == (1, 1)
    [delivery] = deliveries(app)
    [log] = delivery.log
    assert log.status_code is None and "refused" in (log.error or "") and "127.0.0.1" in (log.error or "")
    assert delivery.status == "pending"  # retried later: the name may be put right
    assert receiver.received == []
    assert endpoint_row(app, endpoint_id).consecutive_failures == 1
