"""Calling the admin API in tests: the app as served, and accounts of every role."""

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.accounts.service import create_account
from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from fleetcharge.permissions import Actor

ADMIN = "/api/admin/v1"


@dataclass(frozen=True)
class Caller:
    """An account's token, ready to send."""

    role: str
    token: str
    organisation_id: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def account(
    engine: Engine, role: str = "admin", organisation: Organisation | None = None
) -> Caller:
    with unit_of_work(engine) as db:
        org = db.merge(organisation) if organisation is not None else None
        issued = create_account(db, Actor.command_line(), f"{role} account", role, org)
        return Caller(role, issued.secret, org.id if org else None)


def member(db: Session, organisation: Organisation, role: str = "fleet_manager") -> Caller:
    issued = create_account(db, Actor.command_line(), f"{role} member", role, organisation)
    return Caller(role, issued.secret, organisation.id)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    return dict(body["error"])


def all_pages(client: TestClient, caller: Caller, path: str) -> list[dict[str, Any]]:
    """Every record of a list, following `pagination.next`."""
    records: list[dict[str, Any]] = []
    url: str | None = f"{ADMIN}{path}"
    while url:
        body = ok(client.get(url, headers=caller.headers))
        records.extend(body["data"])
        url = body["pagination"].get("next")
    return records
