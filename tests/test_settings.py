"""Settings are declared once (service/settings.toml, read by service/config.py), documented from that declaration, and read
from the environment by each app, page sizes included."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service import config, create_app
from service.config import BY_NAME, ROOT, SETTINGS, documented_default, markdown_table
from tests.conftest import authed, make_key
from tests.helpers import create, problem

ROW = re.compile(r"^\| `(?P<name>[A-Z0-9_]+)` \| (?P<default>[^|]*) \| (?P<meaning>.*) \|$")


def readme_table() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Settings (environment variables)\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def test_readme_lists_exactly_the_declared_settings_with_their_defaults():
    rows = [m.groupdict() for line in readme_table()[2:] if (m := ROW.match(line))]
    assert len(rows) == len(readme_table()) - 2, "a README row is not one `NAME` | default | meaning"
    documented = {row["name"]: row["default"] for row in rows}
    assert len(documented) == len(rows), "a setting is listed twice"
    assert set(documented) == set(BY_NAME), "README and service/config.py list different settings"
    for setting in SETTINGS:
        assert documented[setting.name] == documented_default(setting), setting.name


def test_a_declaration_is_read_with_its_type_and_places():
    jobs = config._declared({"name": "X_DIR", "type": "str", "default": "{instance}/x", "meaning": "m"})
    assert jobs.default == str(ROOT / "instance" / "x")
    assert documented_default(jobs) == "`instance/x` (in the repository)"
    share = config._declared({"name": "X", "type": "float", "default": 2, "meaning": "m", "scope": "dev"})
    assert share.default == 2.0 and isinstance(share.default, float) and share.scope == "dev"
    assert config._declared({"name": "X", "type": "str", "meaning": "m"}).default is None


@pytest.mark.parametrize("entry", [
    {"name": "X", "type": "int", "default": "5", "meaning": "m"},  # a default of another type
    {"name": "X", "type": "list", "default": [], "meaning": "m"},  # no such type
    {"name": "X", "type": "int", "default": 5},  # no meaning
    {"name": "X", "type": "int", "default": 5, "meaning": "m", "scope": "global"},
    {"name": "X", "type": "int", "default": 5, "meaning": "m", "deafult": 6},  # a misspelt key
])
def test_a_malformed_declaration_stops_the_service_at_import(entry):
    with pytest.raises(RuntimeError, match="settings.toml: .*X"):
        config._declared(entry)


def test_readme_table_is_the_declaration():
    assert "\n".join(readme_table()) == markdown_table(), (
        "README's settings table differs from service/config.py: paste the output of\n"
        "python -c 'from service.config import markdown_table; print(markdown_table())'"
    )


def test_every_app_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    samples = {str: "x", int: "7", float: "2.5", bool: "false"}
    for setting in SETTINGS:
        if setting.scope == "app" and setting.name not in ("DATABASE_URL", "SANCTIONS_JOB_BACKEND"):
            monkeypatch.setenv(setting.name, samples[setting.kind])
    monkeypatch.setenv("DEFAULT_PAGE_SIZE", "3")
    monkeypatch.setenv("SANCTIONS_JOB_BACKEND", "celery")
    loaded = config.load()
    assert loaded["JOB_THREADS"] == 7 and loaded["JOB_STALE_SECONDS"] == 2.5
    assert loaded["JOB_RECOVERY"] is False and loaded["RATE_LIMIT"] == "x"
    assert loaded["DEFAULT_PAGE_SIZE"] == 3 and loaded["SANCTIONS_JOB_BACKEND"] == "celery"
    # The mapping passed in wins over the environment.
    assert config.load({"JOB_THREADS": 1})["JOB_THREADS"] == 1
    # Only the app's settings are in its config; the others act outside any app.
    assert not {s.name for s in SETTINGS if s.scope != "app"} & set(loaded)


@pytest.mark.parametrize(("name", "raw"), [("JOB_THREADS", "two"), ("SANCTIONS_JOB_BACKEND", "cron"),
                                           ("MAX_PAGE_SIZE", "0")])
def test_bad_values_stop_start_up(monkeypatch: pytest.MonkeyPatch, name: str, raw: str):
    monkeypatch.setenv(name, raw)
    with pytest.raises(SystemExit, match=name):
        config.load()


def test_process_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any):
    monkeypatch.delenv("SANCTIONS_PURE_PYTHON", raising=False)
    assert config.pure_python_forced() is False
    monkeypatch.setenv("SANCTIONS_PURE_PYTHON", "1")
    assert config.pure_python_forced() is True
    monkeypatch.setenv("SANCTIONS_DATA_DIR", str(tmp_path))
    assert config.data_dir() == tmp_path.resolve()


def _page_size_doc(client: Any) -> dict[str, Any]:
    spec = client.get("/openapi.json").json
    params = spec["paths"]["/api/v1/persons"]["get"]["parameters"]
    return next(p for p in params if p["name"] == "page_size")


def test_page_sizes_from_the_environment_take_effect(database_url: str, tmp_path: Any,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEFAULT_PAGE_SIZE", "2")
    monkeypatch.setenv("MAX_PAGE_SIZE", "3")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "JOB_DIR": str(tmp_path)})
    client = authed(app.test_client(), make_key(app, "admin"))
    for i in range(4):
        create(client, "/api/v1/persons", {"name": f"Paged Person {i}"})

    first = client.get("/api/v1/persons").json
    assert (first["page_size"], len(first["items"]), first["pages"]) == (2, 2, 2)
    assert len(client.get("/api/v1/persons?page_size=3").json["items"]) == 3
    err = problem(client.get("/api/v1/persons?page_size=4"), 422)
    assert err["errors"]["query"]["page_size"] == ["Must be greater than or equal to 1 and less than or equal to 3."]
    problem(client.get("/api/v1/screening-jobs?page_size=4"), 422)
    assert client.get("/api/v1/screening-jobs").json["page_size"] == 2

    # The app's OpenAPI document states the same limits.
    doc = _page_size_doc(client)
    assert doc["schema"]["default"] == 2 and doc["schema"]["maximum"] == 3
    assert doc["description"] == "Items per page, at most 3."


def test_default_page_sizes(client: Any):
    body = client.get("/api/v1/persons").json
    assert body["page_size"] == BY_NAME["DEFAULT_PAGE_SIZE"].default
    cap = BY_NAME["MAX_PAGE_SIZE"].default
    assert client.get(f"/api/v1/persons?page_size={cap}").status_code == 200
    problem(client.get(f"/api/v1/persons?page_size={cap + 1}"), 422)
