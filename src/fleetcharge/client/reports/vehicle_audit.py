"""Vehicle audit: the vehicle register (`/vehicles`) against who charged (`/usage`).

Sessions are joined to vehicles by VIN. A VIN may be registered more than once (a vehicle
retired and registered again under a new contract), so a session goes to the registration
in effect on its local completion date; failing that, to the latest registration of the
VIN, with a `charged_outside_registration` finding.

A vehicle's status is taken at the end of the period (`date_to`): `active` (in effect
then), `retired` (retired by then) or `future` (not yet in effect).

Findings, one row each:
- `active_vehicle`, `retired_vehicle`, `future_vehicle`: the register, with each
  vehicle's sessions, energy and cost in the period;
- `cardless_vehicle`: an active or future vehicle with no card (retired ones are
  expected to have none);
- `card_never_charged`: a card of an active vehicle with no session in the period;
- `unregistered_auth_id`: an id tag on sessions that no registered vehicle carries;
- `active_vehicle_without_sessions`: joined by VIN;
- `unregistered_vin`: sessions whose VIN is not on the register;
- `charged_outside_registration`: a session completed outside its VIN's registrations.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from fleetcharge.client.models import UsageSession, Vehicle
from fleetcharge.client.reports.table import ZERO, energy, local_date, money

FINDINGS = (
    "active_vehicle",
    "retired_vehicle",
    "future_vehicle",
    "cardless_vehicle",
    "card_never_charged",
    "unregistered_auth_id",
    "active_vehicle_without_sessions",
    "unregistered_vin",
    "charged_outside_registration",
)


@dataclass(frozen=True)
class AuditRow:
    finding: str
    vin: str
    registration_number: str
    contract_number: str
    fleet: str
    id_tag: str
    status: str
    effective_from: date | None
    effective_to: date | None
    sessions: int
    energy_kwh: Decimal
    cost: Decimal
    last_session: datetime | None
    detail: str


def status(vehicle: Vehicle, as_of: date) -> str:
    if vehicle.effective_from is not None and vehicle.effective_from > as_of:
        return "future"
    if vehicle.effective_to is not None and vehicle.effective_to < as_of:
        return "retired"
    return "active"


def _in_effect(vehicle: Vehicle, day: date) -> bool:
    starts, ends = vehicle.effective_from, vehicle.effective_to
    return (starts is None or starts <= day) and (ends is None or day <= ends)


def _row(
    finding: str,
    vehicle: Vehicle | None,
    as_of: date,
    sessions: list[UsageSession],
    *,
    vin: str = "",
    id_tag: str = "",
    detail: str = "",
) -> AuditRow:
    return AuditRow(
        finding=finding,
        vin=vehicle.vin if vehicle else vin,
        registration_number=(vehicle.registration_number or "") if vehicle else "",
        contract_number=(vehicle.contract_number or "") if vehicle else "",
        fleet=vehicle.customer.name if vehicle and vehicle.customer else "",
        id_tag=id_tag,
        status=status(vehicle, as_of) if vehicle else "",
        effective_from=vehicle.effective_from if vehicle else None,
        effective_to=vehicle.effective_to if vehicle else None,
        sessions=len(sessions),
        energy_kwh=energy(sum((s.consumption or ZERO for s in sessions), ZERO)),
        cost=money(sum((s.cost_to_driver or ZERO for s in sessions), ZERO)),
        last_session=max((s.stop_date_time for s in sessions), default=None),
        detail=detail,
    )


def _attribute(
    vehicles: list[Vehicle], usage: list[UsageSession]
) -> tuple[dict[str, list[UsageSession]], list[tuple[UsageSession, Vehicle]], list[UsageSession]]:
    """Sessions per vehicle uuid; sessions outside any registration of their VIN (with the
    registration they were given to); sessions whose VIN is not registered at all."""
    by_vin: dict[str, list[Vehicle]] = defaultdict(list)
    for vehicle in vehicles:
        by_vin[vehicle.vin].append(vehicle)
    per_vehicle: dict[str, list[UsageSession]] = defaultdict(list)
    outside: list[tuple[UsageSession, Vehicle]] = []
    unregistered: list[UsageSession] = []
    for session in usage:
        candidates = by_vin.get(session.vehicle.vin)
        if not candidates:
            unregistered.append(session)
            continue
        day = local_date(session.stop_date_time, session.location.timezone)
        chosen = next((v for v in candidates if _in_effect(v, day)), None)
        if chosen is None:
            chosen = max(candidates, key=lambda v: (v.effective_from or date.min, v.uuid))
            outside.append((session, chosen))
        per_vehicle[chosen.uuid].append(session)
    return per_vehicle, outside, unregistered


def vehicle_audit(
    vehicles: Iterable[Vehicle], usage: Iterable[UsageSession], as_of: date
) -> list[AuditRow]:
    """The audit rows, grouped by finding in the order of `FINDINGS`."""
    register = sorted(vehicles, key=lambda v: (v.vin, v.effective_from or date.min, v.uuid))
    sessions = sorted(usage, key=lambda s: (s.stop_date_time, s.uuid))
    per_vehicle, outside, unregistered_vins = _attribute(register, sessions)
    per_tag: dict[str, list[UsageSession]] = defaultdict(list)
    for session in sessions:
        per_tag[session.auth_id].append(session)
    registered_tags = {tag for vehicle in register for tag in vehicle.id_tags}

    rows: list[AuditRow] = []
    for vehicle in register:
        charged = per_vehicle.get(vehicle.uuid, [])
        state = status(vehicle, as_of)
        rows.append(_row(f"{state}_vehicle", vehicle, as_of, charged))
        if state == "retired":
            continue
        if not vehicle.cards:
            rows.append(_row("cardless_vehicle", vehicle, as_of, charged))
        for tag in vehicle.id_tags:
            if state == "active" and not per_tag.get(tag):
                rows.append(_row("card_never_charged", vehicle, as_of, [], id_tag=tag))
        if state == "active" and not charged:
            rows.append(_row("active_vehicle_without_sessions", vehicle, as_of, []))
    for tag, tagged in sorted(per_tag.items()):
        if tag not in registered_tags:
            vins = sorted({s.vehicle.vin for s in tagged})
            detail = f"sessions attributed to VIN {', '.join(vins)}"
            rows.append(
                _row("unregistered_auth_id", None, as_of, tagged, id_tag=tag, detail=detail)
            )
    for vin in sorted({s.vehicle.vin for s in unregistered_vins}):
        vin_sessions = [s for s in unregistered_vins if s.vehicle.vin == vin]
        rows.append(_row("unregistered_vin", None, as_of, vin_sessions, vin=vin))
    for session, vehicle in outside:
        day = local_date(session.stop_date_time, session.location.timezone)
        detail = f"session {session.uuid} completed {day.isoformat()}"
        rows.append(
            _row(
                "charged_outside_registration",
                vehicle,
                as_of,
                [session],
                id_tag=session.auth_id,
                detail=detail,
            )
        )
    return sorted(rows, key=lambda row: FINDINGS.index(row.finding))
