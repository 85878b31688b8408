"""Bad input always gets problem+json and never changes the database."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote

import pytest

from service.config import ROOT
from tests.helpers import problem


def test_malformed_json(client):
    body = problem(client.post("/api/v1/persons", data="{not json", content_type="application/json"), 400)
    assert "JSON" in body["detail"]
    assert client.get("/api/v1/persons").json["total"] == 0


def test_wrong_content_type(client):
    problem(client.post("/api/v1/persons", data="name=x", content_type="application/x-www-form-urlencoded"), 415)
    problem(client.post("/api/v1/persons", data="<p/>", content_type="text/xml"), 415)
    assert client.get("/api/v1/persons").json["total"] == 0


def test_oversized_body(client, app):
    huge = '{"name": "' + "x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + '"}'
    problem(client.post("/api/v1/persons", data=huge, content_type="application/json"), 413)


def test_unknown_route_and_method(client):
    problem(client.get("/api/v1/nothing-here"), 404)
    resp = client.delete("/api/v1/persons")
    problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_invalid_utf8_and_nul_bytes(client):
    problem(client.post("/api/v1/persons", data=b'{"name": "\xff\xfe"}', content_type="application/json"), 400)
    err = problem(client.post("/api/v1/persons", json={"name": "a\x00b", "names": [{"name": "c\x00"}]}), 422)
    assert set(err["errors"]) == {"name", "names"}
    assert client.get("/api/v1/persons").json["total"] == 0


def test_wrong_json_types(client):
    err = problem(client.post("/api/v1/persons", json={"name": 5, "names": "x", "properties": []}), 422)
    assert set(err["errors"]) == {"name", "names", "properties"}
    problem(client.post("/api/v1/designations", json={"entity_id": "abc", "authority": "OFAC"}), 422)


def test_domain_errors_load_no_flask():
    """records/, jobs/ and a future UI share service.errors; it knows nothing of HTTP responses."""
    code = ("import sys, service.errors, service.config, service.permissions; "
            "assert 'flask' not in sys.modules, sorted(m for m in sys.modules if 'flask' in m)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# Numbers in a query string as Python's int() and float() take them but the OpenAPI types do
# not: surrounding whitespace (a vertical tab, as schemathesis sent), underscores, other
# scripts' digits, a leading plus; and the same values written plainly, which still work.
@pytest.mark.parametrize(("path", "bad", "good"), [
    ("/api/v1/monitoring/alerts?entity_id={}", ["9\x0b", " 9", "9\n", "1_0", "\uff19", "+9", "9.0", ""], ["9", "-9"]),
    ("/api/v1/persons?page={}", ["1 ", "\u0661", "0x1"], ["1", "01"]),
    ("/api/v1/screening-jobs?page_size={}", ["5\t", "5_0"], ["5"]),
    ("/api/v1/search?q=wei&min_score={}", ["0.5\x0b", " 0.5", "0_5", "nan", "inf", "1e", "."], ["0.5", ".5", "1", "5e-1"]),
])
def test_numbers_in_a_query_string_are_plain_text_numbers(client, path, bad, good):
    for value in bad:
        err = problem(client.get(path.format(quote(value))), 422)
        assert err["errors"], value
    for value in good:
        resp = client.get(path.format(quote(value)))
        assert resp.status_code == 200, (value, resp.get_data(as_text=True)[:300])


def test_numbers_in_a_json_body_are_checked_alike(client):
    err = problem(client.post("/api/v1/screen", json={"name": "Wei", "threshold": "0.5\x0b"}), 422)
    assert "threshold" in err["errors"]
    problem(client.post("/api/v1/screen", json={"name": "Wei", "limit": " 5"}), 422)
    assert client.post("/api/v1/screen", json={"name": "Wei", "threshold": 0.5, "limit": 5}).status_code == 200
