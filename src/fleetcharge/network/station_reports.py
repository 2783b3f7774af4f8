"""What a station reports about itself over OCPP, kept on its rows (flush only): its boot,
its firmware and diagnostics status, and connectors no operator has listed yet."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.models import Connector, Station


@dataclass(frozen=True)
class BootInfo:
    vendor: str
    model: str
    serial_number: str | None
    firmware_version: str | None


def record_boot(station: Station, boot: BootInfo, booted_at: datetime) -> None:
    station.vendor = boot.vendor
    station.model = boot.model
    station.serial_number = boot.serial_number
    station.firmware_version = boot.firmware_version
    station.last_boot_at = booted_at


def record_firmware_status(station: Station, status: str) -> None:
    station.firmware_status = status


def record_diagnostics_status(station: Station, status: str) -> None:
    station.diagnostics_status = status


def reported_connector(db: Session, station_id: int, number: int) -> Connector:
    """The station's connector with this OCPP number, created when first reported."""
    found = db.scalar(
        select(Connector).where(
            Connector.station_id == station_id, Connector.connector_id == number
        )
    )
    if found is None:
        found = Connector(station_id=station_id, connector_id=number, name=f"Connector {number}")
        db.add(found)
        db.flush()
    return found
