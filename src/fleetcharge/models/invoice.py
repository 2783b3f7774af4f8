from datetime import date, datetime
from decimal import Decimal

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
# recipient-created tax invoice for revenue collected on a site host's behalf.
INVOICE_KINDS = ("fleet", "site_host", "rcti")
INVOICE_STATUSES = ("draft", "approved", "paid", "void")
VISIBLE_STATUSES = ("approved", "paid", "void")
FIRST_INVOICE_NUMBER = 10000001


class Invoice(PublicIdMixin, CreatedAtMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_org_order", "organisation_id", "invoice_date", "invoice_number"),
        Index(
            "uq_invoices_one_per_period",
            "organisation_id",
            "kind",
            "period_start",
            unique=True,
            sqlite_where=text("status <> 'void'"),
            postgresql_where=text("status <> 'void'"),
        ),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
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

    line_items: Mapped[list["InvoiceLineItem"]] = relationship(
        back_populates="invoice", order_by="InvoiceLineItem.position"
    )


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


class InvoiceVehicle(Base):
    """A vehicle billed a management fee on an invoice."""

    __tablename__ = "invoice_vehicles"

    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), primary_key=True)


class InvoiceSession(Base):
    """A session billed on a document; `active` is cleared when the document is voided.

    The partial unique index is what guarantees a session is billed at most once
    per kind of document.
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

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    session_id: Mapped[int] = mapped_column(BigId, ForeignKey("charge_sessions.id"))
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
