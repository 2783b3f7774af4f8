"""Schemathesis against the admin API's own OpenAPI document, every operation, with a valid
admin token, a Fleets API token, an unknown admin token and none: never a 5xx, every
response (status, content type, headers, body) as the document says, and every request
without a valid admin token refused with 401 before anything else is looked at."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from fleetcharge.accounts.service import create_account
from fleetcharge.auth.service import issue_token
from fleetcharge.db import unit_of_work
from fleetcharge.permissions import Actor
from fleetcharge.web.app import create_app
from tests import factories as f
from tests.admin.documented import api_operations
from tests.admin.helpers import ADMIN, account
from tests.api.helpers import UNLIMITED
from tests.webhooks.factories import subscription

EXAMPLES_PER_OPERATION = 12
# Not checked: that schema-valid requests are accepted (an unknown organisation uuid is a
# 404 no schema can express) and that unknown query parameters are refused (ignored).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
Seen = tuple[str, str, int]  # operation, which token, status


@dataclass(frozen=True)
class Seeded:
    """Objects that exist, by the first segment of the paths naming them."""

    uuids: dict[str, str]

    def into(self, case: schemathesis.Case) -> schemathesis.Case:
        """The case, aimed at an object that exists (the generated uuids never do)."""
        resource = case.operation.path.strip("/").split("/")[0]
        if case.path_parameters and "uuid" in case.path_parameters:
            case.path_parameters = {**case.path_parameters, "uuid": self.uuids[resource]}
        if isinstance(case.body, dict) and "organisation_uuid" in case.body:
            case.body = {**case.body, "organisation_uuid": self.uuids["organisations"]}
        return case


def seed(engine: Engine) -> tuple[Seeded, str]:
    """Objects to aim at, and a Fleets API token."""
    with unit_of_work(engine) as db:
        organisation = f.organisation(db, "Seeded")
        token = issue_token(db, organisation)
        other = create_account(db, Actor.command_line(), "to revoke", "support")
        fleet = f.fleet(db, organisation)
        vehicle = f.vehicle(db, fleet)
        site = f.site(db, organisation)
        uuids = {
            "organisations": str(organisation.uuid),
            "fleets": str(fleet.uuid),
            "vehicles": str(vehicle.uuid),
            "cards": str(vehicle.cards[0].uuid),
            "locations": str(site.location.uuid),
            "stations": str(site.station.uuid),
            "tariffs": str(site.tariff.uuid),
            "api-tokens": str(token.token.uuid),
            "accounts": str(other.token.account.uuid),
            "session-reviews": str(f.held_review(db, organisation).uuid),
            "firmware": str(f.firmware_file(db).uuid),
            "webhook-subscriptions": str(subscription(db, organisation)[0].uuid),
        }
        return Seeded(uuids), token.secret


def fuzz(
    operation: APIOperation,
    seeded: Seeded,
    authorizations: dict[str, str | None],
    seen: Counter[Seen],
) -> None:
    """Generated requests (valid, invalid, the document's examples, and aimed at existing
    objects) against one operation, each sent with every token."""
    name = f"{operation.method.upper()} {operation.path}"
    generated = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    examples = [example.map(seeded.into) for example in operation.get_strategies_from_examples()]
    cases = st.one_of(generated, generated.map(seeded.into), *examples)

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        for who, authorization in authorizations.items():
            headers: dict[str, Any] = {
                k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"
            }
            if authorization is not None:
                headers["Authorization"] = authorization
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            # Negative cases may drop the Authorization header altogether.
            sent = response.request.headers.get("Authorization")
            if who != "valid" or sent is None:
                assert response.status_code == 401, (
                    name,
                    who,
                    response.text,
                    response.request.url,
                    response.request.method,
                )
            seen[(name, who if sent else "none", response.status_code)] += 1

    check()


def test_no_server_errors_and_every_response_as_documented(engine: Engine) -> None:
    seeded, fleets_token = seed(engine)
    admin = account(engine, "admin")
    schema = schemathesis.openapi.from_asgi(f"{ADMIN}/openapi.json", create_app(engine, UNLIMITED))
    authorizations = {
        "valid": f"Bearer {admin.token}",
        "fleets api token": f"Bearer {fleets_token}",
        "unknown": "Bearer fca_" + "x" * 43,
        "none": None,
    }
    seen: Counter[Seen] = Counter()
    for operation in api_operations(schema):
        fuzz(operation, seeded, authorizations, seen)
    operations = {operation for operation, _, _ in seen}
    assert len(operations) == len(list(schema.get_all_operations()))
    # The valid token reached successes, refusals of bad input and missing objects (each
    # operation's success is checked deterministically in test_openapi).
    statuses = {status for _, who, status in seen if who == "valid"}
    assert {200, 201, 400, 404} <= statuses, seen
