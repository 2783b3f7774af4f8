"""Importing locations with their stations and connectors: one row per connector, upsert by
station identity, tariff changes with their history, every problem by line and column."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.db import unit_of_work
from fleetcharge.imports.locations import import_locations
from fleetcharge.imports.problems import InvalidFile
from fleetcharge.imports.summary import Summary
from fleetcharge.models import (
    AuditEvent,
    Connector,
    Location,
    Organisation,
    Station,
    StationTariffChange,
)
from fleetcharge.permissions import Actor
from tests import factories as f
from tests.imports.files import csv_text

ACTOR = Actor.command_line()
HEADER = [
    "location",
    "host_organisation",
    "address",
    "timezone",
    "station_identity",
    "evse_id",
    "station_name",
    "current_type",
    "max_power_kw",
    "tariff",
    "connector_id",
    "connector_name",
]
WHARF = ["Wharf", "Harbour", "1 Quay St", "Australia/Sydney"]


def load(engine: Engine, text: str) -> Summary:
    with unit_of_work(engine) as db:
        return import_locations(db, ACTOR, text.encode())


def problems_of(engine: Engine, text: str) -> list[str]:
    with pytest.raises(InvalidFile) as raised:
        load(engine, text)
    return [str(problem) for problem in raised.value.problems]


@pytest.fixture
def tariffs(engine: Engine) -> dict[str, int]:
    with unit_of_work(engine) as db:
        f.organisation(db, "Harbour")
        found = {}
        for name in ("Std", "Fast", "Twin", "Twin"):
            tariff = f.tariff(db)
            tariff.name = name
            found[name] = tariff.id
        return found


def test_load_reload_and_change_stations(engine: Engine, tariffs: dict[str, int]) -> None:
    rows = [
        [*WHARF, "CP1", "AU*E1", "Bay 1", "AC", "22", "Std", "1", "Type 2"],
        [*WHARF, "CP2", "AU*E2", "Fast", "DC", "150", "Fast", "1", "CCS2"],
        [*WHARF, "CP2", "AU*E2", "Fast", "DC", "150", "Fast", "2", ""],
    ]
    first = load(engine, csv_text(HEADER, rows)).view()
    assert first == {
        "dry_run": False,
        "locations": {"created": 1, "updated": 0, "unchanged": 0},
        "stations": {"created": 2, "updated": 0, "unchanged": 0},
        "connectors": {"created": 3, "updated": 0, "unchanged": 0},
    }
    with unit_of_work(engine) as db:
        cp2 = db.scalars(select(Station).where(Station.ocpp_identity == "CP2")).one()
        assert (cp2.current_type, cp2.max_power_kw, cp2.tariff_id) == (
            "DC",
            Decimal("150.0"),
            tariffs["Fast"],
        )
        assert [(c.connector_id, c.name) for c in cp2.connectors] == [
            (1, "CCS2"),
            (2, "Connector 2"),
        ]
        cp2_id = cp2.id
    again = load(engine, csv_text(HEADER, rows)).view()
    assert again["stations"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again["connectors"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert again["locations"] == {"created": 0, "updated": 0, "unchanged": 1}

    rows[1][9] = rows[2][9] = "Std"  # CP2's tariff changes
    rows[2][11] = "CHAdeMO"  # its second connector is renamed
    rows.append([*WHARF, "CP2", "AU*E2", "Fast", "DC", "150", "Std", "3", "Type 2"])
    before = datetime.now(UTC)
    changed = load(engine, csv_text(HEADER, rows)).view()
    assert changed["stations"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert changed["connectors"] == {"created": 1, "updated": 1, "unchanged": 2}
    with unit_of_work(engine) as db:
        cp2 = db.get_one(Station, cp2_id)
        assert cp2 is not None and cp2.tariff_id == tariffs["Std"] and cp2.version == 2
        assert [c.name for c in cp2.connectors] == ["CCS2", "CHAdeMO", "Type 2"]
        was, change = db.scalars(
            select(StationTariffChange).order_by(StationTariffChange.valid_from)
        ).all()
        # Until the change, the tariff it had; from it on, the new one.
        assert (was.station_id, was.tariff_id) == (cp2_id, tariffs["Fast"])
        assert was.valid_from < before
        assert (change.station_id, change.tariff_id) == (cp2_id, tariffs["Std"])
        assert change.valid_from >= before
        (event,) = db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "update", AuditEvent.resource == "station"
            )
        ).all()
        assert event.before is not None and event.after is not None
        assert len(event.before["connectors"]) == 2 and len(event.after["connectors"]) == 3
        creates = db.scalar(select(func.count()).where(AuditEvent.action == "create"))
        assert creates == 3  # a location, two stations: connectors are in their station's


def test_without_the_tariff_column_tariffs_stay_and_blank_cells_keep_values(
    engine: Engine, tariffs: dict[str, int]
) -> None:
    load(engine, csv_text(HEADER, [[*WHARF, "CP1", "E1", "Bay", "DC", "50", "Std", "1", "A"]]))
    header = [h for h in HEADER if h != "tariff"]
    summary = load(engine, csv_text(header, [[*WHARF, "CP1", "E1", "Bay", "", "", "1", ""]]))
    assert summary["stations"].unchanged == 1 and summary["connectors"].unchanged == 1
    with unit_of_work(engine) as db:
        station = db.scalars(select(Station)).one()
        assert (station.tariff_id, station.current_type, station.max_power_kw) == (
            tariffs["Std"],
            "DC",
            Decimal("50.0"),
        )
    cleared = load(engine, csv_text(HEADER, [[*WHARF, "CP1", "E1", "Bay", "", "", "", "1", ""]]))
    assert cleared["stations"].updated == 1
    with unit_of_work(engine) as db:
        assert db.scalars(select(Station.tariff_id)).one() is None
        changes = select(StationTariffChange.tariff_id).order_by(StationTariffChange.valid_from)
        assert db.scalars(changes).all() == [tariffs["Std"], None]
    load(engine, csv_text(HEADER, [[*WHARF, "CP1", "E1", "Bay", "", "", "Fast", "1", ""]]))
    with unit_of_work(engine) as db:
        assert db.scalars(changes).all() == [tariffs["Std"], None, tariffs["Fast"]]


def test_every_problem_by_line_and_column(engine: Engine, tariffs: dict[str, int]) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db, "Other")
        site = f.site(db, host)
        site.station.evse_id = "TAKEN"
        gone = f.site(db, host)
        gone.station.ocpp_identity = "GONE"
        gone.station.decommissioned_at = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [
        [*WHARF, "CP1", "E1", "Bay", "AC", "22", "Std", "1", ""],
        ["Wharf", "Harbour", "2 Quay St", "Australia/Sydney", "CP1", "E9", "Bay", "AC", "22",
         "Std", "1", ""],
        [*WHARF, "CP2", "E1", "Bay", "XC", "0", "", "0", ""],
        ["Pier", "Nobody", "1 Pier", "Mars/Olympus", "C P", "E3", "Bay", "", "", "", "1", ""],
        [*WHARF, "CP4", "TAKEN", "Bay", "", "", "Twin", "1", ""],
        [*WHARF, "GONE", "E5", "Bay", "", "", "Nope", "1", ""],
    ]  # fmt: skip
    first = problems_of(engine, csv_text(HEADER, rows))
    assert first == [
        "line 3, column address: differs from line 2, for the same location",
        "line 3, column connector_id: connector 1 of station CP1 is also on line 2",
        "line 3, column evse_id: differs from line 2, for the same station",
        "line 4, column connector_id: connector_id must be a whole number from 1 to 99, got '0'",
        "line 4, column current_type: current_type must be AC or DC, got 'XC'",
        "line 4, column max_power_kw: max_power_kw must be at least 0.1 and below 10000, got 0",
        "line 5, column station_identity: station_identity must be 1 to 48 letters, digits or "
        ". _ ~ - (it is part of the station's OCPP URL), got 'C P'",
        "line 5, column timezone: timezone must be an IANA time zone such as Australia/Sydney, "
        "got 'Mars/Olympus'",
        # Rows found wrong are left out, the others checked against what exists.
        f"line 6, column evse_id: evse_id TAKEN is station {site.station.ocpp_identity}'s",
        "line 6, column tariff: more than one tariff is named 'Twin'",
        "line 7, column station_identity: station GONE is decommissioned; its identity is not "
        "reused",
        "line 7, column tariff: no tariff is named 'Nope'",
    ]
    del rows[1:4]
    rows.append([*WHARF, "CP7", "E5", "Bay", "", "", "", "1", ""])
    rows.append(["Pier", "Nobody", "1 Pier", "UTC", "CP8", "E8", "Bay", "", "", "", "1", ""])
    with unit_of_work(engine) as db:
        harbour = str(
            db.scalars(select(Organisation.uuid).where(Organisation.name == "Harbour")).one()
        )
    rows.append(["Wharf", harbour, "1 Quay St", "Australia/Sydney", "CP9", "E9", "Bay", "", "",
                 "", "1", ""])  # fmt: skip
    assert problems_of(engine, csv_text(HEADER, rows)) == [
        "line 3, column evse_id: evse_id TAKEN is station " + site.station.ocpp_identity + "'s",
        "line 3, column tariff: more than one tariff is named 'Twin'",
        "line 4, column station_identity: station GONE is decommissioned; its identity is not "
        "reused",
        "line 4, column tariff: no tariff is named 'Nope'",
        "line 5, column evse_id: evse_id E5 is also on line 4",
        "line 6, column host_organisation: no organisation 'Nobody'",
        "line 7, column host_organisation: the host of line 2's 'Wharf', named otherwise: name "
        "it the same way on every row",
    ]
    with unit_of_work(engine) as db:
        assert db.scalar(select(func.count()).select_from(Location)) == 2
        assert db.scalar(select(func.count()).select_from(Connector)) == 2


def test_a_station_moves_to_another_location(engine: Engine, tariffs: dict[str, int]) -> None:
    load(engine, csv_text(HEADER, [[*WHARF, "CP1", "E1", "Bay", "AC", "22", "Std", "1", "A"]]))
    pier = ["Pier", "Harbour", "2 Pier St", "Australia/Sydney"]
    moved = load(
        engine, csv_text(HEADER, [[*pier, "CP1", "E1", "Bay", "AC", "22", "Std", "1", "A"]])
    )
    assert moved.view()["locations"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert moved.view()["stations"] == {"created": 0, "updated": 1, "unchanged": 0}
    with unit_of_work(engine) as db:
        station = db.scalars(select(Station)).one()
        location = db.get(Location, station.location_id)
        assert location is not None and location.name == "Pier" and station.version == 2
        event = db.scalars(
            select(AuditEvent).where(
                AuditEvent.resource == "station", AuditEvent.action == "update"
            )
        ).one()
        assert event.before and event.after
        assert event.before["location_uuid"] != event.after["location_uuid"] == str(location.uuid)
        assert db.scalars(select(StationTariffChange)).all() == []  # the tariff stayed
