"""Billing rules: no document that bills nothing payable, and no month billed before it
has ended on the organisation's clock."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.errors import InvalidParameter
from fleetcharge.models import Invoice, InvoiceSession
from tests import factories as f

JUNE = Period(2024, 6)
FREE = [{"price_components": [{"type": "ENERGY", "price": "0.00"}]}]


def test_a_host_used_only_by_its_own_fleet_gets_no_rcti(db: Session) -> None:
    """Its own vans charge at its stations: nothing is collected on its behalf, so no
    $0.00 RCTI; it pays the network fees on its site-host invoice and the charging on
    its fleet invoice."""
    org = f.organisation(db, "Own Depot")
    van = f.vehicle(db, f.fleet(db, org, "Vans"))
    site = f.site(db, org)
    session = f.charge(db, site, f.driver(db, van), datetime(2024, 6, 3, tzinfo=UTC))
    assert session.total_revenue == 0 and session.total_cost > 0

    drafts = draft_invoices(db, JUNE)

    assert sorted(i.kind for i in drafts) == ["fleet", "site_host"]
    assert all(i.total_amount > 0 for i in drafts)
    # Later runs do not try again: nothing to pay out stays nothing.
    assert [i.kind for i in draft_invoices(db, Period(2024, 7))] == ["fleet"]  # the van's fee


def test_a_document_adding_up_to_nothing_is_not_made(db: Session) -> None:
    """Free charging, no fees: neither the fleet nor the host owes anything; the sessions
    stay unbilled until a document of their kind has something payable."""
    payer = f.organisation(db, "Free Rider")
    payer.vehicle_fee = Decimal("0.00")
    van = f.vehicle(db, f.fleet(db, payer))
    host = f.organisation(db, "Free Host")
    host.network_fee_per_kwh = Decimal("0.0000")
    site = f.site(db, host, t=f.tariff(db, FREE))
    f.charge(db, site, f.driver(db, van), datetime(2024, 6, 3, tzinfo=UTC))

    assert draft_invoices(db, JUNE) == []
    assert db.scalar(select(func.count()).select_from(Invoice)) == 0
    assert db.scalar(select(func.count()).select_from(InvoiceSession)) == 0


def test_a_month_not_ended_in_the_billing_time_zone_is_refused(db: Session) -> None:
    perth = f.organisation(db, "Perth Fleet")
    perth.billing_timezone = "Australia/Perth"
    f.vehicle(db, f.fleet(db, perth))
    # 1 July 00:30 in Sydney is still 30 June (22:30) in Perth.
    sydney_new_month = datetime(2024, 6, 30, 14, 30, tzinfo=UTC)

    with pytest.raises(InvalidParameter, match="has not ended for Perth Fleet") as refused:
        draft_invoices(db, JUNE, now=sydney_new_month)
    assert refused.value.parameter == "period"
    assert "2024-07-01 00:00 Australia/Perth" in refused.value.message
    assert db.scalar(select(func.count()).select_from(Invoice)) == 0

    (fleet,) = draft_invoices(db, JUNE, now=datetime(2024, 6, 30, 16, tzinfo=UTC))
    assert fleet.kind == "fleet"


def test_approval_sets_the_issue_and_due_dates_on_the_organisations_terms(db: Session) -> None:
    org = f.organisation(db, "Slow Payer")
    org.payment_terms_days = 0
    f.vehicle(db, f.fleet(db, org))
    draft_invoices(db, JUNE)
    (invoice,) = approve_invoices(db, now=datetime(2024, 7, 9, 15, tzinfo=UTC))  # 10 July AEST
    assert (invoice.invoice_date.isoformat(), invoice.due_date) == (
        "2024-07-10",
        invoice.invoice_date,
    )
