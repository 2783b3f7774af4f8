"""GET /organisations/{uuid}/statement: billing and admin staff only; CSV and PDF; bad
parameters are 400s naming the parameter."""

import csv
import io
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from tests import factories as f
from tests.admin.helpers import ADMIN, Caller, account, error_of, member


@pytest.fixture
def organisation(engine: Engine) -> str:
    """An organisation with a 9.90 invoice of 30 June 2024."""
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Statement Co")
        f.invoice(db, org)
        return str(org.uuid)


def test_billing_staff_get_csv_and_pdf(
    client: TestClient, engine: Engine, organisation: str
) -> None:
    billing = account(engine, "billing")
    response = client.get(
        f"{ADMIN}/organisations/{organisation}/statement?period=2024-06&format=csv",
        headers=billing.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        "statement-Statement-Co-2024-06-01_2024-06-30.csv"
        in response.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["entry"], r["balance"]) for r in rows] == [
        ("opening", "0.00"),
        ("document", "9.90"),
        ("closing", "9.90"),
    ]
    pdf = client.get(
        f"{ADMIN}/organisations/{organisation}/statement?from=2024-06-01&to=2024-06-30",
        headers=billing.headers,
    )
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Statement Co" in text and "$9.90" in text


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("format=xlsx", "format"),
        ("period=2024-13", "period"),
        ("period=June", "period"),
        ("from=2024-02-30", "from"),
        ("from=2024-03-01&to=2024-02-01", "from"),
        ("period=2024-06&to=2024-06-03", "period"),
        ("from=99999-01-01", "from"),
    ],
)
def test_bad_parameters_are_400s(
    client: TestClient, admin: Caller, organisation: str, query: str, parameter: str
) -> None:
    error = error_of(
        client.get(
            f"{ADMIN}/organisations/{organisation}/statement?{query}", headers=admin.headers
        ),
        400,
    )
    assert error["parameter"] == parameter, error


def test_who_may_read_it(client: TestClient, engine: Engine, organisation: str) -> None:
    path = f"{ADMIN}/organisations/{organisation}/statement?format=csv"
    assert error_of(client.get(path, headers=account(engine, "support").headers), 403)
    with unit_of_work(engine) as db:
        home = db.scalars(select(Organisation).where(Organisation.uuid == UUID(organisation)))
        own = member(db, home.one(), "fleet_manager")
    assert error_of(client.get(path, headers=own.headers), 403)
    assert client.get(path).status_code == 401
    missing = f"{ADMIN}/organisations/00000000-0000-4000-8000-000000000000/statement"
    assert error_of(client.get(missing, headers=account(engine, "admin").headers), 404)
