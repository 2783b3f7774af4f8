"""End to end: `fleetcharge firmware ...` and `fleetcharge stations update-firmware |
diagnostics | get-log | firmware-status | uploads | download-file` against `fleetcharge
serve` in a child process, with a simulated station that downloads its firmware from the
server's link, installs it and boots with the new version, and uploads its diagnostics and
security log to the server's links."""

import asyncio
import json
import threading
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, select
from typer.testing import CliRunner, Result

from fleetcharge.cli.main import app
from fleetcharge.db import unit_of_work
from fleetcharge.models import Station, StationTransfer, StationTransferStatus
from fleetcharge.simulator.firmware import log_file
from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.station import SimulatedStation
from tests import factories as f
from tests.admin.helpers import account
from tests.cli.test_stations import TIMEOUT_S, in_thread
from tests.csms.helpers import eventually
from tests.factories import STATION_PASSWORD
from tests.firmware_signing import certificate_pem, signature_of
from tests.servers import running_server

IMAGE = b"firmware image 2.0\n" * 5000


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def ok(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if result.stdout.startswith(("{", "[")) else result.stdout


def test_firmware_installed_and_files_uploaded_by_a_simulated_station(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    with unit_of_work(engine) as db:
        identity = f.site(db, f.organisation(db)).station.ocpp_identity
    token = account(engine, "support").token
    image = tmp_path / "fw-2.0.bin"
    image.write_bytes(IMAGE)
    pem = tmp_path / "signing.pem"
    pem.write_text(certificate_pem())
    with running_server(database_url, {}) as base:
        server = ["--server", base, "--token", token]
        station = SimulatedStation(
            StationConfig(
                station_id=identity,
                url=base.replace("http://", "ws://") + "/ocpp",
                password=STATION_PASSWORD,
                speed=1000,
            )
        )
        done = threading.Event()

        async def connected() -> None:
            async with station:
                while not done.is_set():
                    await asyncio.sleep(0.02)

        def history(uuid: str) -> list[str]:
            """Read from the database: cheaper to poll than the command."""
            with unit_of_work(engine) as db:
                return list(
                    db.scalars(
                        select(StationTransferStatus.status)
                        .join(StationTransfer)
                        .where(StationTransfer.uuid == UUID(uuid))
                        .order_by(StationTransferStatus.id)
                    )
                )

        def shown_history() -> list[str]:
            shown = ok(run("stations", "firmware-status", identity, "--json", *server))
            return [entry["status"] for entry in shown["latest"]["history"]]

        def booted_with() -> str | None:
            with unit_of_work(engine) as db:
                row = db.query(Station).filter(Station.ocpp_identity == identity).one()
                return row.firmware_version

        with in_thread(connected) as running:
            eventually(lambda: station.stats.boots == 1)
            assert ok(run("firmware", "list", *server)).strip() == "No firmware uploaded."
            signature = signature_of(IMAGE)
            uploaded = ok(
                run(
                    "firmware",
                    "upload",
                    str(image),
                    "--signing-certificate",
                    str(pem),
                    "--signature",
                    signature,
                    "--json",
                    *server,
                )
            )
            assert (uploaded["name"], uploaded["size_bytes"]) == ("fw-2.0.bin", len(IMAGE))
            assert uploaded["uuid"] in ok(run("firmware", "list", *server))

            sent = ok(
                run(
                    "stations",
                    "update-firmware",
                    identity,
                    "--firmware",
                    uploaded["uuid"],
                    "--json",
                    *server,
                )
            )
            assert sent["action"] == "UpdateFirmware" and sent["status"] is None
            installed = ["Downloading", "Downloaded", "Installing", "Installed"]
            eventually(lambda: history(sent["transfer"]["uuid"]) == installed)
            eventually(lambda: booted_with() == "fw-2.0")
            assert station.stats.boots == 2
            assert shown_history() == installed
            table = ok(run("stations", "firmware-status", identity, *server))
            assert "UpdateFirmware" in table and "Installed" in table

            # A link that 404s: the station reports the failure, and boots nothing new.
            missing = f"{base}/ocpp-files/{'x' * 43}/fw-3.0.bin"
            failed = ok(
                run("stations", "update-firmware", identity, "--url", missing, "--json", *server)
            )
            eventually(
                lambda: history(failed["transfer"]["uuid"]) == ["Downloading", "DownloadFailed"]
            )

            signed = ok(
                run(
                    "stations",
                    "update-firmware",
                    identity,
                    "--firmware",
                    uploaded["uuid"],
                    "--signed",
                    "--json",
                    *server,
                )
            )
            assert signed["status"] == "Accepted"
            eventually(
                lambda: (
                    history(signed["transfer"]["uuid"])
                    == ["Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"]
                )
            )
            eventually(lambda: station.stats.boots == 3)

            # A signature of other bytes: the station verifies it, refuses, and reboots not.
            forged = ok(
                run(
                    "stations",
                    "update-firmware",
                    identity,
                    "--firmware",
                    uploaded["uuid"],
                    "--signed",
                    "--signature",
                    signature_of(b"another image"),
                    "--signing-certificate",
                    str(pem),
                    "--json",
                    *server,
                )
            )
            eventually(
                lambda: (
                    history(forged["transfer"]["uuid"])
                    == ["Downloading", "Downloaded", "InvalidSignature"]
                )
            )
            assert (booted_with(), station.stats.boots) == ("fw-2.0", 3)

            diagnostics = ok(run("stations", "diagnostics", identity, "--json", *server))
            assert diagnostics["answer"] == {"fileName": f"{identity}-diagnostics.log"}
            log = ok(run("stations", "get-log", identity, "--type", "security", "--json", *server))
            assert log["status"] == "Accepted"

            def uploaded_statuses() -> list[Any]:
                found = ok(run("stations", "uploads", identity, "--json", *server))
                return [(t["action"], t["status"]) for t in found]

            eventually(
                lambda: (
                    uploaded_statuses() == [("GetLog", "Uploaded"), ("GetDiagnostics", "Uploaded")]
                )
            )
            for sent_file, expected in (
                (diagnostics, log_file(identity, "diagnostics", {})),
                (log, log_file(identity, "SecurityLog", {})),
            ):
                saved = tmp_path / f"{sent_file['transfer']['uuid']}.log"
                request = sent_file["transfer"]["uuid"]
                said = ok(
                    run("stations", "download-file", identity, request, "-o", str(saved), *server)
                )
                assert said.startswith(f"saved {len(expected)} bytes to ")
                assert saved.read_bytes() == expected
            listing = ok(run("stations", "uploads", identity, *server))
            assert f"{identity}-SecurityLog.log" in listing
            done.set()
            running.result(timeout=TIMEOUT_S)


def test_bad_arguments_exit_2() -> None:
    for args in (
        ["stations", "update-firmware", "CP-1"],
        [
            "stations",
            "update-firmware",
            "CP-1",
            "--url",
            "https://x/a",
            "--firmware",
            "00000000-0000-4000-8000-000000000000",
        ],
        ["stations", "update-firmware", "CP-1", "--url", "https://x/a", "--at", "soon"],
        ["stations", "update-firmware", "CP-1", "--url", "https://x/a", "--signature", "AAAA"],
        ["stations", "get-log", "CP-1", "--type", "audit"],
        ["stations", "diagnostics", "CP-1", "--retries", "-1"],
        ["firmware", "upload", "/no/such/file.bin"],
        ["stations", "download-file", "CP-1", "not-a-uuid", "-o", "x"],
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
