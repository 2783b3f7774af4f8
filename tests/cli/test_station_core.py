"""`fleetcharge stations configuration | configure | remote-start | clear-cache | trigger |
availability | data-transfer` against `fleetcharge serve` in a child process, with a
simulated charge station connected over real loopback sockets: a remote start ends in a
charge session recorded."""

import asyncio
import json
import threading

from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppMeterValue, OcppTransaction
from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.station import SimulatedStation
from tests.admin.helpers import account
from tests.cli.test_stations import Network, in_thread, stations
from tests.cli.test_stations import network as network
from tests.csms.helpers import eventually
from tests.factories import STATION_PASSWORD
from tests.servers import running_server


def test_configure_and_remote_start_a_simulated_station(
    database_url: str, engine: Engine, network: Network
) -> None:
    token = account(engine, "support").token
    with running_server(database_url, {}) as base:
        server = ["--server", base, "--token", token]
        station = SimulatedStation(
            StationConfig(
                station_id=network.identity,
                url=base.replace("http://", "ws://") + "/ocpp",
                password=STATION_PASSWORD,
            )
        )
        done = threading.Event()

        async def connected() -> None:
            async with station:
                while not done.is_set():
                    await asyncio.sleep(0.02)

        with in_thread(connected) as running:
            eventually(lambda: station.stats.boots == 1)
            nothing = stations("configuration", network.identity, *server)
            assert nothing.exit_code == 0, nothing.output
            assert "try --refresh" in nothing.stdout

            read = stations("configuration", network.identity, "--refresh", "--json", *server)
            assert read.exit_code == 0, read.output
            keys = {key["key"]: key for key in json.loads(read.stdout)}
            assert keys["NumberOfConnectors"]["value"] == "1"
            assert keys["NumberOfConnectors"]["readonly"] is True

            changed = stations("configure", network.identity, "HeartbeatInterval", "45", *server)
            assert changed.exit_code == 0, changed.output
            assert changed.stdout.strip() == f"{network.identity}: ChangeConfiguration Accepted"
            assert station.configuration.heartbeat_interval_s == 45
            table = stations("configuration", network.identity, *server)
            assert table.exit_code == 0, table.output
            row = next(line for line in table.stdout.splitlines() if "HeartbeatInterval" in line)
            assert "45" in row and "read-write" in row and "integer (seconds)" in row

            for args, code, said in (
                (["NumberOfConnectors", "3"], 2, "NumberOfConnectors is read-only"),
                (["HeartbeatInterval", "soon"], 2, "HeartbeatInterval is an integer"),
                (["VendorKey", "x"], 1, "ChangeConfiguration NotSupported"),
            ):
                refused = stations("configure", network.identity, *args, *server)
                assert refused.exit_code == code, refused.output
                assert said in refused.output

            for kind in ("Inoperative", "Operative"):
                made = stations("availability", network.identity, "1", kind, *server)
                assert made.exit_code == 0, made.output
                assert made.stdout.strip() == f"{network.identity}: ChangeAvailability Accepted"
            triggered = stations("trigger", network.identity, "Heartbeat", *server)
            assert triggered.exit_code == 0, triggered.output
            assert triggered.stdout.strip() == f"{network.identity}: TriggerMessage Accepted"
            vendor = stations("data-transfer", network.identity, "com.acme", *server)
            assert vendor.exit_code == 1
            assert "DataTransfer UnknownVendorId (the station refused)" in vendor.output

            # A sample a second: the transaction runs a second or more before it is stopped.
            sampling = stations(
                "configure", network.identity, "MeterValueSampleInterval", "1", *server
            )
            assert sampling.exit_code == 0, sampling.output
            unknown = stations("remote-start", network.identity, "NOBODY", *server)
            assert unknown.exit_code == 2
            assert "the card 'NOBODY' is unknown" in unknown.output
            started = stations(
                "remote-start", network.identity, network.id_tag, "--connector", "1", *server
            )
            assert started.exit_code == 0, started.output
            assert started.stdout.strip() == f"{network.identity}: RemoteStartTransaction Accepted"

            def open_transaction() -> int | None:
                with unit_of_work(engine) as db:
                    return db.scalar(
                        select(OcppTransaction.id).where(
                            OcppTransaction.station_id == network.station_id
                        )
                    )

            transaction = eventually(open_transaction)
            assert network.id_tag in station._authorised  # Authorize came first
            cleared = stations("clear-cache", network.identity, *server)
            assert cleared.exit_code == 0, cleared.output
            assert cleared.stdout.strip() == f"{network.identity}: ClearCache Accepted"
            assert station._authorised == set()

            def sampled() -> bool:
                with unit_of_work(engine) as db:
                    rows = select(OcppMeterValue.id).where(
                        OcppMeterValue.transaction_id == transaction
                    )
                    return db.scalar(rows.limit(1)) is not None

            eventually(sampled)
            stopped = stations("remote-stop", network.identity, str(transaction), *server)
            assert stopped.exit_code == 0, stopped.output

            def recorded() -> bool:
                with unit_of_work(engine) as db:
                    stored = db.get(OcppTransaction, transaction)
                    return stored is not None and stored.session_id is not None

            eventually(recorded, timeout=60)
            done.set()
            running.result(timeout=30)
        with unit_of_work(engine) as db:
            stored = db.get(OcppTransaction, transaction)
            assert stored is not None
            assert (stored.id_tag, stored.stop_reason) == (network.id_tag, "Remote")


def test_bad_arguments_exit_2() -> None:
    for args in (
        ["trigger", "CP-1", "StartTransaction"],
        ["availability", "CP-1", "1", "Broken"],
        ["availability", "CP-1", "-1", "Operative"],
        ["remote-start", "CP-1", "TAG", "--connector", "0"],
        ["remote-start", "CP-1", "TAG", "--profile", "/no/such/file.json"],
        ["configuration", "CP-1", "--key", "HeartbeatInterval"],
        ["configure", "CP-1", "HeartbeatInterval"],
    ):
        result = stations(*args, "--server", "http://127.0.0.1:9")
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
