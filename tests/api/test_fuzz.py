"""Schemathesis against our own OpenAPI, every operation, with a valid, an invalid and no
token: never a 5xx, and every response (status, headers, body) as the document says."""

from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.api.helpers import API, ENDPOINTS, UNLIMITED

EXAMPLES_PER_OPERATION = 30
# What the responses must satisfy. Not checked: that schema-valid requests are accepted (a
# date_from after date_to is a 400 no schema can express) and that unknown query
# parameters are refused (they are ignored, as clients of the published API expect).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _seeded_token(engine: Engine) -> str:
    with unit_of_work(engine) as db:
        owner = f.organisation(db)
        vehicle = f.vehicle(db, f.fleet(db, owner))
        site = f.site(db, owner, timezone="Australia/Adelaide")
        for day in (1, 15, 28):
            stop = datetime(2024, 6, day, 9, 30, tzinfo=UTC)
            session = f.charge(db, site, f.driver(db, vehicle), stop, parked_minutes=20)
        f.invoice(db, owner, vehicles=(vehicle,), sessions=(session,))
        return f.token(db, owner)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_server_errors_and_every_response_as_documented(engine: Engine, endpoint: str) -> None:
    token = _seeded_token(engine)
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", create_app(engine, UNLIMITED))
    operation = schema[f"{API}/{endpoint}"]["GET"]
    seen: dict[int, int] = {}

    valid_and_invalid = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=valid_and_invalid)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        for authorization in (f"Bearer {token}", "Bearer fc_not-a-real-token", None):
            headers = {"Authorization": authorization} if authorization else {}
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code < 500
            if authorization != f"Bearer {token}":
                assert response.status_code == 401
            seen[response.status_code] = seen.get(response.status_code, 0) + 1

    check()
    # The run reached both the 200 and the 400 paths, not only authentication failures.
    assert {200, 400, 401} <= set(seen), seen
