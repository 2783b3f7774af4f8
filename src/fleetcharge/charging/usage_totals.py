"""The totals the fleet overview reads (`UsageDayTotal`, `UsageMonthTotal`), kept in step
with charge_sessions: each recorded session paid by an organisation adds its energy and
cost to its day and fleet, and to its month, vehicle and location; a repriced one takes
its old figures off first; a bulk load rebuilds them all in one pass."""

from typing import Any

from sqlalchemy import Date, cast, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from fleetcharge.models import ChargeSession, UsageDayTotal, UsageMonthTotal

_TABLES: tuple[tuple[type[UsageDayTotal] | type[UsageMonthTotal], tuple[str, ...]], ...] = (
    (UsageDayTotal, ("organisation_id", "local_date", "fleet_id")),
    (UsageMonthTotal, ("organisation_id", "month", "vehicle_id", "location_id")),
)


def _keys(session: dict[str, Any]) -> dict[str, Any]:
    return {
        "organisation_id": session["payer_organisation_id"],
        "local_date": session["stop_local_date"],
        "month": session["stop_local_date"].replace(day=1),
        "fleet_id": session["fleet_id"],
        "vehicle_id": session["vehicle_id"],
        "location_id": session["location_id"],
    }


def add_usage(db: Session, session: dict[str, Any], sign: int = 1) -> None:
    """Add (sign 1) or take off (sign -1) one session's figures; a session nobody paid for
    (a public driver) is in no usage total."""
    if session["payer_organisation_id"] is None or session["vehicle_id"] is None:
        return
    keys = _keys(session)
    figures = {
        "sessions": sign,
        "energy_kwh": sign * session["consumption_kwh"],
        "cost": sign * session["cost_to_driver"],
    }
    dialect = db.get_bind().dialect.name
    for table, key_names in _TABLES:
        values = {**{name: keys[name] for name in key_names}, **figures}
        if dialect == "postgresql":
            stmt: Any = pg_insert(table).values(**values)
        elif dialect == "sqlite":
            stmt = sqlite_insert(table).values(**values)
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise RuntimeError(f"unsupported database {dialect}")
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key_names),
            set_={
                name: getattr(table, name) + getattr(stmt.excluded, name)
                for name in ("sessions", "energy_kwh", "cost")
            },
        )
        db.execute(stmt)


def usage_values(session: ChargeSession) -> dict[str, Any]:
    """What `add_usage` reads of a recorded session."""
    return {
        name: getattr(session, name)
        for name in (
            "payer_organisation_id",
            "stop_local_date",
            "fleet_id",
            "vehicle_id",
            "location_id",
            "consumption_kwh",
            "cost_to_driver",
        )
    }


def rebuild_usage_totals(db: Session) -> None:
    """Both tables summed again from charge_sessions (after bulk loads)."""
    if db.get_bind().dialect.name == "postgresql":
        month: Any = cast(func.date_trunc("month", ChargeSession.stop_local_date), Date)
    else:
        month = func.date(ChargeSession.stop_local_date, "start of month")
    group_columns = {
        "organisation_id": ChargeSession.payer_organisation_id,
        "local_date": ChargeSession.stop_local_date,
        "month": month,
        "fleet_id": ChargeSession.fleet_id,
        "vehicle_id": ChargeSession.vehicle_id,
        "location_id": ChargeSession.location_id,
    }
    for table, key_names in _TABLES:
        db.execute(delete(table))
        groups = [group_columns[name] for name in key_names]
        sums = select(
            *groups,
            func.count(),
            func.sum(ChargeSession.consumption_kwh),
            func.sum(ChargeSession.cost_to_driver),
        )
        sums = sums.where(
            ChargeSession.payer_organisation_id.is_not(None),
            ChargeSession.vehicle_id.is_not(None),
        ).group_by(*groups)
        db.execute(insert(table).from_select([*key_names, "sessions", "energy_kwh", "cost"], sums))
