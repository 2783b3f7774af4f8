"""Tax invoice PDFs read back: what the ATO requires is on the page, with the amounts."""

import io
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.adjustments import draft_adjustment_note
from fleetcharge.billing.documents import Party, tax_document
from fleetcharge.billing.payments import void_invoice
from fleetcharge.billing.pdf import render_pdf
from fleetcharge.errors import Conflict
from fleetcharge.models import Invoice, Organisation
from tests import factories as f

SYDNEY = ZoneInfo("Australia/Sydney")
OPERATOR = Party("Fleetcharge Networks Pty Ltd", "51824753556")
HOST_ABN = "53004085616"
EXPENSIVE = [{"price_components": [{"type": "ENERGY", "price": "9.90"}]}]


def text_of(document: bytes) -> str:
    """The PDF's text with line breaks as spaces (long sentences wrap)."""
    pages = PdfReader(io.BytesIO(document)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def billed(db: Session) -> dict[str, Invoice]:
    """June: 120 kWh at 9.90/kWh (1,188.00) for Cybertron's Autobots at Energon's station."""
    payer = f.organisation(db, "Cybertron Pty Ltd")
    payer.abn = "33051775556"
    host = f.organisation(db, "Énergon Sites")
    host.abn = HOST_ABN
    vehicle = f.vehicle(db, f.fleet(db, payer, "Autobots"))
    site = f.site(db, host, t=f.tariff(db, EXPENSIVE))
    f.charge(db, site, f.driver(db, vehicle), datetime(2024, 6, 3, tzinfo=SYDNEY), kwh="120.000")
    draft_invoices(db, Period(2024, 6))
    approved = approve_invoices(db, now=datetime(2024, 7, 2, 23, tzinfo=UTC))  # 3 July, Sydney
    return {invoice.kind: invoice for invoice in approved}


def test_a_fleet_tax_invoice(db: Session) -> None:
    fleet = billed(db)["fleet"]
    assert fleet.total_amount == Decimal("1192.95")  # over $1,000: the buyer must be named

    page = text_of(render_pdf(tax_document(db, fleet, OPERATOR)))

    for expected in (
        "Tax invoice",
        f"Number {fleet.invoice_number}",
        "Date of issue 3 July 2024",
        "Due date 17 July 2024",
        "Supplier",
        "Fleetcharge Networks Pty Ltd",
        "ABN 51 824 753 556",
        "Recipient",
        "Cybertron Pty Ltd",
        "ABN 33 051 775 556",
        "Autobots - Fees for vehicle management",
        "Autobots - Fees for public charging",
        "$1,188.00",
        "$4.95",
        "Total (GST inclusive) $1,192.95",
        "GST included in total $108.45",
        "Amount due $1,192.95",
        "taxable supplies at 10% GST",
        "Charge sessions billed: 1",
    ):
        assert expected in page, expected


def test_an_rcti_names_the_host_as_supplier(db: Session) -> None:
    rcti = billed(db)["rcti"]

    page = text_of(render_pdf(tax_document(db, rcti, OPERATOR)))

    assert "Recipient-created tax invoice" in page
    # Supplier in the left column, recipient in the right; Latin-1 accents are kept.
    assert "Supplier Recipient Énergon Sites Fleetcharge Networks Pty Ltd" in page
    assert "ABN 53 004 085 616 ABN 51 824 753 556" in page
    assert "The GST shown is payable by the supplier" in page
    assert "Public charging revenue collected on your behalf" in page
    assert "Total (GST inclusive) $1,188.00" in page


def test_an_adjustment_note_and_a_void_invoice(db: Session) -> None:
    documents = billed(db)
    note = draft_adjustment_note(db, documents["fleet"], Decimal("-100.00"), "Meter fault")
    approve_invoices(db, [note.id])

    page = text_of(render_pdf(tax_document(db, note, OPERATOR)))

    assert "Adjustment note" in page
    assert f"adjusts tax invoice {documents['fleet'].invoice_number} of 2024-07-03" in page
    assert "the price decreases by 100.00 and the GST by 9.09" in page
    assert "-$100.00" in page and "Meter fault" in page
    void_invoice(db, documents["rcti"])
    voided = text_of(render_pdf(tax_document(db, documents["rcti"], OPERATOR)))
    assert "VOID" in voided


def test_the_sellers_abn_is_required(db: Session) -> None:
    documents = billed(db)
    with pytest.raises(Conflict, match="FLEETCHARGE_OPERATOR_ABN"):
        tax_document(db, documents["fleet"], Party("Fleetcharge", None))
    db.get_one(Organisation, documents["rcti"].organisation_id).abn = None
    with pytest.raises(Conflict, match="has no ABN"):
        tax_document(db, documents["rcti"], OPERATOR)
    draft = f.invoice(db, f.organisation(db), status="draft")
    with pytest.raises(Conflict, match="not issued"):
        tax_document(db, draft, OPERATOR)
