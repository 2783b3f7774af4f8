"""Billing in the console: run a month as drafts, review, approve one or all, PDFs."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, ChargeSession, Invoice
from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.settings import get_settings
from tests import factories
from tests.console.conftest import BrowserPage, Console
from tests.console.operator import field_error, forged, location, send, text_of

OCTOBER = "2026-10"


@pytest.fixture
def operator_abn(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The operator's ABN, which its tax invoices (PDFs) must show."""
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_ABN", "51 824 753 556")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _network(engine: Engine) -> tuple[str, str, Decimal]:
    """A fleet operator charging in October 2026 at another organisation's site: its
    token, its name, and its fleet invoice's total worked out from the sessions."""
    with unit_of_work(engine) as db:
        acme = factories.organisation(db, "Acme <Logistics>")
        acme.vehicle_fee = Decimal("5.50")
        vans = factories.fleet(db, acme, "Vans")
        first, second = factories.vehicle(db, vans), factories.vehicle(db, vans)
        host = factories.organisation(db, "Coastline")
        site = factories.site(db, host)
        for day, kwh, car in ((3, "12.345", first), (17, "40.000", second), (30, "7.5", first)):
            stop = datetime(2026, 10, day, 4, 0, tzinfo=UTC)
            factories.charge(db, site, factories.driver(db, car), stop, kwh=kwh)
        november = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
        factories.charge(db, site, factories.driver(db, first), november, kwh="9")
        charging = db.scalar(
            select(func.sum(ChargeSession.cost_to_driver)).where(
                ChargeSession.payer_organisation_id == acme.id,
                ChargeSession.stop_date_time < datetime(2026, 10, 31, 13, 0, tzinfo=UTC),
            )
        )
        assert charging is not None and charging > 0
        token = factories.token(db, acme)
        return token, acme.name, charging + 2 * Decimal("5.50")


def _invoices(engine: Engine) -> list[tuple[int, str, Decimal, int | None]]:
    with unit_of_work(engine) as db:
        rows = db.execute(
            select(
                Invoice.organisation_id, Invoice.status, Invoice.total_amount, Invoice.id
            ).order_by(Invoice.id)
        ).all()
        return [(o, str(s), t, i) for o, s, t, i in rows]


