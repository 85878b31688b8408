"""Small helpers for API tests."""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"


def create(client: Any, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    resp = client.post(path, json=body)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.json  # type: ignore[no-any-return]


def etag_of(client: Any, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.headers["ETag"]


def problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == PROBLEM
    body = resp.json
    assert body["status"] == status and body["title"] and body["type"]
    return body  # type: ignore[no-any-return]
