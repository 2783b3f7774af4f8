"""Turn one completed, priced charge into the rows of a ChargeSession.

`session_rows` is pure so the bulk demo loader and the live central system build
identical rows; `record_session` and `reprice_session` are the transactional paths that
also keep the per-day counters and usage totals in step.
"""

import uuid as uuid_module
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, cast, delete, func, insert, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from fleetcharge.charging.usage_totals import add_usage, rebuild_usage_totals, usage_values
from fleetcharge.metrics import SESSIONS_CREATED
from fleetcharge.models import ChargeSession, ChargingPeriod, SessionDayCount
from fleetcharge.money import ZERO, gst_included, round_money
from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import TariffSpec, Timeline
from fleetcharge.timezones import local_date


@dataclass(frozen=True)
class Attribution:
    """Who charged and where: card -> vehicle -> fleet -> paying organisation; connector ->
    location -> hosting organisation. The payer fields are None for public drivers.

    `billed` is False when nobody pays for the charge (an id tag we do not know, accepted
    by a station while offline): the host earns no revenue and pays no network fee.
    """

    auth_id: str
    connector_id: int
    location_id: int
    host_organisation_id: int
    timezone: str
    network_fee_per_kwh: Decimal
    card_id: int | None = None
    vehicle_id: int | None = None
    fleet_id: int | None = None
    payer_organisation_id: int | None = None
    billed: bool = True


