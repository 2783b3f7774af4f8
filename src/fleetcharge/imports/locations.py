"""Importing locations with their stations and connectors: a location is found by its host
organisation and name, a station by its OCPP identity, a connector by its id on the
station. Connectors the file does not list are kept (sessions refer to them).

As for vehicles: read what exists once the import holds its lock, compare in memory,
write the differences in bulk with their audit events. A station whose default tariff
changes gets a StationTariffChange from now on, so sessions started before keep their
price."""

import contextlib
import uuid as uuid_module
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fleetcharge.fleets.card_history import BEGINNING
from fleetcharge.imports.bulk import (
    AuditTrail,
    insert_returning_ids,
    insert_rows,
    taken_meanwhile,
    update_rows,
)
from fleetcharge.imports.location_rows import (
    COLUMNS,
    REQUIRED,
    LocationLine,
    StationLine,
    location_lines,
)
from fleetcharge.imports.locking import serialize
from fleetcharge.imports.problems import Problems
from fleetcharge.imports.summary import Progress, Silent, Summary
from fleetcharge.imports.table import read_table
from fleetcharge.models import (
    Connector,
    Location,
    Organisation,
    Station,
    StationTariffChange,
    Tariff,
)
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor

KINDS = ("locations", "stations", "connectors")
DEFAULT_CURRENT = "AC"
DEFAULT_POWER = Decimal("22.0")


@dataclass
class _Ref:
    """A location or station to write: its uuid, id (None until created), values."""

    uuid: UUID
    id: int | None
    values: dict[str, Any]
    version: int = 1
    before: dict[str, Any] | None = None
    changed: bool = False


@dataclass
class _StationRef(_Ref):
    location: "_Ref | None" = None
    connectors: dict[int, str] = field(default_factory=dict)  # id -> name, after the import
    new_connectors: dict[int, str] = field(default_factory=dict)
    renamed: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (row id, name)
    tariff_changed: bool = False
    old_tariff_id: int | None = None
    host_id: int | None = None  # the location's host, whose audit events these are

    def located(self) -> _Ref:
        assert self.location is not None
        return self.location


def location_view(ref: _Ref, host: tuple[UUID, str]) -> dict[str, Any]:
    v = ref.values
    return {
        "uuid": str(ref.uuid),
        "name": v["name"],
        "address": v["address"],
        "timezone": v["timezone"],
        "host_organisation": {"uuid": str(host[0]), "name": host[1]},
        "version": ref.version,
    }


def station_view(
    ref: _StationRef, location: UUID, tariff: UUID | None, connectors: dict[int, str]
) -> dict[str, Any]:
    v = ref.values
    return {
        "uuid": str(ref.uuid),
        "ocpp_identity": v["ocpp_identity"],
        "evse_id": v["evse_id"],
        "name": v["name"],
        "current_type": v["current_type"],
        "max_power_kw": str(v["max_power_kw"]),
        "location_uuid": str(location),
        "tariff_uuid": str(tariff) if tariff else None,
        "connectors": [{"connector_id": c, "name": n} for c, n in sorted(connectors.items())],
        "version": ref.version,
    }


