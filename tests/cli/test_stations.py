"""`fleetcharge stations connected | remote-stop | unlock | reset` against `fleetcharge serve` in a
child process, with a simulated charge station connected over real loopback sockets."""

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner, Result

from fleetcharge.cli.main import app
from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppTransaction
from fleetcharge.simulator.curves import ChargeSpec, ChargingCurve, CurrentType, Evse, Vehicle
from fleetcharge.simulator.model import SessionReport, StationConfig
from fleetcharge.simulator.station import SimulatedStation
from fleetcharge.simulator.timeline import SessionPlan
from tests import factories as f
from tests.admin.helpers import account
from tests.csms.helpers import eventually
from tests.factories import STATION_PASSWORD
from tests.servers import free_port, running_server

TIMEOUT_S = 120.0
# 30 -> 80 % of a 60 kWh battery at up to 100 kW: about 20 simulated minutes, 2 minutes at
# speed 10 (the remote stop comes long before).
CAR = Vehicle("test car", battery_kwh=60, ac_kw=11, dc_kw=100, dc_knee_soc=60)
SPEC = ChargeSpec(CAR, Evse(CurrentType.DC, max_kw=100), 30, 80)


@dataclass(frozen=True)
class Network:
    identity: str
    station_id: int
    id_tag: str


@pytest.fixture
def network(engine: Engine) -> Network:
    with unit_of_work(engine) as db:
        site = f.site(db, f.organisation(db))
        vehicle = f.vehicle(db, f.fleet(db, f.organisation(db)))
        return Network(site.station.ocpp_identity, site.station.id, vehicle.cards[0].id_tag)


def stations(*args: str) -> Result:
    return CliRunner().invoke(app, ["stations", *args])


@contextmanager
def in_thread(work: Callable[[], Coroutine[Any, Any, Any]]) -> Iterator["Future[Any]"]:
    """Run a simulated station on its own event loop, bounded in time."""

    async def bounded() -> Any:
        return await asyncio.wait_for(work(), TIMEOUT_S)

    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(asyncio.run, bounded())


def test_list_remote_stop_unlock_and_reset_a_simulated_station(
    database_url: str, engine: Engine, network: Network
) -> None:
    token = account(engine, "support").token
    with running_server(database_url, {}) as base:
        server = ["--server", base, "--token", token]
        url = base.replace("http://", "ws://") + "/ocpp"
        station = SimulatedStation(
            StationConfig(
                station_id=network.identity,
                url=url,
                password=STATION_PASSWORD,
                connectors=2,
                speed=10,
            )
        )
        plan = SessionPlan(1, network.id_tag, 0, 1, ChargingCurve(SPEC), parked_s=0)
        with in_thread(lambda: station.run([plan])) as charging:

            def charging_listed() -> dict[str, Any] | None:
                result = stations("connected", "--json", *server)
                assert result.exit_code == 0, result.output
                listed = json.loads(result.stdout)
                found = listed[0] if listed else None
                statuses = [c["status"] for c in found["connectors"]] if found else []
                return found if statuses == ["Charging", "Available"] else None

            listed = eventually(charging_listed)
            assert listed["identity"] == network.identity
            assert listed["boot"]["vendor"] == "fleetcharge"

            table = stations("connected", *server)
            assert table.exit_code == 0, table.output
            assert network.identity in table.stdout
            assert "1: Charging, 2: Available" in table.stdout

            with unit_of_work(engine) as db:
                (transaction,) = db.scalars(
                    select(OcppTransaction.id).where(
                        OcppTransaction.station_id == network.station_id
                    )
                ).all()

            refused = stations("remote-stop", network.identity, str(transaction + 1000), *server)
            assert refused.exit_code == 1
            assert "RemoteStopTransaction Rejected" in refused.output

            unlocked = stations("unlock", network.identity, "--connector", "2", *server)
            assert unlocked.exit_code == 0, unlocked.output
            assert unlocked.stdout.strip() == f"{network.identity}: UnlockConnector Unlocked"

            stopped = stations("remote-stop", network.identity, str(transaction), *server)
            assert stopped.exit_code == 0, stopped.output
            assert stopped.stdout.strip() == f"{network.identity}: RemoteStopTransaction Accepted"
            reports: list[SessionReport] = charging.result(timeout=TIMEOUT_S)

        assert [r.stop_reason for r in reports] == ["Remote"]
        with unit_of_work(engine) as db:
            stored = db.get(OcppTransaction, transaction)
            assert stored is not None
            assert (stored.state, stored.stop_reason) == ("stopped", "Remote")
            assert stored.session_id is not None

        gone = eventually(lambda: stations("unlock", network.identity, *server).exit_code == 1)
        assert gone
        not_connected = stations("unlock", network.identity, *server)
        assert f"charge station {network.identity!r} is not connected" in not_connected.output

        idle = SimulatedStation(
            StationConfig(
                station_id=network.identity, url=url, password=STATION_PASSWORD, speed=1000
            )
        )
        rebooted = threading.Event()

        async def reset_and_reboot() -> None:
            async with idle:
                while idle.stats.boots < 2:
                    await asyncio.sleep(0.02)
                rebooted.set()

        with in_thread(reset_and_reboot) as resetting:
            eventually(lambda: idle.stats.boots == 1)
            reset = stations("reset", network.identity, "--hard", *server)
            assert reset.exit_code == 0, reset.output
            assert reset.stdout.strip() == f"{network.identity}: Reset Accepted"
            resetting.result(timeout=TIMEOUT_S)
        assert rebooted.is_set()

        wrong = stations("connected", "--server", base, "--token", "wrong")
        assert wrong.exit_code == 1
        assert "--token" in wrong.output and "Traceback" not in wrong.output
        billing = stations(
            "reset", network.identity, "--server", base, "--token", account(engine, "billing").token
        )
        assert billing.exit_code == 1 and "may not command stations" in billing.output


def test_an_unreachable_server_and_bad_arguments() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    unreachable = stations("connected", "--server", closed)
    assert unreachable.exit_code == 1
    assert f"cannot reach the server at {closed}" in unreachable.output
    for args in (
        ["unlock", "CP-1", "--connector", "0"],
        ["remote-stop", "CP-1", "not-a-number"],
        ["remote-stop", "CP-1"],
        ["reset", "CP-1", "--type", "Warm"],
        ["connected", "--server", "ftp://127.0.0.1"],
    ):
        result = stations(*args, "--server", closed) if args[0] != "connected" else stations(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
