"""The email of a sending, built without any I/O."""

import email
import email.policy
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.invoice_sending.message import (
    DocumentFacts,
    attachment_name,
    document_letter,
    email_message,
    money,
    new_message_id,
    reminder_letter,
)

FACTS = DocumentFacts(
    title="Recipient-created tax invoice",
    number=10000042,
    organisation="Harbour Car Park Pty Ltd",
    period_start=date(2024, 6, 1),
    period_end=date(2024, 6, 30),
    currency="AUD",
    total=Decimal("12345.60"),
    due=Decimal("0.00"),
    due_date=date(2024, 7, 14),
    operator="Fleetcharge Networks Pty Ltd",
)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_money_reads_back_to_the_amount(amount: Decimal) -> None:
    shown = money(amount)
    assert shown.lstrip("-").startswith("$")
    assert Decimal(shown.replace("$", "").replace(",", "")) == amount
    whole = shown.lstrip("-$").split(".")[0]
    assert all(len(group) == 3 for group in whole.split(",")[1:])


def test_money_of_another_currency_names_it() -> None:
    assert money(Decimal("-1234.5"), "NZD") == "-NZD 1,234.50"


def test_nothing_owed_shows_no_amount_due_and_no_due_date() -> None:
    letter = document_letter(FACTS)

    assert letter.subject == (
        "Recipient-created tax invoice 10000042 from Fleetcharge Networks Pty Ltd"
    )
    assert "Total (incl. GST): $12,345.60" in letter.body
    assert "Amount due" not in letter.body and "Due date" not in letter.body
    assert attachment_name(FACTS) == "recipient-created-tax-invoice-10000042.pdf"


def test_a_reminder_says_since_when_and_how_much() -> None:
    owed = DocumentFacts(**{**FACTS.__dict__, "title": "Tax invoice", "due": Decimal("99.95")})

    letter = reminder_letter(owed, date(2024, 7, 24))

    assert letter.subject == "Payment reminder: tax invoice 10000042 is overdue"
    assert "was due for payment on 14 July 2024 (10 days ago)" in letter.body
    assert "Amount due: $99.95" in letter.body and "Due date: 14 July 2024" in letter.body


def test_the_message_parses_back_with_its_attachment() -> None:
    pdf = b"%PDF-1.4 not really"
    sent = email_message(
        "billing@example.test",
        ["a@example.test", "b@example.test"],
        document_letter(FACTS),
        pdf,
        attachment_name(FACTS),
        new_message_id("billing@example.test"),
    )

    read = email.message_from_bytes(sent.as_bytes(), policy=email.policy.default)
    assert read["To"] == "a@example.test, b@example.test"
    assert read["Message-ID"].endswith("@example.test>")
    (attachment,) = list(read.iter_attachments())
    assert attachment.get_content() == pdf