def import_locations(
    db: Session,
    actor: Actor,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Validate the whole file, then (unless `dry_run`) write it: all or nothing.
    InvalidFile lists every problem; nothing is written then."""
    actor.require("locations", "import")
    progress = progress or Silent()
    problems = Problems()
    progress.stage("reading", 1)
    table = read_table(data, COLUMNS, REQUIRED, problems)
    progress.advance(1)
    problems.raise_any()
    progress.stage("validating", len(table.rows))
    # Rows found wrong are left out; the others are still checked against what exists.
    locations, stations = location_lines(table, problems)
    if not dry_run:
        serialize(db, "locations")
    plan = _Plan(db, "tariff" in table.columns)
    plan.compare(locations, stations, problems)
    progress.advance(len(table.rows))
    problems.raise_any()
    summary = plan.summary(dry_run)
    if not dry_run:
        progress.stage("writing", len(plan.locations) + len(plan.stations))
        with taken_meanwhile("a station identity or an evse_id"):
            plan.write(db, actor)
        progress.advance(len(plan.locations) + len(plan.stations))
    return summary


class _Plan:
    def __init__(self, db: Session, tariffs: bool) -> None:
        self.db = db
        self.set_tariffs = tariffs  # the file has the column: a blank cell removes the tariff
        self.now = utcnow()
        self.hosts: dict[str, tuple[int, UUID, str] | None] = {}
        self.tariffs: dict[str, list[tuple[int, UUID]]] = {}
        self.tariff_uuids: dict[int, UUID] = {}
        self.locations: dict[tuple[str, str], _Ref] = {}
        self.location_hosts: dict[tuple[str, str], tuple[int, UUID, str]] = {}
        self.location_uuids: dict[int, UUID] = {}  # of every location a station is or goes at
        self.stations: list[_StationRef] = []
        self.unchanged_connectors = 0

    def compare(
        self, locations: list[LocationLine], stations: list[StationLine], problems: Problems
    ) -> None:
        self._load_hosts({line.host for line in locations})
        self._load_tariffs({s.tariff for s in stations if s.tariff})
        seen: dict[tuple[int, str], LocationLine] = {}
        for line in locations:
            host = self.hosts.get(line.host)
            if host is None:
                problems.add(line.line, "host_organisation", f"no organisation {line.host!r}")
                continue
            first = seen.setdefault((host[0], line.name), line)
            if first is not line:
                problems.add(
                    line.line,
                    "host_organisation",
                    f"the host of line {first.line}'s {line.name!r}, named otherwise: name it "
                    "the same way on every row",
                )
                continue
            self.location_hosts[(line.host, line.name)] = host
        existing_locations = self._existing_locations(problems, locations)
        for line in locations:
            key = (line.host, line.name)
            if key not in self.location_hosts or key in self.locations:
                continue
            values = {"name": line.name, "address": line.address, "timezone": line.timezone}
            current = existing_locations.get(key)
            if current is None:
                self.locations[key] = _Ref(uuid4(), None, values)
                continue
            ref = _Ref(current.uuid, current.id, values, current.version)
            was = {"name": current.name, "address": current.address, "timezone": current.timezone}
            if was != values:
                ref.changed = True
                ref.before = location_view(
                    _Ref(ref.uuid, ref.id, was, ref.version), self._host(key)
                )
            self.locations[key] = ref
        self._compare_stations(stations, problems)

    def _host(self, key: tuple[str, str]) -> tuple[UUID, str]:
        _, uuid, name = self.location_hosts[key]
        return uuid, name

    def _load_hosts(self, references: set[str]) -> None:
        uuids = {}
        for reference in references:
            with contextlib.suppress(ValueError):
                uuids[uuid_module.UUID(reference)] = reference
        rows = self.db.execute(
            select(Organisation.id, Organisation.uuid, Organisation.name).where(
                or_(Organisation.name.in_(references), Organisation.uuid.in_(list(uuids)))
            )
        )
        for org_id, uuid, name in rows:
            for written in (name, uuids.get(uuid)):
                if written is not None and written in references:
                    self.hosts[written] = (org_id, uuid, name)

    def _load_tariffs(self, names: set[str]) -> None:
        rows = self.db.execute(
            select(Tariff.id, Tariff.uuid, Tariff.name).where(Tariff.name.in_(names))
        )
        for tariff_id, uuid, name in rows:
            self.tariffs.setdefault(name, []).append((tariff_id, uuid))
        self.tariff_uuids = {t: u for found in self.tariffs.values() for t, u in found}

    def _existing_locations(
        self, problems: Problems, lines: list[LocationLine]
    ) -> dict[tuple[str, str], Any]:
        host_ids = {host[0]: reference for reference, host in self.hosts.items() if host}
        by_host: dict[tuple[int, str], list[Any]] = {}
        query = select(
            Location.id,
            Location.uuid,
            Location.host_organisation_id,
            Location.name,
            Location.address,
            Location.timezone,
            Location.version,
        ).where(Location.host_organisation_id.in_(list(host_ids)))
        for row in self.db.execute(query):
            by_host.setdefault((row.host_organisation_id, row.name), []).append(row)
        found: dict[tuple[str, str], Any] = {}
        for line in lines:
            key = (line.host, line.name)
            host = self.location_hosts.get(key)
            if host is None:
                continue
            matches = by_host.get((host[0], line.name), [])
            if len(matches) > 1:
                problems.add(
                    line.line, "location", f"{line.name!r} names more than one location of its host"
                )
            elif matches:
                found[key] = matches[0]
        self.location_uuids = {row.id: row.uuid for rows in by_host.values() for row in rows}
        return found

    def _compare_stations(self, lines: list[StationLine], problems: Problems) -> None:
        identities = [line.identity for line in lines]
        evse_ids = [line.evse_id for line in lines]
        columns = (
            Station.id,
            Station.uuid,
            Station.ocpp_identity,
            Station.evse_id,
            Station.name,
            Station.current_type,
            Station.max_power_kw,
            Station.tariff_id,
            Station.location_id,
            Station.decommissioned_at,
            Station.version,
        )
        existing: dict[str, Any] = {}
        evse_owners: dict[str, str] = {}
        for start in range(0, len(lines), 5000):
            chunk = slice(start, start + 5000)
            query = select(*columns).where(
                or_(
                    Station.ocpp_identity.in_(identities[chunk]),
                    Station.evse_id.in_(evse_ids[chunk]),
                )
            )
            for row in self.db.execute(query):
                existing[row.ocpp_identity] = row
                evse_owners[row.evse_id] = row.ocpp_identity
        location_ids = {s.location_id for s in existing.values()} - set(self.location_uuids)
        if location_ids:
            where = Location.id.in_(location_ids)
            for location_id, uuid in self.db.execute(
                select(Location.id, Location.uuid).where(where)
            ):
                self.location_uuids[location_id] = uuid
        connectors = self._existing_connectors([s.id for s in existing.values()])
        for line in lines:
            self._compare_station(
                line, existing.get(line.identity), evse_owners, connectors, problems
            )

    def _existing_connectors(self, station_ids: list[int]) -> dict[int, dict[int, tuple[int, str]]]:
        found: dict[int, dict[int, tuple[int, str]]] = {}
        for start in range(0, len(station_ids), 5000):
            query = select(
                Connector.id, Connector.station_id, Connector.connector_id, Connector.name
            ).where(Connector.station_id.in_(station_ids[start : start + 5000]))
            for row_id, station_id, connector_id, name in self.db.execute(query):
                found.setdefault(station_id, {})[connector_id] = (row_id, name)
        return found

    def _compare_station(
        self,
        line: StationLine,
        current: Any,
        evse_owners: dict[str, str],
        connectors: dict[int, dict[int, tuple[int, str]]],
        problems: Problems,
    ) -> None:
        owner = evse_owners.get(line.evse_id)
        if owner is not None and owner != line.identity:
            problems.add(line.line, "evse_id", f"evse_id {line.evse_id} is station {owner}'s")
        if current is not None and current.decommissioned_at is not None:
            problems.add(
                line.line,
                "station_identity",
                f"station {line.identity} is decommissioned; its identity is not reused",
            )
        tariff_id = current.tariff_id if current is not None and not self.set_tariffs else None
        if line.tariff:
            found = self.tariffs.get(line.tariff, [])
            if len(found) != 1:
                what = "no tariff" if not found else "more than one tariff"
                problems.add(line.line, "tariff", f"{what} is named {line.tariff!r}")
            else:
                tariff_id = found[0][0]
        location = self.locations.get(line.location_key)
        if problems or location is None:
            return
        values = {
            "ocpp_identity": line.identity,
            "evse_id": line.evse_id,
            "name": line.name,
            "current_type": line.current_type or DEFAULT_CURRENT,
            "max_power_kw": line.max_power_kw if line.max_power_kw is not None else DEFAULT_POWER,
            "tariff_id": tariff_id,
        }
        if current is None:
            host = self.location_hosts[line.location_key][0]
            ref = _StationRef(uuid4(), None, values, location=location, host_id=host)
            for number, (_, name) in sorted(line.connectors.items()):
                ref.new_connectors[number] = ref.connectors[number] = name or f"Connector {number}"
            self.stations.append(ref)
            return
        was = {key: getattr(current, key) for key in values}
        if line.current_type is None:
            values["current_type"] = current.current_type
        if line.max_power_kw is None:
            values["max_power_kw"] = current.max_power_kw
        host = self.location_hosts[line.location_key][0]
        ref = _StationRef(
            current.uuid, current.id, values, current.version, location=location, host_id=host
        )
        had = {number: name for number, (_, name) in connectors.get(current.id, {}).items()}
        ref.connectors = dict(had)
        for number, (_, name) in sorted(line.connectors.items()):
            if number not in had:
                ref.new_connectors[number] = ref.connectors[number] = name or f"Connector {number}"
            elif name is not None and name != had[number]:
                ref.renamed[number] = (connectors[current.id][number][0], name)
                ref.connectors[number] = name
            else:
                self.unchanged_connectors += 1
        moved = location.id != current.location_id
        ref.tariff_changed = values["tariff_id"] != current.tariff_id
        ref.old_tariff_id = current.tariff_id
        if was != values or moved or ref.new_connectors or ref.renamed:
            ref.changed = True
            old = _StationRef(current.uuid, current.id, was, current.version)
            ref.before = station_view(
                old,
                self.location_uuids[current.location_id],
                self.tariff_uuid(current.tariff_id),
                had,
            )
        self.stations.append(ref)

    def _with_history(self, station_ids: list[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(station_ids), 5000):
            chunk = station_ids[start : start + 5000]
            query = select(StationTariffChange.station_id).where(
                StationTariffChange.station_id.in_(chunk)
            )
            found.update(self.db.scalars(query.distinct()))
        return found

    def tariff_uuid(self, tariff_id: int | None) -> UUID | None:
        if tariff_id is None:
            return None
        if tariff_id not in self.tariff_uuids:
            self.tariff_uuids[tariff_id] = self.db.execute(
                select(Tariff.uuid).where(Tariff.id == tariff_id)
            ).scalar_one()
        return self.tariff_uuids[tariff_id]

    def summary(self, dry_run: bool) -> Summary:
        summary = Summary(KINDS, dry_run)
        for kind, refs in (("locations", self.locations.values()), ("stations", self.stations)):
            counts = summary[kind]
            for ref in refs:
                if ref.id is None:
                    counts.created += 1
                elif ref.changed:
                    counts.updated += 1
                else:
                    counts.unchanged += 1
        connectors = summary["connectors"]
        connectors.created = sum(len(s.new_connectors) for s in self.stations)
        connectors.updated = sum(len(s.renamed) for s in self.stations)
        connectors.unchanged = self.unchanged_connectors
        return summary

    def write(self, db: Session, actor: Actor) -> None:
        trail = AuditTrail(actor, self.now)
        new = [(k, r) for k, r in self.locations.items() if r.id is None]
        rows = [
            {**r.values, "uuid": r.uuid, "created_at": self.now}
            | {"host_organisation_id": self.location_hosts[k][0]}
            for k, r in new
        ]
        for (key, ref), location_id in zip(
            new, insert_returning_ids(db, Location, rows), strict=True
        ):
            ref.id = location_id
            host = self.location_hosts[key]
            trail.add(
                "create", "location", ref.uuid, host[0], None, location_view(ref, self._host(key))
            )
        changed = [(k, r) for k, r in self.locations.items() if r.changed]
        update_rows(
            db, Location, [{**r.values, "id": r.id, "version": r.version + 1} for _, r in changed]
        )
        for key, ref in changed:
            ref.version += 1
            after = location_view(ref, self._host(key))
            trail.add(
                "update", "location", ref.uuid, self.location_hosts[key][0], ref.before, after
            )
        self._write_stations(db, trail)
        trail.write(db)

    def _write_stations(self, db: Session, trail: AuditTrail) -> None:
        new = [s for s in self.stations if s.id is None]
        rows = [
            {**s.values, "uuid": s.uuid, "location_id": s.located().id, "created_at": self.now}
            for s in new
        ]
        for ref, station_id in zip(new, insert_returning_ids(db, Station, rows), strict=True):
            ref.id = station_id
        changed = [s for s in self.stations if s.changed]
        update_rows(
            db,
            Station,
            [
                {**s.values, "id": s.id, "location_id": s.located().id, "version": s.version + 1}
                for s in changed
            ],
        )
        insert_rows(
            db,
            Connector,
            [
                {"station_id": s.id, "connector_id": number, "name": name}
                for s in self.stations
                for number, name in s.new_connectors.items()
            ],
        )
        update_rows(
            db,
            Connector,
            [
                {"id": row_id, "name": name}
                for s in self.stations
                for row_id, name in s.renamed.values()
            ],
        )
        retariffed = [s for s in changed if s.tariff_changed]
        # As a card's history: a station's first change row says which tariff it had until
        # then, so sessions started before keep their price.
        with_history = self._with_history([s.id for s in retariffed if s.id is not None])
        history = [
            (s.id, s.old_tariff_id, BEGINNING) for s in retariffed if s.id not in with_history
        ]
        history += [(s.id, s.values["tariff_id"], self.now) for s in retariffed]
        insert_rows(
            db,
            StationTariffChange,
            [{"station_id": s, "tariff_id": t, "valid_from": at} for s, t, at in history],
        )
        for ref in new + changed:
            if ref.changed:
                ref.version += 1
            tariff = self.tariff_uuid(ref.values["tariff_id"])
            view = station_view(ref, ref.located().uuid, tariff, ref.connectors)
            action = "update" if ref.changed else "create"
            trail.add(action, "station", ref.uuid, ref.host_id, ref.before, view)
