"""The PDF as a bill one sends, read back: parties with addresses and contacts, due date
and terms, purchase order, how to pay with a checked reference, the itemised appendix
adding up to the lines on numbered pages, and void and replaced documents."""

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.appendix import Appendix, AppendixGroup, AppendixRow
from fleetcharge.billing.documents import (
    DocumentLine,
    Party,
    PaymentAccount,
    TaxDocument,
    tax_document,
)
from fleetcharge.billing.payment_reference import is_valid_reference, payment_reference
from fleetcharge.billing.payments import void_invoice
from fleetcharge.billing.pdf import render_pdf
from fleetcharge.models import Invoice, Organisation
from tests import factories as f

OPERATOR = Party(
    "Fleetcharge Networks Pty Ltd",
    "51824753556",
    "Level 3, 10 Spring Street\\nSydney NSW 2000",
    ("Phone 02 9000 0000", "accounts@fleetcharge.example"),
    PaymentAccount("Fleetcharge Networks", "062-000", "1234 5678", "98765"),
)
EXPENSIVE = [{"price_components": [{"type": "ENERGY", "price": "9.90"}]}]
APPROVED_AT = datetime(2024, 7, 2, 23, tzinfo=UTC)  # 3 July in Sydney


def pages_of(document: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(document)).pages]


def fleet_invoice(db: Session) -> Invoice:
    """Cybertron's June: two vans charging at Energon's station, 30-day terms."""
    payer = f.organisation(db, "Cybertron")
    payer.abn = "33051775556"
    payer.legal_name = "Cybertron Logistics Pty Ltd"
    payer.address = "1 Autobot Way\nIron Hills WA 6000"
    payer.contact_name = "Accounts Payable"
    payer.purchase_order = "PO-4471"
    payer.payment_terms_days = 30
    fleet = f.fleet(db, payer, "Autobots")
    vans = [f.vehicle(db, fleet), f.vehicle(db, fleet)]
    site = f.site(db, f.organisation(db, "Energon Sites"), t=f.tariff(db, EXPENSIVE))
    for day, van, kwh in ((3, 0, "1234.567"), (4, 1, "10.000"), (5, 0, "2.500")):
        f.charge(db, site, f.driver(db, vans[van]), datetime(2024, 6, day, tzinfo=UTC), kwh=kwh)
    draft_invoices(db, Period(2024, 6))
    approved = approve_invoices(db, now=APPROVED_AT)
    return next(i for i in approved if i.kind == "fleet")


def test_a_fleet_invoice_is_a_complete_bill(db: Session) -> None:
    invoice = fleet_invoice(db)
    assert invoice.invoice_number is not None
    reference = payment_reference(invoice.invoice_number)
    assert is_valid_reference(reference)

    first, *_appendix = pages_of(render_pdf(tax_document(db, invoice, OPERATOR)))

    for expected in (
        # What the ATO requires of a tax invoice.
        "Tax invoice",
        f"Number {invoice.invoice_number}",
        "Date of issue 3 July 2024",
        "Fleetcharge Networks Pty Ltd",
        "ABN 51 824 753 556",
        "Cybertron Logistics Pty Ltd",
        "ABN 33 051 775 556",
        "Autobots - Fees for public charging from 2024-06-01 to 2024-06-30 - Charge volume:"
        " 1,247.07kWh",
        "GST included in total",
        "taxable supplies at 10% GST",
        # What makes it a bill.
        "Due date 2 August 2024",
        "Payment terms 30 days from the date of issue",
        "Period 1 June 2024 to 30 June 2024",
        "Your reference Purchase order PO-4471",
        f"Payment reference {reference}",
        "Level 3, 10 Spring Street 1 Autobot Way",  # the two address columns
        "Sydney NSW 2000 Iron Hills WA 6000",
        "Attention Accounts Payable",
        "accounts@fleetcharge.example",
        "BSB 062-000, account number 1234 5678",
        "BPAY: biller code 98765, reference " + reference,
        "Please pay by 2 August 2024 and quote reference " + reference,
        "$12,345.96",  # 1,247.067 kWh at $9.90, thousands separated
        "Charge sessions billed: 3, itemised in the appendix",
    ):
        assert expected in first, expected
    assert "VOID" not in first


