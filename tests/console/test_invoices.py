"""The organisation's documents in the console: issued ones only, filtered by kind and
status, each with its lines and totals as the Fleets API and the PDF show them."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, update

from fleetcharge.db import unit_of_work
from fleetcharge.models import Invoice, Organisation
from fleetcharge.settings import get_settings
from tests import factories as f
from tests.api.helpers import bearer
from tests.console.conftest import BrowserPage, Console

LINES = (("Vehicle management fee", 3, "4.95"), ("Public charging, 2,468.912 kWh", 1, "1234.57"))


@dataclass(frozen=True)
class Documents:
    home: Organisation
    token: str  # home's Fleets API token
    approved: str  # uuids
    paid: str
    void: str
    draft: str
    site_host: str
    rcti: str
    others: str
    numbers: dict[str, int]  # uuid -> number


@pytest.fixture
def documents(engine: Engine) -> Documents:
    with unit_of_work(engine) as db:
        home, other = f.organisation(db, "Home Fleet"), f.organisation(db, "Other Fleet")
        f.fleet(db, home)
        made = [
            f.invoice(db, home, status="void", invoice_date=date(2026, 7, 31)),
            f.invoice(db, home, invoice_date=date(2026, 8, 31), lines=LINES, total_paid="100.00"),
            f.invoice(db, home, status="paid", invoice_date=date(2026, 9, 30)),
            f.invoice(db, home, status="draft", invoice_date=date(2026, 10, 31)),
        ]
        host = f.invoice(db, home, kind="site_host", invoice_date=date(2026, 9, 30))
        rcti = f.invoice(db, home, kind="rcti", invoice_date=date(2026, 9, 30), accompanies=host)
        theirs = f.invoice(db, other, invoice_date=date(2026, 8, 31))
        every = [*made, host, rcti, theirs]
        void, approved, paid, draft, host_uuid, rcti_uuid, theirs_uuid = (
            str(invoice.uuid) for invoice in every
        )
        numbers = {str(i.uuid): i.invoice_number for i in every if i.invoice_number}
        return Documents(
            home,
            f.token(db, home),
            approved,
            paid,
            void,
            draft,
            host_uuid,
            rcti_uuid,
            theirs_uuid,
            numbers,
        )


@pytest.fixture
def operator_abn(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_ABN", "51 824 753 556")
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_LEGAL_NAME", "Network Operator Pty Ltd")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _listed(page: str) -> list[str]:
    return re.findall(r'<td><a href="/invoices/([0-9a-f-]{36})">', page)


def _cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _shown(amount: Decimal) -> str:
    """An amount as invoices show it, written here independently of the code under test."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def test_the_list_shows_issued_documents_newest_first(
    console: Console, documents: Documents
) -> None:
    console.sign_in("fleet_manager", documents.home)
    page = console.client.get("/invoices")
    assert page.status_code == 200
    # Newest first; never the draft, never the other organisation's.
    assert _listed(page.text) == [
        documents.rcti,
        documents.site_host,
        documents.paid,
        documents.approved,
        documents.void,
    ]
    rows = dict(
        re.findall(r'<tr>\s*<td><a href="/invoices/([0-9a-f-]{36})">(.*?)</tr>', page.text, re.S)
    )
    approved = rows[documents.approved]
    # Total, GST and what is still due after $100 paid.
    assert re.findall(r'<td class="num">([^<]+)</td>', approved) == [
        "$1,249.42",
        "$113.58",
        "$1,149.42",
    ]
    assert "Recipient-created tax invoice" in rows[documents.rcti]
    kinds = console.client.get("/invoices?kind=rcti").text
    assert _listed(kinds) == [documents.rcti]
    assert _listed(console.client.get("/invoices?status=void").text) == [documents.void]
    assert _listed(console.client.get("/invoices?kind=fleet&status=paid").text) == [documents.paid]
    assert console.client.get("/invoices?kind=credit").status_code == 400
    drafts = console.client.get("/invoices?status=draft")
    assert drafts.status_code == 400 and "status must be one of approved, paid, void" in drafts.text


