"""Importing an organisation's vehicles with their cards: upsert by VIN.

What exists is read in a few queries once the import holds its lock, compared in memory
with the file, and only the differences are written, in bulk, each created or changed
object with its audit event. A card given to a vehicle it was not on gets a
CardAssignment from now on, so sessions it started before keep their vehicle."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import InvalidField, InvalidParameter
from fleetcharge.fleets import events
from fleetcharge.fleets.card_history import BEGINNING
from fleetcharge.imports.bulk import (
    AuditTrail,
    insert_returning_ids,
    insert_rows,
    taken_meanwhile,
    update_rows,
)
from fleetcharge.imports.locking import serialize
from fleetcharge.imports.problems import Problems
from fleetcharge.imports.summary import Progress, Silent, Summary
from fleetcharge.imports.table import read_table
from fleetcharge.imports.vehicle_rows import COLUMNS, VehicleLine, vehicle_lines
from fleetcharge.kit import fields
from fleetcharge.models import Card, CardAssignment, Fleet, Organisation, Vehicle
from fleetcharge.models.base import utcnow
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.permissions import Actor
from fleetcharge.timezones import local_date
from fleetcharge.webhooks import event_types

KINDS = ("vehicles", "cards", "fleets")
# Keys looked up per query: within every driver's limit of bound parameters.
CHUNK = 5000


@dataclass
class FleetRef:
    name: str
    uuid: UUID
    id: int | None = None  # None until created

    def view(self) -> dict[str, Any]:
        return {"uuid": str(self.uuid), "name": self.name}


@dataclass
class VehicleRef:
    uuid: UUID
    id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


def vehicle_view(
    vehicle: VehicleRef, values: dict[str, Any], fleet: FleetRef, owner: Organisation, version: int
) -> dict[str, Any]:
    """As `fleets.vehicle_records.vehicle_view` shows an active vehicle, but for its id tags
    (its cards' events say where each card went)."""
    assert vehicle.created_at is not None
    return {
        "uuid": str(vehicle.uuid),
        "vin": values["vin"],
        "registration_number": values["registration_number"],
        "contract_number": values["contract_number"],
        "fleet": fleet.view(),
        "organisation": {"uuid": str(owner.uuid), "name": owner.name},
        "effective_from": values["effective_from"].isoformat(),
        "effective_to": None,  # only active vehicles are found by their VIN
        "status": "active",
        "created_at": vehicle.created_at.isoformat(),
        "version": version,
    }


def card_view(
    card: Any, vehicle: VehicleRef | None, organisation: dict[str, str] | None, version: int
) -> dict[str, Any]:
    """As `fleets.cards.card_view` shows a card (here from a row of `_Plan._cards`)."""
    expires = card.expires_at
    return {
        "uuid": str(card.uuid),
        "id_tag": card.id_tag,
        "status": card.status,
        "expired": expires is not None and expires <= utcnow(),
        "expires_at": expires.isoformat() if expires else None,
        "vehicle": {"uuid": str(vehicle.uuid), "vin": vehicle.values["vin"]} if vehicle else None,
        "organisation": organisation,
        "created_at": card.created_at.isoformat(),
        "version": version,
    }


@dataclass(frozen=True)
class _NewCard:
    uuid: UUID
    id_tag: str
    created_at: datetime
    status: CardStatus = CardStatus.ACTIVE
    expires_at: datetime | None = None


def import_vehicles(
    db: Session,
    actor: Actor,
    organisation: Organisation,
    data: bytes,
    *,
    fleet: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Validate the whole file, then (unless `dry_run`) write it: all or nothing.
    InvalidFile lists every problem; nothing is written then."""
    actor.require("vehicles", "import")
    actor.visible_to(organisation.id, "organisation", organisation.uuid)
    progress = progress or Silent()
    default_fleet = None
    if fleet is not None:
        try:
            default_fleet = fields.text(fleet, "fleet", max_length=200)
        except InvalidField as error:
            raise InvalidParameter(error.message, parameter="fleet") from None
    problems = Problems()
    required = frozenset({"vin", "registration_number"} | ({"fleet"} if fleet is None else set()))
    progress.stage("reading", 1)
    table = read_table(data, COLUMNS, required, problems)
    progress.advance(1)
    problems.raise_any()
    progress.stage("validating", len(table.rows))
    # Rows found wrong are left out of `lines`; the others are still checked against what
    # exists, so that one run reports every problem.
    lines = vehicle_lines(table, problems)
    if not dry_run:
        serialize(db, "vehicles")
    plan = _Plan(db, actor, organisation, default_fleet, "contract_number" in table.columns)
    plan.compare(lines, problems, progress)
    problems.raise_any()
    summary = plan.summary(dry_run)
    if not dry_run:
        progress.stage("writing", plan.writes)
        with taken_meanwhile("a VIN or an id tag"):
            plan.write(db, actor, progress)
    return summary


class _Plan:
    """What the file changes, against what the organisation has now."""

    def __init__(
        self,
        db: Session,
        actor: Actor,
        organisation: Organisation,
        default_fleet: str | None,
        contracts: bool,
    ) -> None:
        self.db = db
        self.actor = actor
        self.organisation = organisation
        self.default_fleet = default_fleet
        self.contracts = contracts  # the file has the column: a blank cell clears the number
        self.now = utcnow()
        self.today = local_date(self.now, organisation.billing_timezone)
        self.fleets: dict[str, FleetRef] = {}
        self.fleets_by_id: dict[int, FleetRef] = {}
        self.ambiguous: set[str] = set()
        self.fleets_used: set[str] = set()
        self.new_vehicles: list[tuple[VehicleRef, FleetRef]] = []
        self.changed_vehicles: list[tuple[VehicleRef, FleetRef, dict[str, Any], int]] = []
        self.unchanged_vehicles = 0
        # Cards: new ones (id tag, vehicle), moved ones (existing row, vehicle).
        self.new_cards: list[tuple[str, VehicleRef]] = []
        self.moved_cards: list[tuple[Any, VehicleRef]] = []
        self.unchanged_cards = 0

    def compare(self, lines: list[VehicleLine], problems: Problems, progress: Progress) -> None:
        self._load_fleets()
        vehicles = self._active_vehicles([line.vin for line in lines])
        cards = self._cards([tag for line in lines for tag in line.id_tags])
        org = self.organisation.id
        for done, line in enumerate(lines, start=1):
            if done % 500 == 0:
                progress.advance(500)
            current = vehicles.get(line.vin)
            if current is not None and current.organisation_id != org:
                problems.add(
                    line.line, "vin", f"vin {line.vin} is an active vehicle of another organisation"
                )
                continue
            fleet = self._fleet(line, current, problems)
            tag_problems = [
                problem
                for tag in line.id_tags
                if tag in cards and (problem := self._foreign(cards[tag])) is not None
            ]
            for problem in tag_problems:
                problems.add(line.line, "cards", problem)
            if fleet is None or tag_problems or problems:
                continue
            vehicle = self._vehicle(line, current, fleet)
            for tag in line.id_tags:
                card = cards.get(tag)
                if card is None:
                    self.new_cards.append((tag, vehicle))
                elif vehicle.id is not None and card.vehicle_id == vehicle.id:
                    self.unchanged_cards += 1
                else:
                    self.moved_cards.append((card, vehicle))
        progress.advance(len(lines) % 500)

    def _load_fleets(self) -> None:
        rows = self.db.execute(
            select(Fleet.id, Fleet.uuid, Fleet.name).where(
                Fleet.organisation_id == self.organisation.id
            )
        )
        for fleet_id, uuid, name in rows:
            ref = FleetRef(name, uuid, fleet_id)
            self.fleets_by_id[fleet_id] = ref
            if name in self.fleets:
                self.ambiguous.add(name)
            self.fleets[name] = ref

    def _active_vehicles(self, vins: Sequence[str]) -> dict[str, Any]:
        columns = (
            Vehicle.id,
            Vehicle.uuid,
            Vehicle.vin,
            Vehicle.organisation_id,
            Vehicle.fleet_id,
            Vehicle.registration_number,
            Vehicle.contract_number,
            Vehicle.effective_from,
            Vehicle.created_at,
            Vehicle.version,
        )
        found: dict[str, Any] = {}
        for chunk in _chunks(vins):
            query = select(*columns).where(Vehicle.vin.in_(chunk), Vehicle.effective_to.is_(None))
            found.update((row.vin, row) for row in self.db.execute(query))
        return found

    def _foreign(self, card: Any) -> str | None:
        """Why the organisation may not take this card, if it may not."""
        owner = card.organisation_id if card.organisation_id is not None else card.vehicle_org
        if owner is None and self.actor.organisation_id is not None:
            return f"card {card.id_tag} is a network card: an operator may give it to a vehicle"
        if owner not in (None, self.organisation.id):
            return f"card {card.id_tag} is another organisation's"
        return None

    def _cards(self, tags: Sequence[str]) -> dict[str, Any]:
        columns = (
            Card.id,
            Card.uuid,
            Card.id_tag,
            Card.vehicle_id,
            Card.organisation_id,
            Card.status,
            Card.expires_at,
            Card.created_at,
            Card.version,
            Vehicle.organisation_id.label("vehicle_org"),
            Vehicle.uuid.label("vehicle_uuid"),
            Vehicle.vin.label("vehicle_vin"),
        )
        found: dict[str, Any] = {}
        for chunk in _chunks(tags):
            query = (
                select(*columns)
                .outerjoin(Vehicle, Vehicle.id == Card.vehicle_id)
                .where(Card.id_tag.in_(chunk))
            )
            found.update((row.id_tag, row) for row in self.db.execute(query))
        return found

    def _fleet(self, line: VehicleLine, current: Any, problems: Problems) -> FleetRef | None:
        name = line.fleet or self.default_fleet
        if name is None:
            if current is not None:
                return self.fleets_by_id[current.fleet_id]
            problems.add(line.line, "fleet", "fleet is required for a new vehicle")
            return None
        if name in self.ambiguous:
            problems.add(
                line.line, "fleet", f"more than one fleet is named {name!r}: rename one first"
            )
            return None
        self.fleets_used.add(name)
        if name not in self.fleets:
            self.fleets[name] = FleetRef(name, uuid4())
        return self.fleets[name]

    def _vehicle(self, line: VehicleLine, current: Any, fleet: FleetRef) -> VehicleRef:
        values = {
            "vin": line.vin,
            "registration_number": line.registration_number,
            "contract_number": line.contract_number,
            "effective_from": line.effective_from or self.today,
        }
        if current is None:
            vehicle = VehicleRef(uuid4(), values=values, created_at=self.now)
            self.new_vehicles.append((vehicle, fleet))
            return vehicle
        before = {
            "vin": current.vin,
            "registration_number": current.registration_number,
            "contract_number": current.contract_number,
            "effective_from": current.effective_from,
        }
        if not self.contracts:
            values["contract_number"] = current.contract_number
        if line.effective_from is None:
            values["effective_from"] = current.effective_from
        vehicle = VehicleRef(current.uuid, current.id, values, current.created_at)
        if values == before and fleet.id == current.fleet_id:
            self.unchanged_vehicles += 1
        else:
            old_fleet = self.fleets_by_id[current.fleet_id]
            was = vehicle_view(vehicle, before, old_fleet, self.organisation, current.version)
            self.changed_vehicles.append((vehicle, fleet, was, current.version))
        return vehicle

    @property
    def writes(self) -> int:
        return (
            len(self.new_vehicles)
            + len(self.changed_vehicles)
            + len(self.new_cards)
            + len(self.moved_cards)
        )

    def summary(self, dry_run: bool) -> Summary:
        summary = Summary(KINDS, dry_run)
        summary["vehicles"].created = len(self.new_vehicles)
        summary["vehicles"].updated = len(self.changed_vehicles)
        summary["vehicles"].unchanged = self.unchanged_vehicles
        summary["cards"].created = len(self.new_cards)
        summary["cards"].updated = len(self.moved_cards)
        summary["cards"].unchanged = self.unchanged_cards
        created = sum(1 for name in self.fleets_used if self.fleets[name].id is None)
        summary["fleets"].created = created
        summary["fleets"].unchanged = len(self.fleets_used) - created
        return summary

    def write(self, db: Session, actor: Actor, progress: Progress) -> None:
        org = self.organisation.id
        trail = AuditTrail(actor, self.now)
        new_fleets = [self.fleets[n] for n in sorted(self.fleets_used) if self.fleets[n].id is None]
        rows = [
            {"uuid": f.uuid, "organisation_id": org, "name": f.name, "created_at": self.now}
            for f in new_fleets
        ]
        for ref, fleet_id in zip(new_fleets, insert_returning_ids(db, Fleet, rows), strict=True):
            ref.id = fleet_id
            trail.add("create", "fleet", ref.uuid, org, None, {**ref.view(), "version": 1})

        rows = [
            {
                **v.values,
                "uuid": v.uuid,
                "organisation_id": org,
                "fleet_id": f.id,
                "created_at": self.now,
            }
            for v, f in self.new_vehicles
        ]
        ids = insert_returning_ids(db, Vehicle, rows)
        for (vehicle, fleet), vehicle_id in zip(self.new_vehicles, ids, strict=True):
            vehicle.id = vehicle_id
            trail.add(
                "create",
                "vehicle",
                vehicle.uuid,
                org,
                None,
                vehicle_view(vehicle, vehicle.values, fleet, self.organisation, 1),
            )
        progress.advance(len(rows))
        update_rows(
            db,
            Vehicle,
            [
                {**v.values, "id": v.id, "fleet_id": f.id, "version": version + 1}
                for v, f, _, version in self.changed_vehicles
            ],
        )
        for vehicle, fleet, before, version in self.changed_vehicles:
            after = vehicle_view(vehicle, vehicle.values, fleet, self.organisation, version + 1)
            trail.add("update", "vehicle", vehicle.uuid, org, before, after)
        progress.advance(len(self.changed_vehicles))
        self._write_cards(db, trail)
        progress.advance(len(self.new_cards) + len(self.moved_cards))
        trail.write(db)
        self._announce(db)

    def _announce(self, db: Session) -> None:
        """vehicle.created for the new vehicles, vehicle.updated for those changed or whose
        cards changed (the vehicles the moved cards left too)."""
        created = [vehicle.id for vehicle, _ in self.new_vehicles if vehicle.id is not None]
        touched = [vehicle.id for vehicle, _, _, _ in self.changed_vehicles]
        touched += [vehicle.id for _, vehicle in [*self.new_cards, *self.moved_cards]]
        touched += [card.vehicle_id for card, _ in self.moved_cards]
        updated = sorted({i for i in touched if i is not None} - set(created))
        changes = [(vehicle_id, event_types.VEHICLE_CREATED) for vehicle_id in created]
        changes += [(vehicle_id, event_types.VEHICLE_UPDATED) for vehicle_id in updated]
        events.vehicles_changed(db, changes)

    def _write_cards(self, db: Session, trail: AuditTrail) -> None:
        org = self.organisation.id
        ours = {"uuid": str(self.organisation.uuid), "name": self.organisation.name}
        new = [(_NewCard(uuid4(), tag, self.now), vehicle) for tag, vehicle in self.new_cards]
        rows = [
            {"uuid": card.uuid, "id_tag": card.id_tag, "vehicle_id": vehicle.id}
            | {"organisation_id": org, "status": card.status, "created_at": self.now}
            for card, vehicle in new
        ]
        card_ids = insert_returning_ids(db, Card, rows)
        for card, vehicle in new:
            trail.add("create", "card", card.uuid, org, None, card_view(card, vehicle, ours, 1))
        moved = self.moved_cards
        update_rows(
            db,
            Card,
            [
                {"id": card.id, "vehicle_id": vehicle.id, "organisation_id": org}
                | {"version": card.version + 1}
                for card, vehicle in moved
            ],
        )
        for card, vehicle in moved:
            was = VehicleRef(card.vehicle_uuid, card.vehicle_id, {"vin": card.vehicle_vin})
            before = card_view(
                card, was if card.vehicle_id else None, ours if card.organisation_id else None,
                card.version,
            )  # fmt: skip
            after = card_view(card, vehicle, ours, card.version + 1)
            trail.add("assign", "card", card.uuid, org, before, after)
        # As `fleets.card_history.reassign` keeps it: a card's first assignment row says
        # where it was until then, so sessions before the move keep their vehicle.
        with_history = self._with_history([card.id for card, _ in moved])
        history: list[tuple[int, int | None, datetime]]
        history = [(card_id, None, BEGINNING) for card_id in card_ids]
        history += [(c.id, c.vehicle_id, BEGINNING) for c, _ in moved if c.id not in with_history]
        history += [
            (card_id, v.id, self.now) for card_id, (_, v) in zip(card_ids, new, strict=True)
        ]
        history += [(card.id, vehicle.id, self.now) for card, vehicle in moved]
        insert_rows(
            db,
            CardAssignment,
            [{"card_id": c, "vehicle_id": v, "valid_from": at} for c, v, at in history],
        )

    def _with_history(self, card_ids: list[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(card_ids), CHUNK):
            chunk = card_ids[start : start + CHUNK]
            query = select(CardAssignment.card_id).where(CardAssignment.card_id.in_(chunk))
            found.update(self.db.scalars(query.distinct()))
        return found


def _chunks(keys: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]
