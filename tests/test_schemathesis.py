"""Property-based tests of the whole API from its own OpenAPI document (schemathesis): no
5xx for any generated input, and every response matches its documented schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import missing_required_header, positive_data_acceptance

from tests.conftest import make_key

pytestmark = pytest.mark.slow


@pytest.fixture()
def api_schema(app: Any, seeded: Any) -> Any:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    # The admin key is sent with every request below; schemathesis must not also generate (or
    # deliberately drop) the Authorization header, or a "missing header" case gets the key.
    schema.config.generation.update(with_security_parameters=False)
    return schema


@pytest.fixture()
def admin_headers(app: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(app, 'admin')}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case: Any, admin_headers: dict[str, str]) -> None:
    # Excluded: positive_data_acceptance, because valid-by-schema input may still be refused
    # for domain reasons (an id that does not exist, a duplicate list reference) with a 4xx;
    # missing_required_header, because a missing If-Match is answered 428 Precondition
    # Required (RFC 6585), which that check does not list. Every other check runs.
    case.call_and_validate(headers=admin_headers,
                           excluded_checks=[positive_data_acceptance, missing_required_header])