def test_the_appendix_adds_up_to_the_charging_lines(db: Session) -> None:
    invoice = fleet_invoice(db)
    charging = sum(
        (li.amount for li in invoice.line_items if "public charging" in li.description),
        Decimal(0),
    )

    pages = pages_of(render_pdf(tax_document(db, invoice, OPERATOR)))
    appendix = " ".join(pages[1:])

    assert "Appendix: Charge sessions by vehicle" in appendix
    assert "03/06/2024" in appendix and "1,234.567 $12,222.21" in appendix
    subtotals = re.findall(r"Subtotal (\d+) sessions ([\d,.]+) \$([\d,.]+)", appendix)
    assert [count for count, _, _ in subtotals] == ["2", "1"]
    total = re.search(r"Total 3 sessions ([\d,.]+) \$([\d,.]+)", appendix)
    assert total is not None and total[1] == "1,247.067"
    assert Decimal(total[2].replace(",", "")) == charging
    assert sum(Decimal(s.replace(",", "")) for _, _, s in subtotals) == charging


def test_void_and_replacement_documents(db: Session) -> None:
    voided = fleet_invoice(db)
    void_invoice(db, voided)
    (replacement,) = [i for i in draft_invoices(db, Period(2024, 6)) if i.kind == "fleet"]
    approve_invoices(db, [replacement.id], now=APPROVED_AT)

    void_pages = pages_of(render_pdf(tax_document(db, voided, OPERATOR)))
    void_text = " ".join(void_pages)
    assert all("VOID" in page for page in void_pages)  # the watermark, on every page
    assert "nothing is due on it" in void_text
    assert f"Total (GST inclusive) {_shown(voided.total_amount)}" in void_text
    assert "Amount due $0.00" in void_text
    assert "How to pay" not in void_text and "Payment reference" not in void_text
    assert f"Replaced by tax invoice {replacement.invoice_number}." in void_text

    text = " ".join(pages_of(render_pdf(tax_document(db, replacement, OPERATOR))))
    assert f"Replaces tax invoice {voided.invoice_number}, which is void." in text
    assert f"Amount due {_shown(replacement.total_amount)}" in text
    assert "VOID" not in text


def test_the_operator_without_payment_details_prints_no_instructions(db: Session) -> None:
    invoice = fleet_invoice(db)
    plain = Party("Fleetcharge Networks Pty Ltd", "51824753556")
    text = " ".join(pages_of(render_pdf(tax_document(db, invoice, plain))))
    assert "How to pay" not in text and "Payment reference" not in text
    db.get_one(Organisation, invoice.organisation_id).legal_name = None
    text = " ".join(pages_of(render_pdf(tax_document(db, invoice, plain))))
    assert (
        "Cybertron Logistics" not in text and "Fleetcharge Networks Pty Ltd Cybertron ABN" in text
    )


def test_a_long_appendix_runs_over_numbered_pages() -> None:
    """Pure rendering: 400 sessions over 3 vehicles."""
    rows = [
        AppendixRow(
            date(2024, 6, 1 + n % 30), f"Location {n % 7}", Decimal("12.345"), Decimal("1.10")
        )
        for n in range(400)
    ]
    groups = tuple(
        AppendixGroup(f"Vans - VAN{v} (VIN 1N6AA0CA7AN31271{v})", tuple(rows[v::3]))
        for v in range(3)
    )
    document = TaxDocument(
        title="Tax invoice",
        number=10000042,
        issue_date=date(2024, 7, 3),
        period_start=date(2024, 6, 1),
        period_end=date(2024, 6, 30),
        status="approved",
        supplier=OPERATOR,
        recipient=Party("Cybertron", None),
        description=None,
        lines=(
            DocumentLine(
                "Vans - public charging", 1, Decimal("440.00"), Decimal("440.00"), Decimal("40.00")
            ),
        ),
        currency="AUD",
        total=Decimal("440.00"),
        gst=Decimal("40.00"),
        paid=Decimal("0.00"),
        sessions=400,
        statements=(),
        appendix=Appendix("Charge sessions by vehicle", groups),
    )

    pages = pages_of(render_pdf(document))

    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert f"Tax invoice 10000042 Page {number} of {len(pages)}" in page
    text = " ".join(pages)
    assert "(continued)" in text
    assert text.count("03/06/2024") == len([r for r in rows if r.day == date(2024, 6, 3)])
    assert "Total 400 sessions 4,938.000 $440.00" in text
    assert "Subtotal 134 sessions 1,654.230 $147.40" in text


def _shown(amount: Decimal) -> str:
    return f"${amount:,.2f}"
