"""/invoices on void and overdue documents: a void one's total due is 0 (its totals kept),
an overdue one keeps the contract's `approved` status; both within the contract."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.api.helpers import get_page, records


def test_void_documents_ask_for_nothing_and_overdue_stays_approved(
    client: TestClient, engine: Engine
) -> None:
    lines = (("Vehicle management", 3, "4.95"),)
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        void = f.invoice(db, org, status="void", number=21, lines=lines)
        overdue = f.invoice(db, org, number=22, lines=lines, total_paid="5.00")
        overdue.due_date = date.today() - timedelta(days=10)
        secret = f.token(db, org)

    listed = {
        x["invoice_number"]: x for x in records(get_page(client, "invoices", secret), "invoices")
    }

    assert listed[void.invoice_number]["status"] == "void"
    assert listed[void.invoice_number]["total_amount_incl_tax"] == 14.85
    assert listed[void.invoice_number]["total_due_incl_tax"] == 0
    assert listed[overdue.invoice_number]["status"] == "approved"
    assert listed[overdue.invoice_number]["total_due_incl_tax"] == 9.85
    assert sum(x["total_due_incl_tax"] for x in listed.values()) == 9.85
