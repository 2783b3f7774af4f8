"""A site's power settings and circuits, and a session's charging need: read, changed
(audited, flush only; the caller commits) and announced through `signals` once committed."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, InvalidField, NotFound, PreconditionFailed
from fleetcharge.kit import fields
from fleetcharge.models import (
    Location,
    SessionChargingNeed,
    SiteCircuit,
    SiteLimitWindow,
    SitePower,
    Station,
)
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor
from fleetcharge.sites import signals, values
from fleetcharge.sites.problem_source import SITE
from fleetcharge.sites.repository import open_transaction_at
from fleetcharge.sites.schemas import CircuitCreate, CircuitUpdate, WindowBody
from fleetcharge.sites.timing import Window
from fleetcharge.smart_charging.problem import Strategy

DEFAULT_STRATEGY = Strategy.DEADLINE.value
_PENDING = "fleetcharge.sites.changed"  # db.info key: locations to announce after commit


def changed(db: Session, location_id: int) -> None:
    """Announce `site_changed(location_id)` when `db` commits (nothing if it rolls back)."""
    pending: set[int] | None = db.info.get(_PENDING)
    if pending is None:
        pending = db.info[_PENDING] = set()

        def announce(session: Session) -> None:
            ids = session.info.pop(_PENDING, set())
            for location_id in sorted(ids):
                signals.site_changed(location_id)

        def forget(session: Session) -> None:
            session.info.pop(_PENDING, None)

        event.listen(db, "after_commit", announce, once=True)
        event.listen(db, "after_rollback", forget, once=True)
    pending.add(location_id)


# --- power settings -------------------------------------------------------------------


def power_of(db: Session, location: Location) -> SitePower | None:
    return db.get(SitePower, location.id)


def windows_of(db: Session, location: Location) -> list[SiteLimitWindow]:
    query = select(SiteLimitWindow).where(SiteLimitWindow.location_id == location.id)
    return list(db.scalars(query.order_by(SiteLimitWindow.id)))


def window_view(window: SiteLimitWindow) -> dict[str, str]:
    return {
        "days": values.days_text(window.weekdays),
        "start": window.starts.strftime("%H:%M"),
        "end": window.ends.strftime("%H:%M"),
        "limit_kw": str(window.limit_kw),
    }


def site_settings(db: Session, location: Location) -> dict[str, Any]:
    """The location's power settings as the admin API shows them."""
    power = power_of(db, location)
    limit = power.limit_kw if power is not None else None
    return {
        "location_uuid": str(location.uuid),
        "smart_charging": limit is not None,
        "limit_kw": str(limit) if limit is not None else None,
        "strategy": power.strategy if power is not None else DEFAULT_STRATEGY,
        "timezone": location.timezone,
        "schedule": [window_view(w) for w in windows_of(db, location)],
        "updated_at": power.updated_at.isoformat() if power is not None else None,
        "version": power.version if power is not None else 0,
    }


def schedule_windows(bodies: list[WindowBody]) -> list[Window]:
    """Windows from the admin API's body; an error names `schedule[i].field`."""
    if len(bodies) > values.MAX_WINDOWS:
        raise InvalidField(f"schedule: at most {values.MAX_WINDOWS} windows", field="schedule")
    out: list[Window] = []
    for i, body in enumerate(bodies):
        try:
            out.append(values.window(body.days, body.start, body.end, body.limit_kw))
        except ValueError as error:
            name, _, message = str(error).partition(": ")
            raise InvalidField(
                f"schedule[{i}].{name}: {message}", field=f"schedule[{i}].{name}"
            ) from None
    return out


