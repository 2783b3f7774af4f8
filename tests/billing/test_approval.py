from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.db import unit_of_work
from fleetcharge.errors import Conflict
from fleetcharge.models import Invoice, InvoiceNumberCounter, Organisation
from tests import factories as f

SYDNEY = ZoneInfo("Australia/Sydney")


def two_organisations_charging(db: Session) -> None:
    """Two organisations that each run a fleet and host a station, charging in June and July."""
    for name in ("Alpha", "Beta"):
        org = f.organisation(db, name)
        vehicle = f.vehicle(db, f.fleet(db, org, f"{name} fleet"))
        site = f.site(db, org)
        for month in (6, 7):
            stop = datetime(2024, month, 15, 12, tzinfo=SYDNEY)
            f.charge(db, site, f.driver(db, vehicle), stop, kwh="10.000")
            f.charge(db, site, f.driver(db, None), stop, kwh="10.000")


def test_approval_numbers_are_gapless_and_follow_date_organisation_kind(db: Session) -> None:
    two_organisations_charging(db)
    beta = db.scalars(select(Organisation).where(Organisation.name == "Beta")).one()
    # Drafted out of order on purpose: numbering must not follow creation order.
    drafts = draft_invoices(db, Period(2024, 6), organisation_ids=[beta.id])
    drafts += draft_invoices(db, Period(2024, 6))
    drafts += draft_invoices(db, Period(2024, 7))
    assert all(invoice.invoice_number is None for invoice in drafts)

    order = sorted(drafts, key=lambda i: (i.invoice_date, i.organisation_id, i.kind))
    approved = approve_invoices(db, now=datetime(2024, 8, 5, 13, 30, tzinfo=UTC))

    assert approved == order
    # Issued on the approval date in each organisation's zone, due on its terms.
    assert {(i.invoice_date, i.due_date) for i in approved} == {
        (date(2024, 8, 5), date(2024, 8, 19))
    }
    assert approved[0].organisation_id != beta.id
    assert [i.invoice_number for i in approved] == list(range(10000001, 10000001 + 12))
    assert {i.status for i in approved} == {"approved"}
    assert all(i.approved_at is not None for i in approved)
    assert approve_invoices(db) == []

    (august,) = draft_invoices(db, Period(2024, 8), organisation_ids=[beta.id])
    assert [i.invoice_number for i in approve_invoices(db, [august.id])] == [10000013]


def test_approving_some_drafts_leaves_the_others_unnumbered(db: Session) -> None:
    two_organisations_charging(db)
    drafts = draft_invoices(db, Period(2024, 6))
    chosen = [drafts[3], drafts[1]]

    approved = approve_invoices(db, [invoice.id for invoice in chosen])

    assert approved == [drafts[1], drafts[3]]  # drafts come ordered by organisation, kind
    assert [i.invoice_number for i in approved] == [10000001, 10000002]
    rest = [i for i in drafts if i not in chosen]
    assert {(i.status, i.invoice_number) for i in rest} == {("draft", None)}


def test_approving_a_non_draft_is_refused_and_numbers_nothing(db: Session) -> None:
    two_organisations_charging(db)
    first, second, *_ = draft_invoices(db, Period(2024, 6))
    approve_invoices(db, [first.id])

    with pytest.raises(Conflict):
        approve_invoices(db, [second.id, first.id])
    with pytest.raises(Conflict):
        approve_invoices(db, [999_999])

    assert (second.status, second.invoice_number) == ("draft", None)
    assert db.scalars(select(InvoiceNumberCounter.next_number)).one() == 10000002


def test_a_rolled_back_approval_gives_its_numbers_back(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        two_organisations_charging(db)
        draft_invoices(db, Period(2024, 6))

    with pytest.raises(RuntimeError), unit_of_work(engine) as db:
        approve_invoices(db)
        raise RuntimeError("the caller's transaction fails after approval")

    with unit_of_work(engine) as db:
        numbers = [i.invoice_number for i in approve_invoices(db)]
    assert numbers == list(range(10000001, 10000007))
    with unit_of_work(engine) as db:
        stored = db.scalars(
            select(Invoice.invoice_number).join(Organisation).order_by(Invoice.invoice_number)
        ).all()
        assert stored == numbers
