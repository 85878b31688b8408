"""``/api/v1/webhooks``: registration (secret shown once), URL rules, changes with If-Match,
rotation, the test ping, the delivery log and redelivery, admins only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.monitoring.webhooks_delivery import run_once

from .conftest import emit_event

API = "/api/v1/webhooks"


def create(client: Any, url: str, events: list[str] | None = None) -> Any:
    return client.post(API, json={"url": url, "events": events or ["alert.created", "alert.updated"]})


def test_register_shows_the_secret_once(client: Any, receiver: Any, private_ok: Any) -> None:
    r = create(client, receiver.url)
    assert r.status_code == 201, r.json
    assert r.json["secret"].startswith("whsec_") and r.headers["Location"].endswith(f"{API}/{r.json['id']}")
    assert r.json["events"] == ["alert.created", "alert.updated"] and r.json["enabled"] is True
    assert len(r.json["secrets"]) == 1 and "secret" not in r.json["secrets"][0]
    one = client.get(f"{API}/{r.json['id']}")
    assert one.status_code == 200 and "secret" not in one.json
    listed = client.get(API)
    assert listed.json["total"] == 1 and "secret" not in listed.json["items"][0]
    assert r.json["secret"] not in one.get_data(as_text=True) + listed.get_data(as_text=True)


def test_urls_are_checked(client: Any) -> None:
    for url, needle in [("http://hooks.example.com/in", "https"), ("https://127.0.0.1/in", "127.0.0.1"),
                        ("https://localhost:8443/in", "public addresses only"),
                        ("https://10.0.0.7/in", "10.0.0.7")]:
        r = create(client, url)
        assert r.status_code == 422, (url, r.json)
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert needle in r.json["detail"] and r.json["errors"]["url"] == [r.json["detail"]]
    bad_events = create(client, "https://hooks.example.com/in", ["alert.deleted"])
    assert bad_events.status_code == 422
    assert client.get(API).json["total"] == 0


def test_change_disable_enable_and_delete_need_if_match(client: Any, receiver: Any, private_ok: Any) -> None:
    endpoint = create(client, receiver.url).json
    path = f"{API}/{endpoint['id']}"
    assert client.patch(path, json={"enabled": False}).status_code == 428
    etag = client.get(path).headers["ETag"]
    r = client.patch(path, json={"enabled": False, "events": ["run.held"]}, headers={"If-Match": etag})
    assert r.status_code == 200, r.json
    assert (r.json["enabled"], r.json["disabled_reason"], r.json["events"]) == (False, "admin", ["run.held"])
    assert client.patch(path, json={"enabled": True}, headers={"If-Match": etag}).status_code == 412
    etag = client.get(path).headers["ETag"]
    r = client.patch(path, json={"enabled": True}, headers={"If-Match": etag})
    assert (r.json["enabled"], r.json["disabled_reason"]) == (True, None)
    r = client.patch(path, json={"url": "http://localhost:9/x"}, headers={"If-Match": r.headers["ETag"]})
    assert r.status_code == 200  # private_ok: plain http allowed for tests
    assert client.delete(path, headers={"If-Match": client.get(path).headers["ETag"]}).status_code == 204
    assert client.get(path).status_code == 404


def test_ping_delivers_at_once_and_is_logged(client: Any, receiver: Any, private_ok: Any) -> None:
    endpoint = create(client, receiver.url).json
    receiver.secrets.append(endpoint["secret"])
    r = client.post(f"{API}/{endpoint['id']}/test")
    assert r.status_code == 200, r.json
    assert (r.json["event_type"], r.json["status"], r.json["attempts"]) == ("webhook.test", "delivered", 1)
    assert r.json["log"][0]["status_code"] == 200
    [got] = receiver.received
    assert got.verified_with == [0] and got.payload["type"] == "webhook.test"
    log = client.get(f"{API}/{endpoint['id']}/attempts").json
    assert log["total"] == 1 and log["items"][0]["success"] is True


def test_delivery_log_and_redelivery(app: Any, client: Any, receiver: Any, private_ok: Any) -> None:
    endpoint = create(client, receiver.url).json
    receiver.secrets.append(endpoint["secret"])
    receiver.statuses = [500] * 8
    emit_event(app)
    for _ in range(8):
        run_once(private_ok)
        private_ok.clock.advance(hours=11)
    base = f"{API}/{endpoint['id']}"
    failed = client.get(f"{base}/deliveries?status=failed").json
    assert failed["total"] == 1
    delivery = failed["items"][0]
    assert delivery["attempts"] == 8 and delivery["last_status_code"] == 500
    detail = client.get(f"{base}/deliveries/{delivery['id']}").json
    assert [a["status_code"] for a in detail["log"]] == [500] * 8
    assert all(a["response"] == '{"status": 500}' and a["duration_ms"] >= 0 for a in detail["log"])
    assert client.get(f"{base}/attempts?page_size=3").json["total"] == 8

    r = client.post(f"{base}/deliveries/{delivery['id']}/redeliver")
    assert r.status_code == 202 and r.json["status"] == "pending"
    run_once(private_ok)
    assert client.get(f"{base}/deliveries/{delivery['id']}").json["status"] == "delivered"
    assert len(set(receiver.ids())) == 1 and len(receiver.received) == 9

    since = (private_ok.clock.now - timedelta(days=3)).isoformat()
    assert client.post(f"{base}/redeliver", json={"since": since}).json == {"redelivered": 0}
    assert client.post(f"{base}/redeliver", json={}).status_code == 422
    assert client.get(f"{base}/deliveries/999999").status_code == 404
    assert client.get(f"{API}/999999/deliveries").status_code == 404


def test_rotate_adds_a_secret_and_keeps_the_old_one_for_a_while(client: Any, receiver: Any,
                                                                private_ok: Any) -> None:
    endpoint = create(client, receiver.url).json
    r = client.post(f"{API}/{endpoint['id']}/rotate", json={"overlap_hours": 2})
    assert r.status_code == 200, r.json
    assert r.json["secret"].startswith("whsec_") and r.json["secret"] != endpoint["secret"]
    newest, older = r.json["secrets"]
    assert newest["expires_at"] is None and older["expires_at"] is not None
    receiver.secrets += [endpoint["secret"], r.json["secret"]]
    client.post(f"{API}/{endpoint['id']}/test")
    assert receiver.received[-1].verified_with == [0, 1]
    assert client.post(f"{API}/{endpoint['id']}/rotate", json={"overlap_hours": -1}).status_code == 422


def test_redelivery_to_a_disabled_endpoint_is_a_conflict(app: Any, client: Any, receiver: Any,
                                                         private_ok: Any) -> None:
    endpoint = create(client, receiver.url).json
    receiver.statuses = [410]
    emit_event(app)
    run_once(private_ok)
    one = client.get(f"{API}/{endpoint['id']}").json
    assert (one["enabled"], one["disabled_reason"]) == (False, "gone")
    [delivery] = client.get(f"{API}/{endpoint['id']}/deliveries").json["items"]
    r = client.post(f"{API}/{endpoint['id']}/deliveries/{delivery['id']}/redeliver")
    assert r.status_code == 409 and "disabled" in r.json["detail"]


def test_admins_only(client_as: Any) -> None:
    for role in ("screener", "analyst", "editor"):
        assert client_as(role).get(API).status_code == 403
    assert client_as("admin").get(API).status_code == 200
