"""End to end: `fleetcharge serve` in a child process keeping a simulated station's local
list in step (a block, an expiry and a card move, all made straight in the database, as any
process would), and `fleetcharge stations local-list | reserve | reservations |
cancel-reservation` with the station honouring its reservations."""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.v16.enums import ChargePointStatus
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner, Result

from fleetcharge.cli.main import app
from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, OcppTransaction
from fleetcharge.simulator.curves import ChargeSpec, ChargingCurve, CurrentType, Evse
from fleetcharge.simulator.model import SessionOutcome, StationConfig
from fleetcharge.simulator.station import SimulatedStation
from fleetcharge.simulator.timeline import SessionPlan
from tests import factories as f
from tests.admin.helpers import account
from tests.cli.test_stations import CAR
from tests.factories import STATION_PASSWORD
from tests.servers import running_server

TIMEOUT_S = 90.0
SHORT = ChargeSpec(CAR, Evse(CurrentType.DC, max_kw=100), 78, 80)  # a minute or so


@dataclass(frozen=True)
class Site:
    identity: str
    other_organisation_id: int


@pytest.fixture
def site(engine: Engine) -> Site:
    with unit_of_work(engine) as db:
        host, other = f.organisation(db), f.organisation(db)
        station = f.site(db, host).station
        f.vehicle(db, f.fleet(db, host), id_tags=("HOST-A", "HOST-B", "HOST-C"))
        return Site(station.ocpp_identity, other.id)


def stations(*args: str) -> Result:
    return CliRunner().invoke(app, ["stations", *args])


async def until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
    return found


def change_card(engine: Engine, id_tag: str, **values: Any) -> None:
    with unit_of_work(engine) as db:
        db.execute(update(Card).where(Card.id_tag == id_tag).values(**values))


def statuses(station: SimulatedStation) -> dict[str, str]:
    return {tag: info["status"] for tag, info in station.local_auth.entries.items()}


def test_a_simulated_station_kept_in_step_and_honouring_reservations(
    database_url: str, engine: Engine, site: Site
) -> None:
    token = account(engine, "support").token
    env = {"FLEETCHARGE_OCPP_LOCAL_LIST_SECONDS": "0.2"}
    with running_server(database_url, env) as base:
        server = ["--server", base, "--token", token]
        station = SimulatedStation(
            StationConfig(
                station_id=site.identity,
                url=base.replace("http://", "ws://") + "/ocpp",
                password=STATION_PASSWORD,
                connectors=2,
                speed=2000,
            )
        )
        station.configuration.values["SendLocalListMaxLength"] = "2"

        async def cli(*args: str) -> Result:
            return await asyncio.to_thread(stations, *args, *server)

        async def scenario() -> None:
            async with station:
                # The full list on connecting, in two messages of at most two idTags.
                everyone = {"HOST-A": "Accepted", "HOST-B": "Accepted", "HOST-C": "Accepted"}
                await until(lambda: statuses(station) == everyone)
                assert station.local_auth.version == 2

                change_card(engine, "HOST-A", status="blocked")
                await until(lambda: statuses(station).get("HOST-A") == "Blocked")
                expiry = datetime.now(UTC) + timedelta(seconds=1)
                change_card(engine, "HOST-B", expires_at=expiry)
                await until(lambda: statuses(station).get("HOST-B") == "Expired")
                assert station.local_auth.entries["HOST-B"]["expiryDate"].startswith(
                    expiry.strftime("%Y-%m-%dT%H:%M:%S")
                )
                change_card(
                    engine, "HOST-A", organisation_id=site.other_organisation_id, vehicle_id=None
                )
                await until(lambda: "HOST-A" not in statuses(station))

                shown = await cli("local-list", site.identity, "--send", "--ask-version", "--json")
                assert shown.exit_code == 0, shown.output
                listed = json.loads(shown.stdout)
                assert listed["sent"]["updates"] == []
                assert listed["version"]["in_step"] is True
                assert [(e["id_tag"], e["status"]) for e in listed["entries"]] == [
                    ("HOST-B", "Expired"),
                    ("HOST-C", "Accepted"),
                ]
                table = await cli("local-list", site.identity)
                assert table.exit_code == 0 and "HOST-C" in table.stdout

                await reservations(cli)

        async def reservations(cli: Callable[..., Any]) -> None:
            refused = await cli("reserve", site.identity, "--card", "HOST-B", "--until", "+10m")
            assert refused.exit_code == 2 and "has expired" in refused.output

            made = await cli(
                "reserve", site.identity, "--card", "HOST-C", "--until", "+10m", "--json"
            )
            assert made.exit_code == 0, made.output
            reservation = json.loads(made.stdout.split("\n", 1)[1])
            assert reservation["status"] == "reserved"
            await until(lambda: station.status(1) == ChargePointStatus.reserved)

            # Another card is refused at the reserved connector, without asking anyone.
            other = SessionPlan(1, "HOST-X", 0, 1, ChargingCurve(SHORT), parked_s=0)
            report = await station.run_session(other)
            assert report.outcome is SessionOutcome.REJECTED
            assert station.status(1) == ChargePointStatus.reserved

            mine = SessionPlan(1, "HOST-C", 0, 1, ChargingCurve(SHORT), parked_s=0)
            report = await station.run_session(mine)
            assert report.outcome is SessionOutcome.COMPLETED, report
            with unit_of_work(engine) as db:
                tx = db.scalar(
                    select(OcppTransaction).where(OcppTransaction.id == report.transaction_id)
                )
                assert tx is not None
                assert tx.reservation_id == reservation["reservation_id"]
            used = await cli("reservations", site.identity, "--status", "used", "--json")
            (row,) = json.loads(used.stdout)
            assert row["transaction_id"] == report.transaction_id

            again = await cli("reserve", site.identity, "--card", "HOST-C", "--until", "+10m")
            assert again.exit_code == 0, again.output
            number = again.stdout.split("reservation ", 1)[1].split(":")[0]
            await until(lambda: station.status(1) == ChargePointStatus.reserved)
            cancelled = await cli("cancel-reservation", site.identity, number)
            assert cancelled.exit_code == 0, cancelled.output
            assert f"reservation {number}: cancelled" in cancelled.stdout
            await until(lambda: station.status(1) == ChargePointStatus.available)
            gone = await cli("cancel-reservation", site.identity, number)
            assert gone.exit_code == 1 and "is cancelled, not reserved" in gone.output
            table = await cli("reservations", site.identity)
            assert table.exit_code == 0 and "cancelled" in table.stdout
            assert "$0.00" in table.stdout  # its tariff prices no reservation

        asyncio.run(asyncio.wait_for(scenario(), TIMEOUT_S))


def test_bad_arguments_exit_2() -> None:
    for args in (
        ["reserve", "CP1", "--card", "A", "--until", "tomorrow"],
        ["reserve", "CP1", "--card", "A", "--until", "2030-01-01T10:00:00"],
        ["reservations", "CP1", "--status", "maybe"],
        ["local-list", "CP1", "--full"],
        ["cancel-reservation", "CP1", "0"],
    ):
        result = stations(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
