"""A statement of account (no I/O): what an organisation owed at the start of a span of
days, the documents issued and the money that moved in it, and what it owes at the end.

Amounts are from the organisation's side: positive is owed to the operator. Invoices
(fleet, site-host) add their total, their adjustment notes take their credit off; an RCTI
is owed to the host, so it counts negative, and its adjustment notes positive. Money the
operator receives lowers the balance, money it pays out (a refund of a credit, revenue
paid to a host on an RCTI) raises it. A credit applied from an adjustment note to the
invoice it corrects moves nothing: the note already counted when it was issued.

Void documents are listed but count nowhere, whenever they were voided. So
closing = opening + issued - paid, and the closing balance of a span is the opening
balance of the next.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fleetcharge.money import ZERO


@dataclass(frozen=True)
class StatementDocument:
    issue_date: date
    number: int
    kind: str  # fleet, site_host, rcti
    document_type: str
    description: str
    total: Decimal  # as on the document: negative on adjustment notes
    void: bool

    @property
    def signed(self) -> Decimal:
        """Its total from the organisation's side (an RCTI is owed to it)."""
        return -self.total if self.kind == "rcti" else self.total

    @property
    def owed(self) -> Decimal:
        """What it adds to the organisation's balance (void: nothing)."""
        return ZERO if self.void else self.signed


@dataclass(frozen=True)
class StatementPayment:
    paid_on: date
    number: int  # the document it settles
    kind: str
    credit_note: bool
    amount: Decimal  # as recorded: with the sign of the document's total

    @property
    def paid(self) -> Decimal:
        """What it takes off the organisation's balance (negative: money paid out to it)."""
        return -self.amount if self.kind == "rcti" else self.amount

    @property
    def description(self) -> str:
        if self.kind == "rcti":
            what = "RCTI adjustment note" if self.credit_note else "RCTI"
            return f"Paid to you on {what} {self.number}"
        if self.credit_note:
            return f"Refund paid on adjustment note {self.number}"
        return f"Payment received for invoice {self.number}"


@dataclass(frozen=True)
class Entry:
    """A statement row: a document or a payment, with the balance after it."""

    day: date
    entry: str  # "document" or "payment"
    number: int
    description: str
    status: str  # a document's "issued" or "void"; "received" or "paid out" for money
    amount: Decimal  # its effect on the balance as shown (a void document: its total)
    balance: Decimal


@dataclass(frozen=True)
class Statement:
    first_day: date
    last_day: date
    opening: Decimal
    issued: Decimal
    paid: Decimal
    closing: Decimal
    entries: tuple[Entry, ...]


def build_statement(
    documents: Iterable[StatementDocument],
    payments: Iterable[StatementPayment],
    first_day: date,
    last_day: date,
) -> Statement:
    """The statement of [first_day, last_day] from the organisation's history (anything
    after `last_day` is ignored)."""
    documents = list(documents)
    payments = list(payments)
    opening = sum((d.owed for d in documents if d.issue_date < first_day), ZERO) - sum(
        (p.paid for p in payments if p.paid_on < first_day), ZERO
    )
    in_span = [d for d in documents if first_day <= d.issue_date <= last_day]
    paid_in_span = [p for p in payments if first_day <= p.paid_on <= last_day]
    # By day; on a day, documents before the money paid on them.
    events: list[tuple[date, int, int, StatementDocument | StatementPayment]] = [
        (d.issue_date, 0, d.number, d) for d in in_span
    ] + [(p.paid_on, 1, p.number, p) for p in paid_in_span]
    events.sort(key=lambda event: event[:3])
    balance = opening
    entries = []
    for day, _, number, event in events:
        if isinstance(event, StatementDocument):
            balance += event.owed
            status = "void" if event.void else "issued"
            entries.append(
                Entry(day, "document", number, event.description, status, event.signed, balance)
            )
        else:
            balance -= event.paid
            status = "received" if event.paid > 0 else "paid out"
            entries.append(
                Entry(day, "payment", number, event.description, status, -event.paid, balance)
            )
    issued = sum((d.owed for d in in_span), ZERO)
    paid = sum((p.paid for p in paid_in_span), ZERO)
    closing = opening + issued - paid
    assert closing == balance
    return Statement(first_day, last_day, opening, issued, paid, closing, tuple(entries))