def session_rows(
    attribution: Attribution,
    tariff: TariffSpec,
    timeline: Timeline,
    *,
    tariff_id: int | None = None,
    session_uuid: uuid_module.UUID | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The charge_sessions row and its charging_periods rows (without ids)."""
    priced = price(tariff, timeline)
    cost_to_driver = priced.amount
    own_charging = attribution.payer_organisation_id == attribution.host_organisation_id
    revenue = cost_to_driver if attribution.billed and not own_charging else ZERO
    network_fee = (
        round_money(attribution.network_fee_per_kwh * timeline.energy_kwh)
        if attribution.billed
        else ZERO
    )
    total_s = int((timeline.stop - timeline.start).total_seconds())
    # Every idle stretch (SuspendedEV mid-session as well as after charging) is parking.
    parking_s = sum(p.duration_s for p in priced.periods if p.dimension == "PARKING_TIME")
    session = {
        "uuid": session_uuid or uuid_module.uuid4(),
        "auth_id": attribution.auth_id,
        "card_id": attribution.card_id,
        "vehicle_id": attribution.vehicle_id,
        "fleet_id": attribution.fleet_id,
        "payer_organisation_id": attribution.payer_organisation_id,
        "connector_id": attribution.connector_id,
        "location_id": attribution.location_id,
        "host_organisation_id": attribution.host_organisation_id,
        "start_date_time": timeline.start,
        "stop_date_time": timeline.stop,
        "stop_local_date": local_date(timeline.stop, attribution.timezone),
        "total_time_s": total_s,
        "total_parking_time_s": parking_s,
        "consumption_kwh": sum((p.consumption_kwh for p in priced.periods), Decimal("0.000")),
        "currency": priced.currency,
        "cost_to_driver": cost_to_driver,
        "gst_to_driver": priced.gst,
        "total_revenue": revenue,
        "gst_on_total_revenue": gst_included(revenue, tariff.tax_rate),
        "total_cost": network_fee,
        "gst_on_total_cost": gst_included(network_fee, tariff.tax_rate),
        "tariff_id": tariff_id,
        "tariff_snapshot": tariff.snapshot(),
    }
    periods = [
        {
            "seq": seq,
            "start_date_time": p.start,
            "duration_s": p.duration_s,
            "consumption_kwh": p.consumption_kwh,
            "dimension": p.dimension,
            "unit_price": p.unit_price,
            "amount": p.amount,
            "gst": p.gst,
            "currency": priced.currency,
        }
        for seq, p in enumerate(priced.periods)
    ]
    return session, periods


def day_count_keys(session: dict[str, Any]) -> list[tuple[int, str, Any, Any]]:
    """The (organisation, view, utc_date, local_date) counters a session row belongs to."""
    utc_date = session["stop_date_time"].astimezone(UTC).date()
    keys = [(session["host_organisation_id"], "sessions", utc_date, session["stop_local_date"])]
    if session["payer_organisation_id"] is not None:
        keys.append(
            (session["payer_organisation_id"], "usage", utc_date, session["stop_local_date"])
        )
    return keys


def increment_day_counts(db: Session, session: dict[str, Any]) -> None:
    dialect = db.get_bind().dialect.name
    for organisation_id, view, utc_date, local in day_count_keys(session):
        values = {
            "organisation_id": organisation_id,
            "view": view,
            "utc_date": utc_date,
            "local_date": local,
            "sessions": 1,
        }
        if dialect == "postgresql":
            stmt: Any = pg_insert(SessionDayCount).values(**values)
        elif dialect == "sqlite":
            stmt = sqlite_insert(SessionDayCount).values(**values)
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise RuntimeError(f"unsupported database {dialect}")
        stmt = stmt.on_conflict_do_update(
            index_elements=["organisation_id", "view", "utc_date", "local_date"],
            set_={"sessions": SessionDayCount.sessions + 1},
        )
        db.execute(stmt)


def rebuild_day_counts(db: Session) -> None:
    """Recount session_day_counts from charge_sessions in one set-based pass (after bulk
    loads), and the usage totals (`charging.usage_totals`) with them.

    The same keys as `day_count_keys`: the UTC date of stop_date_time, computed per
    dialect because SQLite stores naive UTC text and PostgreSQL a timestamptz.
    """
    dialect = db.get_bind().dialect.name
    stop = ChargeSession.stop_date_time
    if dialect == "postgresql":
        utc_date: Any = cast(func.timezone("UTC", stop), Date)
    elif dialect == "sqlite":
        utc_date = func.date(stop)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {dialect}")
    local = ChargeSession.stop_local_date
    db.execute(delete(SessionDayCount))
    for organisation, view in (
        (ChargeSession.host_organisation_id, "sessions"),
        (ChargeSession.payer_organisation_id, "usage"),
    ):
        counts = (
            select(organisation, literal_column(f"'{view}'"), utc_date, local, func.count())
            .where(organisation.is_not(None))
            .group_by(organisation, utc_date, local)
        )
        db.execute(
            insert(SessionDayCount).from_select(
                ["organisation_id", "view", "utc_date", "local_date", "sessions"], counts
            )
        )
    rebuild_usage_totals(db)


def record_session(
    db: Session,
    attribution: Attribution,
    tariff: TariffSpec,
    timeline: Timeline,
    *,
    tariff_id: int | None = None,
) -> ChargeSession:
    """Price and store one completed session with its periods and counters (flush only)."""
    session_values, period_values = session_rows(attribution, tariff, timeline, tariff_id=tariff_id)
    session = ChargeSession(**session_values)
    db.add(session)
    db.flush()
    SESSIONS_CREATED.inc()
    _insert_periods(db, session.id, period_values)
    increment_day_counts(db, session_values)
    add_usage(db, session_values)
    return session


def reprice_session(
    db: Session, session: ChargeSession, attribution: Attribution, timeline: Timeline
) -> None:
    """Price a recorded session again over another timeline, by the tariff it was priced
    by (its snapshot; the session must have one), keeping its uuid: its row, its periods
    and the day counters it is counted in (flush only)."""
    assert session.tariff_snapshot is not None
    old_counts = day_count_keys(_count_values(session))
    add_usage(db, usage_values(session), sign=-1)
    values, periods = session_rows(
        attribution,
        TariffSpec.from_snapshot(session.tariff_snapshot),
        timeline,
        tariff_id=session.tariff_id,
        session_uuid=session.uuid,
    )
    for key, value in values.items():
        setattr(session, key, value)
    db.execute(delete(ChargingPeriod).where(ChargingPeriod.session_id == session.id))
    _insert_periods(db, session.id, periods)
    if day_count_keys(values) != old_counts:
        _decrement_day_counts(db, old_counts)
        increment_day_counts(db, values)
    add_usage(db, values)


def _insert_periods(db: Session, session_id: int, periods: list[dict[str, Any]]) -> None:
    if periods:
        db.execute(insert(ChargingPeriod), [{**p, "session_id": session_id} for p in periods])


def _count_values(session: ChargeSession) -> dict[str, Any]:
    return {
        "stop_date_time": session.stop_date_time,
        "stop_local_date": session.stop_local_date,
        "host_organisation_id": session.host_organisation_id,
        "payer_organisation_id": session.payer_organisation_id,
    }


def _decrement_day_counts(db: Session, keys: list[tuple[int, str, Any, Any]]) -> None:
    for organisation_id, view, utc_date, local in keys:
        db.execute(
            update(SessionDayCount)
            .where(
                SessionDayCount.organisation_id == organisation_id,
                SessionDayCount.view == view,
                SessionDayCount.utc_date == utc_date,
                SessionDayCount.local_date == local,
            )
            .values(sessions=SessionDayCount.sessions - 1)
        )
