"""openapi.yaml is generated from the code, valid, and not stale."""

from __future__ import annotations

import yaml
from click.testing import CliRunner
from openapi_spec_validator import validate

from service.cli import main
from service.config import ROOT


def generated() -> str:
    result = CliRunner().invoke(main, ["openapi"], env={"DATABASE_URL": "sqlite:///:memory:"})
    assert result.exit_code == 0, result.output
    return result.output


def test_committed_openapi_is_current():
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert committed == generated(), "openapi.yaml is stale: run `sanctions openapi -o openapi.yaml`"


def test_openapi_is_valid_and_documented():
    spec = yaml.safe_load(generated())
    validate(spec)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert op.get("summary"), f"{method.upper()} {path} has no summary"
    problem = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert "application/problem+json" in problem


def test_served_spec_matches(client):
    resp = client.get("/openapi.yaml")
    assert resp.status_code == 200
    assert yaml.safe_load(resp.data)["info"]["title"] == "Sanctions and indictment records"
