"""Scripted calls checked against the admin OpenAPI document: each response's status is the
one expected and its body validates against the document (schemathesis).

Each resource's test scripts every operation under its path prefix and ends with
`assert_covers(prefix)`; `PREFIXES` lists the prefixes so scripted, and a test insists that
every documented operation falls under one of them.
"""

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from schemathesis import APIOperation
from schemathesis.core.result import Err

from tests.admin.helpers import ADMIN

PREFIXES = (
    "/organisations",
    "/accounts",
    "/api-tokens",
    "/audit-events",
    "/fleets",
    "/vehicles",
    "/cards",
    "/locations",
    "/stations",
    "/imports",
    "/tariffs",
    "/session-reviews",
    "/firmware",
    "/invoices",
    "/webhook-subscriptions",
)


def api_operations(schema: schemathesis.schemas.BaseSchema) -> list[APIOperation]:
    """Every operation of the document (one it cannot read fails the test)."""
    found = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


def operations(schema: schemathesis.schemas.BaseSchema) -> set[tuple[str, str]]:
    return {(o.method.upper(), o.path) for o in api_operations(schema)}


class Script:
    def __init__(self, client: TestClient, schema: schemathesis.schemas.BaseSchema) -> None:
        self.client = client
        self.schema = schema
        self.called: set[tuple[str, str]] = set()

    def call(
        self, method: str, path: str, template: str, status: int, **kwargs: Any
    ) -> dict[str, Any]:
        response = self.client.request(method, f"{ADMIN}{path}", **kwargs)
        assert response.status_code == status, (method, path, response.text)
        self.schema[template][method].validate_response(response)
        self.called.add((method, template))
        if not response.headers.get("content-type", "").startswith("application/json"):
            return {}  # a file (a statement's PDF or CSV)
        return dict(response.json())

    def assert_covers(self, prefix: str) -> None:
        wanted = {(m, p) for m, p in operations(self.schema) if under(p, prefix)}
        assert wanted, f"nothing documented under {prefix}"
        assert wanted <= self.called, f"not scripted: {sorted(wanted - self.called)}"


def under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(f"{prefix}/")
