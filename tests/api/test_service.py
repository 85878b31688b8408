"""Health, docs page (offline assets) and the read-your-writes list counter."""

from __future__ import annotations

from service.screening import native
from tests.helpers import create


def test_health(client, backend):
    body = client.get("/health").json
    assert body["status"] == "ok" and body["database"] == backend
    # Which engine answers, as `sanctions engine status` would say.
    assert body["engine"] == ("compiled" if native.ACTIVE else "pure-python")


def test_docs_page_works_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200


def test_list_state_counter_grows_with_each_write(client):
    before = client.get("/health").json["list_version"]
    create(client, "/api/v1/persons", {"name": "Counter Person"})
    after = client.get("/health").json
    assert after["list_version"] == before + 1
    client.get("/api/v1/persons")
    assert client.get("/health").json["list_version"] == before + 1
