"""What a sending says: the email with the document's PDF attached. Pure, no I/O."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from fleetcharge.models.base import utcnow

_UNSAFE_FILENAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class DocumentFacts:
    """What the email tells about a document (its PDF tells everything)."""

    title: str  # "Tax invoice", "Adjustment note", ...
    number: int
    organisation: str
    period_start: date
    period_end: date
    currency: str
    total: Decimal
    due: Decimal  # what remains to pay; 0 when nothing is owed (credits, RCTIs, paid)
    due_date: date | None
    operator: str


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


def money(amount: Decimal, currency: str = "AUD") -> str:
    """$1,234.56 as an Australian reader expects it; other currencies by their code."""
    sign = "-" if amount < 0 else ""
    figure = f"{abs(amount):,.2f}"
    return f"{sign}${figure}" if currency == "AUD" else f"{sign}{currency} {figure}"


def day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _period(facts: DocumentFacts) -> str:
    return f"{day(facts.period_start)} to {day(facts.period_end)}"


def _figures(facts: DocumentFacts) -> list[str]:
    lines = [f"Total (incl. GST): {money(facts.total, facts.currency)}"]
    if facts.due > 0:
        lines.append(f"Amount due: {money(facts.due, facts.currency)}")
        if facts.due_date is not None:
            lines.append(f"Due date: {day(facts.due_date)}")
    return lines


def document_letter(facts: DocumentFacts) -> Letter:
    subject = f"{facts.title} {facts.number} from {facts.operator}"
    body = [
        f"Dear {facts.organisation},",
        "",
        f"Please find attached {facts.title.lower()} {facts.number} for {_period(facts)}.",
        "",
        *_figures(facts),
        "",
        "Payment details are on the attached document.",
        "",
        facts.operator,
    ]
    return Letter(subject, "\n".join(body) + "\n")


def reminder_letter(facts: DocumentFacts, as_of: date) -> Letter:
    subject = f"Payment reminder: {facts.title.lower()} {facts.number} is overdue"
    since = ""
    if facts.due_date is not None:
        overdue = (as_of - facts.due_date).days
        since = f" on {day(facts.due_date)}" + (f" ({overdue} days ago)" if overdue > 1 else "")
    body = [
        f"Dear {facts.organisation},",
        "",
        f"Our records show that {facts.title.lower()} {facts.number} for {_period(facts)}"
        f" was due for payment{since} and is not yet paid in full.",
        "",
        *_figures(facts),
        "",
        "The document is attached again; its payment details are on it. If you have paid"
        " it in the meantime, please disregard this reminder.",
        "",
        facts.operator,
    ]
    return Letter(subject, "\n".join(body) + "\n")


def attachment_name(facts: DocumentFacts) -> str:
    slug = _UNSAFE_FILENAME.sub("-", facts.title.lower()).strip("-")
    return f"{slug}-{facts.number}.pdf"


def new_message_id(sender: str) -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    return make_msgid("fleetcharge", domain=domain)


def email_message(
    sender: str,
    recipients: list[str],
    letter: Letter,
    pdf: bytes,
    filename: str,
    message_id: str,
) -> EmailMessage:
    """The message: the letter as plain text, the PDF attached."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    message.set_content(letter.body)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message
