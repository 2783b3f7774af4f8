"""The simple actions: what stations report about themselves, and authorising id tags."""

from datetime import timedelta

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.csms import transaction_signals
from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, Connector, ConnectorStatus, Station
from tests import factories as f
from tests.csms.conftest import NOW, Network
from tests.csms.helpers import FakeClock, connected
from tests.csms.helpers import Station as ScriptedStation


def test_boot_status_firmware_diagnostics_and_data_transfer(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    boot = {
        "chargePointVendor": "Acme",
        "chargePointModel": "AC22",
        "chargePointSerialNumber": "SN-0042",
        "firmwareVersion": "4.1.7",
    }
    with connected(client, network.identity, clock) as cp:
        assert cp.call("BootNotification", boot) == [
            3,
            "1",
            {"currentTime": "2025-03-03T23:00:00.000Z", "interval": 300, "status": "Accepted"},
        ]
        assert cp.status("Available", NOW, connector=0) == {}
        assert cp.status("Available", NOW, connector=3, sent=NOW + timedelta(seconds=5)) == {}
        faulted = {
            "connectorId": 1,
            "errorCode": "GroundFailure",
            "status": "Faulted",
            "info": "RCD tripped",
            "vendorId": "com.acme",
            "vendorErrorCode": "E17",
        }
        assert cp.result("StatusNotification", faulted, at=NOW + timedelta(minutes=1)) == {}
        assert cp.result("FirmwareStatusNotification", {"status": "Downloading"}) == {}
        assert cp.result("DiagnosticsStatusNotification", {"status": "Uploaded"}) == {}
        assert cp.call("DataTransfer", {"vendorId": "com.acme", "messageId": "x", "data": "{}"})[
            2
        ] == {"status": "UnknownVendorId"}
    with unit_of_work(engine) as db:
        station = db.get(Station, network.station_id)
        assert station is not None
        assert (station.vendor, station.model, station.serial_number, station.firmware_version) == (
            "Acme",
            "AC22",
            "SN-0042",
            "4.1.7",
        )
        assert station.last_boot_at == NOW
        assert (station.firmware_status, station.diagnostics_status) == ("Downloading", "Uploaded")
        assert sorted(db.execute(select(Connector.connector_id, Connector.name))) == [
            (1, "Port A"),
            (3, "Connector 3"),
        ]
        history = db.scalars(select(ConnectorStatus).order_by(ConnectorStatus.id)).all()
        assert [(h.connector_number, h.status, h.error_code, h.status_at) for h in history] == [
            (0, "Available", "NoError", NOW),
            (3, "Available", "NoError", NOW),
            (1, "Faulted", "GroundFailure", NOW + timedelta(minutes=1)),
        ]
        assert history[1].received_at == NOW + timedelta(seconds=5)
        assert history[2].reported_at is None
        assert (history[2].info, history[2].vendor_id, history[2].vendor_error_code) == (
            "RCD tripped",
            "com.acme",
            "E17",
        )


def test_id_tags_are_accepted_blocked_expired_invalid_or_concurrent(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with unit_of_work(engine) as db:
        fleet = f.fleet(db, f.organisation(db))
        f.vehicle(db, fleet, id_tags=("BLOCKED", "EXPIRED", "EXPIRES-LATER", "BUSY"))
        for card in db.scalars(select(Card)):
            if card.id_tag == "BLOCKED":
                card.status = "blocked"
            elif card.id_tag == "EXPIRED":
                card.expires_at = NOW - timedelta(days=1)
            elif card.id_tag == "EXPIRES-LATER":
                card.expires_at = NOW + timedelta(days=1)

    def authorize(cp: ScriptedStation, id_tag: str) -> str:
        status: str = cp.result("Authorize", {"idTag": id_tag})["idTagInfo"]["status"]
        return status

    with connected(client, network.identity, clock) as cp:
        assert {
            tag: authorize(cp, tag)
            for tag in (network.id_tag, "BLOCKED", "EXPIRED", "EXPIRES-LATER", "NOBODY")
        } == {
            network.id_tag: "Accepted",
            "BLOCKED": "Blocked",
            "EXPIRED": "Expired",
            "EXPIRES-LATER": "Accepted",
            "NOBODY": "Invalid",
        }
        busy = cp.start("BUSY", 0, NOW, connector=1)
        assert busy["idTagInfo"] == {"status": "Accepted"}
        assert authorize(cp, "BUSY") == "ConcurrentTx"
        # The same card on another connector at the same time.
        elsewhere = cp.start("BUSY", 0, NOW + timedelta(minutes=1), connector=2)
        assert elsewhere["idTagInfo"] == {"status": "ConcurrentTx"}
        assert cp.start("BLOCKED", 0, NOW, connector=3)["idTagInfo"] == {"status": "Blocked"}
        # An expired card that started while still valid (offline) was valid then.
        offline = cp.start("EXPIRED", 0, NOW - timedelta(days=2), connector=4, sent=NOW)
        assert offline["idTagInfo"] == {"status": "Accepted"}
        cp.stop(busy["transactionId"], 1000, NOW + timedelta(minutes=5))
        cp.stop(elsewhere["transactionId"], 1000, NOW + timedelta(minutes=5))
        assert authorize(cp, "BUSY") == "Accepted"


def test_an_accepted_boot_and_transactions_are_signalled_to_the_control_loop(
    client: TestClient, network: Network, clock: FakeClock
) -> None:
    heard: list[tuple[str, str, int | None]] = []
    unsubscribe = transaction_signals.subscribe(
        lambda s: heard.append((s.kind, s.identity, s.transaction_id))
    )
    try:
        with connected(client, network.identity, clock) as cp:
            cp.call("BootNotification", {"chargePointVendor": "A", "chargePointModel": "B"})
            started = cp.call(
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": network.id_tag,
                    "meterStart": 0,
                    "timestamp": "2025-03-03T23:00:00Z",
                },
            )
    finally:
        unsubscribe()
    transaction_id = started[2]["transactionId"]
    assert heard == [
        ("booted", network.identity, None),
        ("started", network.identity, transaction_id),
    ]
