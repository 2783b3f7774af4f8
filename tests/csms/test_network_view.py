"""The operator's network view: stations online or offline with their connectors' latest
statuses, what changed since a cursor, one station in detail, and its recent OCPP frames
kept in a bounded ring any process can read."""

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from alembic import command
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, func, select, text
from starlette.testclient import TestClient

from fleetcharge.csms import network_view, repository
from fleetcharge.csms.recent_messages import RecentMessages, recent_messages
from fleetcharge.db import unit_of_work
from fleetcharge.errors import Forbidden, NotFound
from fleetcharge.migrate import alembic_config
from fleetcharge.models import ConnectorStatus, OcppRecentMessage, Station
from fleetcharge.permissions import Actor
from tests import factories as f
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected

SUPPORT = Actor(name="support", role="support")
BOOT = {"chargePointVendor": "Acme", "chargePointModel": "DC50", "firmwareVersion": "2.1"}


def _status(db, station_id: int, number: int, status: str, at: datetime) -> ConnectorStatus:
    row = ConnectorStatus(
        station_id=station_id,
        connector_number=number,
        status=status,
        error_code="NoError",
        status_at=at,
        received_at=at,
    )
    repository.add_status(db, row)
    return row


def test_overview_counts_and_pages_the_network(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        a, b, gone = f.site(db, host), f.site(db, host), f.site(db, host)
        _status(db, a.station.id, 1, "Charging", NOW - timedelta(minutes=5))
        _status(db, a.station.id, 1, "Faulted", NOW)  # the latest
        _status(db, a.station.id, 1, "Available", NOW - timedelta(hours=1))  # replayed, older
        _status(db, a.station.id, 0, "Available", NOW)
        _status(db, gone.station.id, 1, "Faulted", NOW)
        db.get_one(Station, gone.station.id).decommissioned_at = NOW
        ids = a.station.id, b.station.id

    with unit_of_work(engine) as db:
        overview = network_view.network_overview(db, SUPPORT, {ids[0]})
        faulted = network_view.network_overview(db, SUPPORT, {ids[0]}, show="Faulted")
        offline = network_view.network_overview(db, SUPPORT, {ids[0]}, show="offline")
    assert (overview.stations, overview.online, overview.offline) == (2, 1, 1)
    assert overview.statuses == {"Faulted": 1, "Unknown": 1}
    by_id = {s.id: s for s in overview.page}
    assert set(by_id) == set(ids)
    first = by_id[ids[0]]
    assert first.online and not by_id[ids[1]].online
    assert [(c.number, c.status) for c in first.connectors] == [(1, "Faulted")]
    assert first.station_status is not None and first.station_status.status == "Available"
    assert [s.id for s in faulted.page] == [ids[0]] and faulted.matching == 1
    assert [s.id for s in offline.page] == [ids[1]]


def test_overview_is_for_operator_staff(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        member = Actor(name="fm", role="fleet_manager", organisation_id=org.id)
        with pytest.raises(Forbidden):
            network_view.network_overview(db, member, set())


def test_changes_since_reports_each_new_row_once_and_rows_committed_late(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        a, b = f.site(db, host), f.site(db, host)
        _status(db, a.station.id, 1, "Available", NOW)
    with unit_of_work(engine) as db:
        start = network_view.watch_changes(db)
        assert network_view.changes_since(db, start.cursor, start.seen).station_ids == set()
        first = _status(db, a.station.id, 1, "Charging", NOW).id
        second = _status(db, b.station.id, 1, "Faulted", NOW).id
    with unit_of_work(engine) as db:
        changed = network_view.changes_since(db, start.cursor, start.seen)
        assert changed.station_ids == {a.station.id, b.station.id}
        assert changed.cursor == second
        assert network_view.changes_since(db, changed.cursor, changed.seen).station_ids == set()
        # A row below the cursor that was not seen (committed after a higher id was read).
        late = network_view.changes_since(db, changed.cursor, changed.seen - {first})
        assert late.station_ids == {a.station.id}


def test_station_detail_and_recent_frames_through_a_connection(
    make_app: Callable[..., FastAPI], network: Network, clock: FakeClock, engine: Engine
) -> None:
    app = make_app(ocpp_recent_messages="4")
    with TestClient(app) as client, connected(client, network.identity, clock) as cp:
        assert cp.result("BootNotification", BOOT)["status"] == "Accepted"
        assert cp.status("Preparing", NOW) == {}
        transaction = cp.start(network.id_tag, 1000, NOW + timedelta(minutes=1))["transactionId"]
        assert cp.status("Charging", NOW + timedelta(minutes=1)) == {}
        recent: RecentMessages = app.state.central_system.recent
        recent.write_waiting()
        with unit_of_work(engine) as db:
            station_uuid = db.get_one(Station, network.station_id).uuid
            detail = network_view.station_detail(db, SUPPORT, station_uuid, {network.station_id})
            kept = db.scalar(
                select(func.count())
                .select_from(OcppRecentMessage)
                .where(OcppRecentMessage.station_id == network.station_id)
            )
    assert (detail.station.vendor, detail.station.model) == ("Acme", "DC50")
    assert detail.state.online
    assert [h.status for h in detail.history] == ["Charging", "Preparing"]
    assert [(t.id, t.connector) for t in detail.open_transactions] == [(transaction, 1)]
    # 8 frames exchanged (4 calls, 4 answers); the ring keeps the newest 4, newest first.
    assert kept == 4
    assert [(m.direction, m.message_type, m.action) for m in detail.messages] == [
        ("out", 3, "StatusNotification"),
        ("in", 2, "StatusNotification"),
        ("out", 3, "StartTransaction"),
        ("in", 2, "StartTransaction"),
    ]
    assert json.loads(detail.messages[2].frame)[2]["transactionId"] == transaction


def test_another_process_continues_the_ring(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        station_id = f.site(db, f.organisation(db)).station.id
    first, second = RecentMessages(engine, slots=3), RecentMessages(engine, slots=3)
    for n in range(2):
        first.record(station_id, "in", f'[2,"{n}","Heartbeat",{{}}]')
    first.write_waiting()
    for n in range(2, 4):
        second.record(station_id, "in", f'[2,"{n}","Heartbeat",{{}}]')
    second.write_waiting()
    with unit_of_work(engine) as db:
        kept = recent_messages(db, station_id)
    assert [(m.seq, m.unique_id) for m in kept] == [(3, "3"), (2, "2"), (1, "1")]


def test_a_flood_keeps_the_latest_frames_and_a_failed_write_is_dropped(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        station_id = f.site(db, f.organisation(db)).station.id
    recent = RecentMessages(engine, slots=50)
    for n in range(25):
        recent.record(station_id, "in", f'[2,"{n}","Heartbeat",{{}}]' + " " * 3000)
    recent.write_waiting()
    with unit_of_work(engine) as db:
        kept = recent_messages(db, station_id)
    assert [m.unique_id for m in kept] == [str(n) for n in range(24, 14, -1)]
    assert all(len(m.frame) == 2000 for m in kept)

    broken = RecentMessages(engine, slots=5)
    broken.engine = create_engine("sqlite:////nonexistent/directory/fleetcharge.db")
    broken.record(station_id, "in", '[2,"x","Heartbeat",{}]')
    broken.write_waiting()  # logs, never raises
    assert broken._waiting == []


def test_unknown_station_detail_is_not_found(engine: Engine) -> None:
    with unit_of_work(engine) as db, pytest.raises(NotFound):
        network_view.station_detail(db, SUPPORT, uuid.uuid4(), set())


def test_the_migration_fills_current_statuses_from_the_history(
    database_url: str, engine: Engine
) -> None:
    with unit_of_work(engine) as db:  # made with today's models, before going back
        site = f.site(db, f.organisation(db))
    config = alembic_config(database_url)
    command.downgrade(config, "0014")
    with unit_of_work(engine) as db:
        for number, status, minutes in ((1, "Charging", 5), (1, "Available", 1), (0, "Faulted", 0)):
            at = NOW + timedelta(minutes=minutes)
            db.execute(
                text(
                    "INSERT INTO connector_status_history (station_id, connector_number, status,"
                    " error_code, status_at, received_at) VALUES (:s, :n, :st, 'NoError', :at, :at)"
                ),
                {"s": site.station.id, "n": number, "st": status, "at": at},
            )
    command.upgrade(config, "head")
    with unit_of_work(engine) as db:
        (state,) = network_view.station_states(db, set(), [site.station.id])
    assert [(c.number, c.status) for c in state.connectors] == [(1, "Charging")]
    assert state.station_status is not None and state.station_status.status == "Faulted"