def _fleets_api_invoices(console: Console, token: str) -> list[dict[str, object]]:
    response = console.client.get(
        "/api/fleets/v1/invoices", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    invoices: list[dict[str, object]] = response.json()["data"]["invoices"]
    return invoices


def test_a_month_is_run_reviewed_and_approved(
    console: Console, engine: Engine, operator_abn: None
) -> None:
    token, name, expected = _network(engine)
    console.sign_in("billing")
    assert "No drafts for October 2026" in console.client.get(f"/billing?period={OCTOBER}").text
    assert forged(console, "/billing/run", {"period": OCTOBER}).status_code == 403
    bad = send(console, "/billing/run", {"period": "2026-13"})
    assert bad.status_code == 400 and "2026-13" in field_error(bad.text, "period")
    assert _invoices(engine) == []

    month = console.client.get(location(send(console, "/billing/run", {"period": OCTOBER})))
    drafted = _invoices(engine)
    assert drafted and {status for _, status, _, _ in drafted} == {"draft"}
    assert f"{len(drafted)} document" in month.text and f"drafted for {OCTOBER}" in month.text
    # The fleet's draft shows the total the sessions and vehicle fees make, to the cent.
    row = re.search(
        r"<td>Acme &lt;Logistics&gt;</td>\s*<td>fleet</td>.*?data-amount=\"([^\"]+)\"",
        month.text,
        re.S,
    )
    assert row is not None and Decimal(row.group(1)) == expected
    assert f"${expected:,.2f}" in month.text
    assert _fleets_api_invoices(console, token) == []  # drafts are never on the API

    again = console.client.get(location(send(console, "/billing/run", {"period": OCTOBER})))
    assert f"Nothing new to draft for {OCTOBER}" in again.text
    assert _invoices(engine) == drafted

    with unit_of_work(engine) as db:
        fleet_draft = db.scalars(
            select(Invoice).where(Invoice.kind == "fleet", Invoice.total_amount == expected)
        ).one()
    review = console.client.get(f"/billing/invoices/{fleet_draft.uuid}")
    words = text_of(review.text)
    assert "Vans - Fees for vehicle management" in words
    assert f"Total (incl. GST) ${expected:,.2f}" in words
    assert "Sessions billed 3" in words and "Vehicles billed 2" in words
    assert console.client.get(f"/billing/invoices/{fleet_draft.uuid}/pdf").status_code == 409

    console.sign_in("support")  # does not bill
    assert console.client.get(f"/billing?period={OCTOBER}").status_code == 403
    assert send(console, "/billing/approve", {"period": OCTOBER}).status_code == 403
    assert send(console, f"/billing/invoices/{fleet_draft.uuid}/approve").status_code == 403

    console.sign_in("billing")
    approved = console.client.get(
        location(send(console, f"/billing/invoices/{fleet_draft.uuid}/approve"))
    )
    assert "approved" in approved.text and "Download PDF" in approved.text
    (issued,) = _fleets_api_invoices(console, token)
    assert Decimal(str(issued["total_amount_incl_tax"])) == expected
    assert issued["reference"] == name

    rest = location(send(console, "/billing/approve", {"period": OCTOBER}))
    assert f"count={len(drafted) - 1}" in rest
    assert {status for _, status, _, _ in _invoices(engine)} == {InvoiceStatus.APPROVED}
    pdf = console.client.get(f"/billing/invoices/{fleet_draft.uuid}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert location(send(console, "/billing/run", {"period": OCTOBER})).endswith("count=0")
    assert [total for _, _, total, _ in _invoices(engine)] == [t for _, _, t, _ in drafted]
    with unit_of_work(engine) as db:
        events = db.execute(
            select(AuditEvent.action, AuditEvent.actor_role).where(AuditEvent.resource == "invoice")
        ).all()
        assert sorted(set(events)) == [("approve", "billing"), ("draft", "billing")]
        assert len(events) == 2 * len(drafted)


def test_bad_months_and_documents(console: Console, engine: Engine) -> None:
    console.sign_in("admin")
    assert console.client.get("/billing?period=October").status_code == 400
    assert console.client.get("/billing?period=2026-10&count=x").status_code == 400
    assert console.client.get("/billing").status_code == 200  # the last completed month
    missing = "00000000-0000-4000-8000-000000000000"
    assert console.client.get(f"/billing/invoices/{missing}").status_code == 404
    assert send(console, "/billing/approve", {"period": "soon"}).status_code == 400
    with unit_of_work(engine) as db:
        factories.organisation(db, "Still Open")
    running = datetime.now(ZoneInfo("Australia/Sydney")).strftime("%Y-%m")  # its zone
    refused = send(console, "/billing/run", {"period": running})
    assert refused.status_code == 400
    assert f"billing period {running} has not ended for Still Open" in field_error(
        refused.text, "period"
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_running_and_approving_a_month_in_a_browser(
    browser: BrowserPage, console: Console, engine: Engine
) -> None:
    _network(engine)
    console.sign_in("admin")
    page = browser.page
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations
    browser.open(f"/billing?period={OCTOBER}")
    page.get_by_role("button", name="Run as drafts").click()
    page.wait_for_url("**done=run**")
    assert "drafted for 2026-10" in page.locator(".notice").inner_text()
    browser.screenshot("drafts")
    page.get_by_role("link", name=re.compile("Review Acme")).click()
    page.wait_for_url("**/billing/invoices/**")
    browser.screenshot("draft")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**done=approved")
    assert page.get_by_role("link", name="Download PDF").is_visible()
    browser.assert_no_errors()