def set_power(
    db: Session,
    actor: Actor,
    location: Location,
    *,
    limit_kw: Decimal | str | None,
    strategy: str | None = None,
    windows: list[Window] | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Set the site's limit (None: smart charging off), and its strategy and weekly windows
    when given (None: unchanged; []: no windows)."""
    actor.require("locations", "update")
    # Locked: of two concurrent changes holding one version, the second sees the first's.
    power = db.get(SitePower, location.id, with_for_update=True, populate_existing=True)
    current = power.version if power is not None else 0
    if expected_version is not None and expected_version != current:
        raise PreconditionFailed(
            f"the site's power settings have changed since version {expected_version} "
            "(If-Match): read them again and reapply your change"
        )
    limit = _limit(limit_kw)
    if strategy is not None:
        try:
            strategy = Strategy(strategy).value
        except ValueError:
            choices = ", ".join(s.value for s in Strategy)
            raise InvalidField(
                f"strategy must be one of {choices}, got {strategy!r}", field="strategy"
            ) from None
    before = site_settings(db, location)
    if power is None:
        power = SitePower(location_id=location.id, strategy=DEFAULT_STRATEGY, version=0)
        db.add(power)
    power.limit_kw = limit
    power.strategy = strategy or power.strategy or DEFAULT_STRATEGY
    power.updated_at = utcnow()
    power.version = current + 1
    if windows is not None:
        for old in windows_of(db, location):
            db.delete(old)
        db.flush()
        for w in windows:
            db.add(
                SiteLimitWindow(
                    location_id=location.id,
                    weekdays=w.weekdays,
                    starts=w.starts,
                    ends=w.ends,
                    limit_kw=Decimal(str(w.limit_kw)).quantize(Decimal("0.1")),
                )
            )
    try:
        db.flush()
    except IntegrityError:  # another change set the site's first settings meanwhile
        raise Conflict("the site's power settings were changed meanwhile: try again") from None
    after = site_settings(db, location)
    record(db, actor, "update", "site_power", location.uuid, None, before, after)
    changed(db, location.id)
    return after


def set_limit(
    db: Session,
    actor: Actor,
    location: Location,
    limit_kw: Decimal | str,
    strategy: str | None = None,
    windows: list[Window] | None = None,
) -> dict[str, Any]:
    return set_power(db, actor, location, limit_kw=limit_kw, strategy=strategy, windows=windows)


def clear_limit(db: Session, actor: Actor, location: Location) -> dict[str, Any]:
    """Smart charging off for the site (its circuits and schedule are kept)."""
    return set_power(db, actor, location, limit_kw=None)


def _limit(value: Decimal | str | None, field: str = "limit_kw") -> Decimal | None:
    if value is None:
        return None
    try:
        return values.limit_kw(value)
    except ValueError as error:
        raise InvalidField(f"{field}: {error}", field=field) from None


# --- circuits ---------------------------------------------------------------------------


def circuits_of(db: Session, location: Location) -> list[SiteCircuit]:
    query = select(SiteCircuit).where(SiteCircuit.location_id == location.id)
    return list(db.scalars(query.order_by(SiteCircuit.id)))


def circuit_view(db: Session, circuit: SiteCircuit) -> dict[str, Any]:
    parent = db.get(SiteCircuit, circuit.parent_id) if circuit.parent_id is not None else None
    stations = db.scalars(
        select(Station.ocpp_identity).where(Station.circuit_id == circuit.id).order_by(Station.id)
    )
    return {
        "uuid": str(circuit.uuid),
        "name": circuit.name,
        "limit_kw": str(circuit.limit_kw) if circuit.limit_kw is not None else None,
        "limit_a": str(circuit.limit_a) if circuit.limit_a is not None else None,
        "phases": circuit.phases,
        "parent_uuid": str(parent.uuid) if parent is not None else None,
        "stations": list(stations),
    }


def find_circuit(db: Session, location: Location, reference: str, field: str) -> SiteCircuit:
    """A circuit of the site by UUID or name; an unknown one is `field`'s error."""
    for circuit in circuits_of(db, location):
        if reference.strip() in (str(circuit.uuid), circuit.name):
            return circuit
    raise InvalidField(f"{field}: no circuit {reference!r} at {location.name}", field=field)


def get_circuit(db: Session, location: Location, reference: str) -> SiteCircuit:
    for circuit in circuits_of(db, location):
        if reference.strip() in (str(circuit.uuid), circuit.name):
            return circuit
    raise NotFound(f"no circuit {reference} at location {location.uuid}")


def add_circuit(db: Session, actor: Actor, location: Location, data: CircuitCreate) -> SiteCircuit:
    actor.require("locations", "update")
    circuit = SiteCircuit(location_id=location.id, name=_circuit_name(db, location, data.name))
    _apply(db, location, circuit, data)
    db.add(circuit)
    db.flush()
    record(db, actor, "create", "site_circuit", circuit.uuid, None, None, circuit_view(db, circuit))
    changed(db, location.id)
    return circuit


def update_circuit(
    db: Session, actor: Actor, location: Location, circuit: SiteCircuit, data: CircuitUpdate
) -> SiteCircuit:
    actor.require("locations", "update")
    before = circuit_view(db, circuit)
    if data.name is not None:
        circuit.name = _circuit_name(db, location, data.name, besides=circuit.id)
    _apply(db, location, circuit, data)
    db.flush()
    record(
        db, actor, "update", "site_circuit", circuit.uuid, None, before, circuit_view(db, circuit)
    )
    changed(db, location.id)
    return circuit


def remove_circuit(db: Session, actor: Actor, location: Location, circuit: SiteCircuit) -> None:
    """Remove a circuit nothing hangs from (move its stations and circuits first)."""
    actor.require("locations", "update")
    view = circuit_view(db, circuit)
    if view["stations"]:
        raise Conflict(
            f"circuit {circuit.name!r} still feeds stations {', '.join(view['stations'])}: "
            "move them to another circuit first"
        )
    if any(c.parent_id == circuit.id for c in circuits_of(db, location)):
        raise Conflict(f"circuit {circuit.name!r} still feeds other circuits: remove them first")
    db.delete(circuit)
    db.flush()
    record(db, actor, "delete", "site_circuit", circuit.uuid, None, view, None)
    changed(db, location.id)


def _circuit_name(db: Session, location: Location, name: str, besides: int | None = None) -> str:
    cleaned = fields.text(name, "name", max_length=100)
    if cleaned == SITE:
        raise InvalidField(f"name: {SITE!r} is the site itself", field="name")
    if any(c.name == cleaned and c.id != besides for c in circuits_of(db, location)):
        raise InvalidField(f"name: {location.name} already has a circuit {cleaned!r}", field="name")
    return cleaned


def _apply(
    db: Session,
    location: Location,
    circuit: SiteCircuit,
    data: CircuitCreate | CircuitUpdate,
) -> None:
    given = data.model_fields_set
    if "limit_kw" in given:
        circuit.limit_kw = _limit(data.limit_kw)
    if "limit_a" in given:
        circuit.limit_a = (
            fields.decimal(data.limit_a, "limit_a", places=1, below=Decimal(100_000))
            if data.limit_a is not None
            else None
        )
    if data.phases is not None:
        circuit.phases = data.phases
    elif circuit.phases is None:
        circuit.phases = 3
    if "parent_uuid" in given:
        if data.parent_uuid is None or data.parent_uuid == "":
            circuit.parent_id = None
        else:
            parent = find_circuit(db, location, data.parent_uuid, "parent_uuid")
            if circuit.id is not None and _descends(db, location, parent, circuit.id):
                raise InvalidField(
                    "parent_uuid: a circuit cannot hang from itself or a circuit below it",
                    field="parent_uuid",
                )
            circuit.parent_id = parent.id


def _descends(db: Session, location: Location, node: SiteCircuit, ancestor_id: int) -> bool:
    by_id = {c.id: c for c in circuits_of(db, location)}
    at: SiteCircuit | None = node
    seen: set[int] = set()
    while at is not None and at.id not in seen:
        if at.id == ancestor_id:
            return True
        seen.add(at.id)
        at = by_id.get(at.parent_id) if at.parent_id is not None else None
    return False


def station_circuit(db: Session, station: Station, reference: str | None) -> int | None:
    """The circuit id a station change names (by UUID or name at its own site); "" or None
    takes it off any circuit. For the stations' service."""
    if reference is None or not reference.strip():
        return None
    location = db.get(Location, station.location_id)
    assert location is not None
    return find_circuit(db, location, reference, "circuit").id


# --- a session's charging need ------------------------------------------------------------


def need_view(
    need: SessionChargingNeed | None, station: Station, connector: int, tx_id: int
) -> dict[str, Any]:
    return {
        "transaction_id": tx_id,
        "station_identity": station.ocpp_identity,
        "connector_id": connector,
        "departure_at": need.departure_at.isoformat()
        if need is not None and need.departure_at is not None
        else None,
        "energy_kwh": str(need.energy_kwh)
        if need is not None and need.energy_kwh is not None
        else None,
    }


def set_charging_need(
    db: Session,
    actor: Actor,
    station: Station,
    connector: int,
    *,
    departure_at: datetime | None,
    energy_kwh: Decimal | None,
) -> dict[str, Any]:
    """The open transaction's own departure and energy (None: its vehicle's usual ones)."""
    actor.require("stations", "update")
    tx = open_transaction_at(db, station.id, connector)
    if tx is None:
        raise Conflict(f"no open transaction on connector {connector} of {station.ocpp_identity}")
    return store_need(
        db, actor, station, connector, tx.id, departure_at=departure_at, energy_kwh=energy_kwh
    )


def store_need(
    db: Session,
    actor: Actor,
    station: Station,
    connector: int,
    tx_id: int,
    *,
    departure_at: datetime | None,
    energy_kwh: Decimal | str | None,
) -> dict[str, Any]:
    """Validate, store and audit the open transaction `tx_id`'s need (the caller checked
    who may set it)."""
    departure = fields.moment(departure_at, "departure_at") if departure_at is not None else None
    energy = (
        fields.decimal(energy_kwh, "energy_kwh", places=2, below=Decimal(10_000))
        if energy_kwh is not None
        else None
    )
    need = db.get(SessionChargingNeed, tx_id)
    before = need_view(need, station, connector, tx_id) if need is not None else None
    if need is None:
        need = SessionChargingNeed(transaction_id=tx_id)
        db.add(need)
    need.departure_at, need.energy_kwh, need.updated_at = departure, energy, utcnow()
    db.flush()
    after = need_view(need, station, connector, tx_id)
    record(db, actor, "update", "charging_need", station.uuid, None, before, after)
    changed(db, station.location_id)
    return after
