"""Smart Charging end to end over loopback: `fleetcharge serve` in a child process, a
simulated station charging a car; a TxProfile of 8 A sent with the CLI lowers the power the
MeterValues report to 8 A x 3 phases x 230 V; a station rejecting profiles is recorded so."""

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargingProfileRecord, OcppMeterValue, OcppTransaction
from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.profiles import ProfilesMode
from fleetcharge.simulator.station import SimulatedStation
from tests.admin.helpers import account
from tests.cli.test_stations import Network, in_thread, stations
from tests.cli.test_stations import network as network
from tests.csms.helpers import eventually
from tests.factories import STATION_PASSWORD
from tests.servers import running_server

LIMIT_W = 8 * 3 * 230  # 5520 W
UNLIMITED_W = 11_000  # the remotely started car: 11 kW AC


def _station(network: Network, base: str, mode: ProfilesMode) -> SimulatedStation:
    return SimulatedStation(
        StationConfig(
            station_id=network.identity,
            url=base.replace("http://", "ws://") + "/ocpp",
            password=STATION_PASSWORD,
            sample_interval_s=1,
            profiles=mode,
        )
    )


@contextmanager
def connected(station: SimulatedStation) -> Iterator[None]:
    """The station connected and booted, on its own loop, until the block ends."""
    done = threading.Event()

    async def run() -> None:
        async with station:
            while not done.is_set():
                await asyncio.sleep(0.02)

    with in_thread(run) as running:
        try:
            eventually(lambda: station.stats.boots == 1)
            yield
        finally:
            done.set()
        running.result(timeout=30)


def _powers_after(engine: Engine, transaction: int, after_id: int) -> list[tuple[int, Decimal]]:
    with unit_of_work(engine) as db:
        rows = db.execute(
            select(OcppMeterValue.id, OcppMeterValue.value)
            .where(
                OcppMeterValue.transaction_id == transaction,
                OcppMeterValue.measurand == "Power.Active.Import",
                OcppMeterValue.id > after_id,
            )
            .order_by(OcppMeterValue.id)
        )
        return [(row_id, value) for row_id, value in rows if value is not None]


# One database is enough: what is stored is the csms tests' concern, on both.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_tx_profile_lowers_the_power_and_a_rejecting_station_is_recorded(
    database_url: str, engine: Engine, network: Network
) -> None:
    token = account(engine, "support").token
    with running_server(database_url, {}) as base:
        server = ["--server", base, "--token", token]
        station = _station(network, base, ProfilesMode.SUPPORTED)
        with connected(station):
            started = stations("remote-start", network.identity, network.id_tag, *server)
            assert started.exit_code == 0, started.output

            def open_transaction() -> int | None:
                with unit_of_work(engine) as db:
                    return db.scalar(
                        select(OcppTransaction.id).where(
                            OcppTransaction.station_id == network.station_id
                        )
                    )

            transaction = eventually(open_transaction)
            before = eventually(lambda: _powers_after(engine, transaction, 0))
            assert before[-1][1] * 1000 > LIMIT_W + 1000  # kW stored; charging unlimited
            limited = stations(
                "set-profile",
                network.identity,
                "--limit",
                "8A",
                "--phases",
                "3",
                "--transaction",
                str(transaction),
                "--id",
                "7",
                "--stack-level",
                "1",
                *server,
            )
            assert limited.exit_code == 0, limited.output
            assert limited.stdout.strip() == f"{network.identity}: SetChargingProfile Accepted"
            last_id = _powers_after(engine, transaction, 0)[-1][0]

            def limited_samples() -> list[Decimal] | None:
                # The first sample after the profile may straddle it: skip it.
                values = [value for _, value in _powers_after(engine, transaction, last_id)]
                return values[1:] if len(values) >= 3 else None

            for value in eventually(limited_samples):
                assert value * 1000 <= LIMIT_W + Decimal("0.1")
                assert value * 1000 >= LIMIT_W - 50  # it still draws what it may

            composite = stations(
                "composite-schedule",
                network.identity,
                "--duration",
                "600",
                "--unit",
                "A",
                "--json",
                *server,
            )
            assert composite.exit_code == 0, composite.output
            answer = json.loads(composite.stdout)
            assert answer["status"] == "Accepted"
            assert answer["chargingSchedule"]["chargingSchedulePeriod"] == [
                {"startPeriod": 0, "limit": 8.0, "numberPhases": 3}
            ]
            listed = stations("profiles", network.identity, "--json", *server)
            assert [p["status"] for p in json.loads(listed.stdout)] == ["Accepted"]

            cleared = stations("clear-profile", network.identity, "--id", "7", *server)
            assert cleared.exit_code == 0, cleared.output
            assert "ClearChargingProfile Accepted, 1 recorded profile(s) cleared" in cleared.stdout
            assert station.profiles.profiles == {}

        with connected(_station(network, base, ProfilesMode.REJECTED)):
            refused = stations(
                "set-profile",
                network.identity,
                "--connector",
                "0",
                "--limit",
                "16A",
                "--purpose",
                "TxDefaultProfile",
                "--id",
                "8",
                *server,
            )
            assert refused.exit_code == 1, refused.output
            assert "SetChargingProfile Rejected (the station refused)" in refused.output
    with unit_of_work(engine) as db:
        records = db.scalars(select(ChargingProfileRecord).order_by(ChargingProfileRecord.id)).all()
        assert [(r.profile_id, r.status, r.cleared_at is not None) for r in records] == [
            (7, "Accepted", True),
            (8, "Rejected", False),
        ]
