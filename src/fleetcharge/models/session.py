import uuid as uuid_module
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, SmallInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleetcharge.models.base import Base, CreatedAtMixin
from fleetcharge.models.types import ExactDecimal, JSONDocument, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")
Money = ExactDecimal(14, 2)
Energy = ExactDecimal(14, 3)


# The console's sessions table (`charging.table`): index name -> columns.
TABLE_ORDERS = (
    ("payer_energy", ("payer_organisation_id", "consumption_kwh", "id")),
    ("payer_cost", ("payer_organisation_id", "cost_to_driver", "id")),
    ("host_energy", ("host_organisation_id", "consumption_kwh", "id")),
    ("host_revenue", ("host_organisation_id", "total_revenue", "id")),
    ("fleet_order", ("fleet_id", "stop_date_time", "id")),
    ("vehicle_order", ("vehicle_id", "stop_date_time", "id")),
    ("card_order", ("card_id", "stop_date_time", "id")),
    ("location_order", ("location_id", "stop_date_time", "id")),
)


class ChargeSession(CreatedAtMixin, Base):
    """One completed charge, read by the paying fleet (/usage) and the site host (/sessions).

    Attribution (fleet, paying and hosting organisations, location) is denormalised
    at creation so that each API view pages through one index.
    """

    __tablename__ = "charge_sessions"
    __table_args__ = (
        Index(
            "ix_charge_sessions_payer_order",
            "payer_organisation_id",
            "stop_date_time",
            "id",
            "stop_local_date",
        ),
        Index(
            "ix_charge_sessions_host_order",
            "host_organisation_id",
            "stop_date_time",
            "id",
            "stop_local_date",
        ),
        # The console's sessions table: its other sort orders and its filters, each paged
        # by (value, id) from an index at any depth.
        *(Index(f"ix_charge_sessions_{name}", *columns) for name, columns in TABLE_ORDERS),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uuid: Mapped[uuid_module.UUID] = mapped_column(
        Uuid, unique=True, default=uuid_module.uuid4, nullable=False
    )
    auth_id: Mapped[str] = mapped_column(String(64))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    fleet_id: Mapped[int | None] = mapped_column(ForeignKey("fleets.id"))
    payer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    connector_id: Mapped[int] = mapped_column(ForeignKey("connectors.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    host_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))

    start_date_time: Mapped[datetime] = mapped_column(UTCDateTime)
    stop_date_time: Mapped[datetime] = mapped_column(UTCDateTime)
    # Calendar date of completion in the location's time zone: what date filters match.
    stop_local_date: Mapped[date] = mapped_column(Date)
    total_time_s: Mapped[int] = mapped_column(Integer)
    total_parking_time_s: Mapped[int] = mapped_column(Integer)
    consumption_kwh: Mapped[Decimal] = mapped_column(Energy)
    currency: Mapped[str] = mapped_column(String(3), default="AUD")
    # What the driver pays (GST-inclusive) and its GST.
    cost_to_driver: Mapped[Decimal] = mapped_column(Money)
    gst_to_driver: Mapped[Decimal] = mapped_column(Money)
    # Site-host economics: revenue from drivers outside the host, network fee charged to it.
    total_revenue: Mapped[Decimal] = mapped_column(Money)
    gst_on_total_revenue: Mapped[Decimal] = mapped_column(Money)
    total_cost: Mapped[Decimal] = mapped_column(Money)
    gst_on_total_cost: Mapped[Decimal] = mapped_column(Money)
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id"))
    tariff_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)

    periods: Mapped[list["ChargingPeriod"]] = relationship(
        back_populates="session", order_by="ChargingPeriod.seq"
    )


class ChargingPeriod(Base):
    """A priced block of a session; `unit_price` is per kWh, per hour or per session."""

    __tablename__ = "charging_periods"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("charge_sessions.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(SmallInteger)
    start_date_time: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_s: Mapped[int] = mapped_column(Integer)
    consumption_kwh: Mapped[Decimal] = mapped_column(Energy)
    dimension: Mapped[str] = mapped_column(String(16))  # ENERGY | TIME | PARKING_TIME | FLAT
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(12, 4))
    amount: Mapped[Decimal] = mapped_column(Money)
    gst: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))

    session: Mapped[ChargeSession] = relationship(back_populates="periods")


class SessionDayCount(Base):
    """How many sessions each organisation sees per (UTC day, local completion day).

    Kept in step with charge_sessions so `total_entries` and deep pages cost a scan of
    a few hundred small rows instead of counting or skipping through millions.
    `view` is `usage` (paying organisation) or `sessions` (hosting organisation).
    """

    __tablename__ = "session_day_counts"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    view: Mapped[str] = mapped_column(String(8), primary_key=True)
    utc_date: Mapped[date] = mapped_column(Date, primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer)


UsageEnergy = ExactDecimal(18, 3)
UsageMoney = ExactDecimal(18, 2)


class UsageDayTotal(Base):
    """Sessions, energy and cost (cost_to_driver) of the sessions an organisation paid for,
    per local completion day and fleet: a month of the fleet overview in a few hundred rows
    rather than a scan of its sessions. Kept in step with charge_sessions
    (`charging.usage_totals`)."""

    __tablename__ = "usage_day_totals"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    fleet_id: Mapped[int] = mapped_column(ForeignKey("fleets.id"), primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer)
    energy_kwh: Mapped[Decimal] = mapped_column(UsageEnergy)
    cost: Mapped[Decimal] = mapped_column(UsageMoney)


class UsageMonthTotal(Base):
    """The same per local completion month (its first day), vehicle and location: the
    overview's top vehicles and where they charged."""

    __tablename__ = "usage_month_totals"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer)
    energy_kwh: Mapped[Decimal] = mapped_column(UsageEnergy)
    cost: Mapped[Decimal] = mapped_column(UsageMoney)