def test_a_document_shows_its_lines_and_totals_as_the_api_and_pdf_do(
    console: Console, documents: Documents
) -> None:
    console.sign_in("read_only", documents.home)  # every member reads its documents
    page = console.client.get(f"/invoices/{documents.approved}")
    assert page.status_code == 200
    api = console.client.get("/api/fleets/v1/invoices", headers=bearer(documents.token)).json()
    (shown,) = [i for i in api["data"]["invoices"] if i["uuid"] == documents.approved]
    totals = dict(re.findall(r'data-total="(\w+)">([^<]+)</td>', page.text))
    assert totals == {
        "total": _shown(_cents(shown["total_amount_incl_tax"])),
        "gst": _shown(_cents(shown["total_tax"])),
        "paid": _shown(_cents(shown["total_paid_incl_tax"])),
        "due": _shown(_cents(shown["total_due_incl_tax"])),
    }
    assert totals == {"total": "$1,249.42", "gst": "$113.58", "paid": "$100.00", "due": "$1,149.42"}
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [
        [unescape(cell) for cell in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    expected = []
    for line in shown["line_items"]:
        amount = _cents(line["amount_incl_tax"])
        # The PDF's GST column: the GST inside each GST-inclusive amount, a eleventh.
        gst = (amount / 11).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        expected.append(
            [
                line["description"],
                str(line["units"]),
                _shown(_cents(line["unit_price_incl_tax"])),
                _shown(amount),
                _shown(gst),
            ]
        )
    assert rows == expected
    assert [row[4] for row in rows] == ["$1.35", "$112.23"]
    assert "Tax invoice" in page.text and "ABN 51 824 753 556" in page.text


def test_drafts_and_other_organisations_documents_are_not_found(
    console: Console, documents: Documents, operator_abn: None
) -> None:
    console.sign_in("fleet_manager", documents.home)
    for uuid in (documents.draft, documents.others):
        assert console.client.get(f"/invoices/{uuid}").status_code == 404
        assert console.client.get(f"/invoices/{uuid}.pdf").status_code == 404
    assert console.client.get(f"/invoices/{documents.rcti}").status_code == 200
    console.sign_in("admin")  # the operator's staff have their billing pages instead
    assert console.client.get("/invoices").status_code == 404


def test_the_pdf_is_the_documents_tax_invoice(
    console: Console, documents: Documents, monkeypatch: pytest.MonkeyPatch
) -> None:
    console.sign_in("fleet_manager", documents.home)
    path = f"/invoices/{documents.approved}.pdf"
    # A tax invoice must show its supplier's ABN: without the operator's, none is made.
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_ABN", "")
    get_settings.cache_clear()
    missing = console.client.get(path)
    assert missing.status_code == 409 and "FLEETCHARGE_OPERATOR_ABN" in missing.text
    monkeypatch.setenv("FLEETCHARGE_OPERATOR_ABN", "51 824 753 556")
    get_settings.cache_clear()
    try:
        pdf = console.client.get(path)
    finally:
        get_settings.cache_clear()
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    number = documents.numbers[documents.approved]
    assert pdf.headers["content-disposition"] == f'attachment; filename="tax-invoice-{number}.pdf"'
    assert f"Tax invoice {number}".encode() in pdf.content  # its title


def test_a_description_with_markup_is_shown_as_text(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        home = f.organisation(db)
        uuid = f.invoice(db, home, description="<script>alert(1)</script>").uuid
    console.sign_in("fleet_manager", home)
    page = console.client.get(f"/invoices/{uuid}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_invoices_in_a_browser(browser: BrowserPage, documents: Documents) -> None:
    browser.console.sign_in("fleet_manager", documents.home)
    browser.open("/invoices")
    browser.screenshot("invoices")
    number = str(documents.numbers[documents.approved])
    browser.page.get_by_role("link", name=number, exact=True).click()
    browser.page.wait_for_url(f"**/invoices/{documents.approved}")
    assert browser.page.locator('[data-total="due"]').inner_text() == "$1,149.42"
    browser.screenshot("invoice")
    browser.assert_no_errors()


def _row(page: str, uuid: str) -> str:
    match = re.search(rf'<tr>\s*<td><a href="/invoices/{uuid}">.*?</tr>', page, re.S)
    assert match is not None
    return match[0]


def test_void_is_nothing_due_and_overdue_is_marked(
    console: Console, engine: Engine, documents: Documents
) -> None:
    with unit_of_work(engine) as db:
        db.execute(
            update(Invoice)
            .where(Invoice.uuid == UUID(documents.approved))
            .values(due_date=date.today() - timedelta(days=1))
        )
    console.sign_in("fleet_manager", documents.home)
    page = console.client.get("/invoices").text

    void = _row(page, documents.void)
    assert re.findall(r'<td class="num">([^<]+)</td>', void)[-1] == "$0.00"
    approved = _row(page, documents.approved)
    assert 'status-overdue">overdue<' in approved
    assert re.findall(r'<td class="num">([^<]+)</td>', approved)[-1] == "$1,149.42"
    assert 'status-paid">paid<' in _row(page, documents.paid)

    shown = console.client.get(f"/invoices/{documents.void}").text
    assert "nothing is due on it" in shown
    assert re.search(r'data-total="due">\$0\.00<', shown)
    assert 'status-overdue">overdue<' in console.client.get(f"/invoices/{documents.approved}").text
