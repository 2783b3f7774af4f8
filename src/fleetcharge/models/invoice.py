from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin, PublicIdMixin
from fleetcharge.models.session import BigId, Money
from fleetcharge.models.types import UTCDateTime

# Documents: a fleet invoice, a site-host tax invoice (subscriptions, network fees) and a
# recipient-created tax invoice for revenue collected on a site host's behalf. An
# adjustment note has the kind of the document it corrects and references it.
INVOICE_KINDS = ("fleet", "site_host", "rcti")
# Sessions are linked to fleet invoices and to site-host invoices; an RCTI bills the
# sessions of the site-host invoice it accompanies (same host, same month).
LINK_KINDS = ("fleet", "site_host")


class InvoiceStatus(StrEnum):
    """A document's `status`, stored as its value: a draft is numbered on approval, paid
    once settled in full, void only while nothing is settled."""

    DRAFT = "draft"
    APPROVED = "approved"
    PAID = "paid"
    VOID = "void"


# Issued (numbered): what the Fleets API shows.
VISIBLE_STATUSES = (InvoiceStatus.APPROVED, InvoiceStatus.PAID, InvoiceStatus.VOID)
# Issued and not void: documents that bill their sessions and can be adjusted.
BILLED_STATUSES = (InvoiceStatus.APPROVED, InvoiceStatus.PAID)
FIRST_INVOICE_NUMBER = 10000001

# One monthly document per (organisation, kind, period); adjustment notes are extra.
ONE_PER_PERIOD_WHERE = f"status <> '{InvoiceStatus.VOID}' AND adjusts_invoice_id IS NULL"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


class Invoice(PublicIdMixin, CreatedAtMixin, Base):
    """A fleet invoice, site-host tax invoice or RCTI, or an adjustment note to one.

    The check constraints hold the lifecycle: numbered exactly when issued; an
    adjustment note credits (negative total), every other document charges; paid
    amounts stay between zero and the total; `paid` means paid in full; only an
    unpaid document can be void.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_org_order", "organisation_id", "invoice_date", "invoice_number"),
        Index(
            "uq_invoices_one_per_period",
            "organisation_id",
            "kind",
            "period_start",
            unique=True,
            sqlite_where=text(ONE_PER_PERIOD_WHERE),
            postgresql_where=text(ONE_PER_PERIOD_WHERE),
        ),
        # So at most one live RCTI bills the sessions of a site-host invoice.
        Index(
            "uq_invoices_one_rcti_per_site_host_invoice",
            "accompanies_invoice_id",
            unique=True,
            sqlite_where=text(f"status <> '{InvoiceStatus.VOID}'"),
            postgresql_where=text(f"status <> '{InvoiceStatus.VOID}'"),
        ),
        CheckConstraint(_one_of("kind", INVOICE_KINDS), name="kind_known"),
        CheckConstraint(_one_of("status", tuple(InvoiceStatus)), name="status_known"),
        CheckConstraint(
            f"(status = '{InvoiceStatus.DRAFT}' AND invoice_number IS NULL)"
            f" OR (status <> '{InvoiceStatus.DRAFT}' AND invoice_number IS NOT NULL)",
            name="numbered_once_issued",
        ),
        CheckConstraint(
            "(adjusts_invoice_id IS NULL AND total_amount >= 0)"
            " OR (adjusts_invoice_id IS NOT NULL AND total_amount < 0)",
            name="adjustments_credit",
        ),
        CheckConstraint(
            "(total_amount >= 0 AND total_paid >= 0 AND total_paid <= total_amount)"
            " OR (total_amount < 0 AND total_paid <= 0 AND total_paid >= total_amount)",
            name="paid_within_total",
        ),
        CheckConstraint(
            f"status <> '{InvoiceStatus.PAID}' OR total_paid = total_amount", name="paid_in_full"
        ),
        CheckConstraint(f"status <> '{InvoiceStatus.VOID}' OR total_paid = 0", name="void_unpaid"),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=InvoiceStatus.DRAFT)
    # Assigned on approval from a gapless sequence.
    invoice_number: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    invoice_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    total_tax: Mapped[Decimal] = mapped_column(Money)
    total_amount: Mapped[Decimal] = mapped_column(Money)
    total_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on approval: invoice_date (the approval date) + the organisation's payment terms.
    due_date: Mapped[date | None] = mapped_column(Date)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on a document drafted for a month whose document of the same kind was voided.
    replaces_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    # Set on an adjustment note: the approved document it corrects.
    adjusts_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    # Set on an RCTI: the site-host invoice whose session links it bills.
    accompanies_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))

    line_items: Mapped[list["InvoiceLineItem"]] = relationship(
        back_populates="invoice", order_by="InvoiceLineItem.position"
    )

    @property
    def links_invoice_id(self) -> int | None:
        """The invoice whose session links this document bills (None: it bills none)."""
        if self.kind == "rcti":
            return self.accompanies_invoice_id
        return None if self.adjusts_invoice_id is not None else self.id


class InvoiceLineItem(Base):
    __tablename__ = "invoice_line_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    fleet_id: Mapped[int | None] = mapped_column(ForeignKey("fleets.id"))
    description: Mapped[str] = mapped_column(String(500))
    units: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)

    invoice: Mapped[Invoice] = relationship(back_populates="line_items")


class InvoicePayment(CreatedAtMixin, Base):
    """Money received against a document, or an adjustment note's credit applied to it.

    `amount` has the sign of the document's total: positive on invoices, negative on
    adjustment notes (a refund of the credit, or the credit applied). A credit applied
    from a note is two entries, one on each document, each naming the other as
    `counterpart_invoice_id`. The invoice's `total_paid` is the sum of its entries.
    """

    __tablename__ = "invoice_payments"
    __table_args__ = (CheckConstraint("amount <> 0", name="not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    counterpart_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))


class InvoiceVehicle(Base):
    """A vehicle billed a management fee on an invoice."""

    __tablename__ = "invoice_vehicles"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), primary_key=True)


class InvoiceSession(Base):
    """A session billed on a fleet or site-host invoice (`kind`, one of LINK_KINDS);
    `active` is cleared when the invoice is voided.

    The partial unique index is what guarantees a session is billed at most once per
    kind; an RCTI reuses its site-host invoice's links. A billing run writes a row per
    session and kind, each costing two foreign key checks and two index entries, which
    is most of the run's time: hence the natural primary key (it also serves reads by
    invoice) and no separate RCTI links.
    """

    __tablename__ = "invoice_sessions"
    __table_args__ = (
        Index(
            "uq_invoice_sessions_billed_once",
            "session_id",
            "kind",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("charge_sessions.id"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InvoiceNumberCounter(Base):
    """The next invoice number to issue; exactly one row.

    Approval locks the row (SELECT ... FOR UPDATE) and increments it in its own
    transaction, so numbers stay gapless: a rolled-back approval gives its numbers back.
    """

    __tablename__ = "invoice_number_counter"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    next_number: Mapped[int] = mapped_column(BigInteger)


# Migration 0002 seeds the row; this seeds it for schemas built with `metadata.create_all`.
event.listen(
    InvoiceNumberCounter.__table__,
    "after_create",
    DDL(f"INSERT INTO invoice_number_counter (id, next_number) VALUES (1, {FIRST_INVOICE_NUMBER})"),
)
