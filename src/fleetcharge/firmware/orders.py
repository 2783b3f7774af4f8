"""What an operator asks a station for, and the OCPP payloads that ask it."""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID


class Kind(StrEnum):
    FIRMWARE = "firmware"  # UpdateFirmware
    SIGNED_FIRMWARE = "signed_firmware"  # SignedUpdateFirmware
    DIAGNOSTICS = "diagnostics"  # GetDiagnostics
    LOG = "log"  # GetLog

    @property
    def action(self) -> str:
        return ACTIONS[self]

    @property
    def uploads(self) -> bool:
        """The station sends us a file (else it fetches one)."""
        return self in (Kind.DIAGNOSTICS, Kind.LOG)


ACTIONS = {
    Kind.FIRMWARE: "UpdateFirmware",
    Kind.SIGNED_FIRMWARE: "SignedUpdateFirmware",
    Kind.DIAGNOSTICS: "GetDiagnostics",
    Kind.LOG: "GetLog",
}
# The admin API's lists of a station's requests, by their path.
LISTS: dict[str, tuple[Kind, ...]] = {
    "firmware-updates": (Kind.FIRMWARE, Kind.SIGNED_FIRMWARE),
    "diagnostics": (Kind.DIAGNOSTICS,),
    "logs": (Kind.LOG,),
}
# Answers after which the station will not use the link.
REFUSALS = frozenset({"Rejected", "InvalidCertificate", "RevokedCertificate"})


@dataclass(frozen=True)
class Retries:
    retries: int | None = None
    retry_interval: int | None = None  # seconds

    def fields(self) -> dict[str, int]:
        found = {"retries": self.retries, "retryInterval": self.retry_interval}
        return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class FirmwareOrder:
    """A firmware update: one of our files (`firmware_uuid`) or an image elsewhere."""

    firmware_uuid: UUID | None
    location: str | None
    retrieve_at: datetime | None
    retries: Retries
    signed: bool = False
    install_at: datetime | None = None
    signing_certificate: str | None = None
    signature: str | None = None

    @property
    def kind(self) -> Kind:
        return Kind.SIGNED_FIRMWARE if self.signed else Kind.FIRMWARE


@dataclass(frozen=True)
class UploadOrder:
    """Diagnostics (`log_type` None: GetDiagnostics) or a log (GetLog) sent to us."""

    log_type: str | None
    oldest: datetime | None
    latest: datetime | None
    retries: Retries

    @property
    def kind(self) -> Kind:
        return Kind.DIAGNOSTICS if self.log_type is None else Kind.LOG


def ocpp_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def firmware_payload(
    order: FirmwareOrder,
    request_id: int,
    location: str,
    retrieve_at: datetime,
    signing: tuple[str, str] | None,
) -> dict[str, Any]:
    if not order.signed:
        return {
            "location": location,
            "retrieveDate": ocpp_time(retrieve_at),
            **order.retries.fields(),
        }
    assert signing is not None
    firmware: dict[str, Any] = {"location": location, "retrieveDateTime": ocpp_time(retrieve_at)}
    if order.install_at is not None:
        firmware["installDateTime"] = ocpp_time(order.install_at)
    firmware["signingCertificate"], firmware["signature"] = signing
    return {"requestId": request_id, "firmware": firmware, **order.retries.fields()}


def upload_payload(order: UploadOrder, request_id: int, location: str) -> dict[str, Any]:
    if order.log_type is None:
        payload: dict[str, Any] = {"location": location, **order.retries.fields()}
        if order.oldest is not None:
            payload["startTime"] = ocpp_time(order.oldest)
        if order.latest is not None:
            payload["stopTime"] = ocpp_time(order.latest)
        return payload
    log: dict[str, Any] = {"remoteLocation": location}
    if order.oldest is not None:
        log["oldestTimestamp"] = ocpp_time(order.oldest)
    if order.latest is not None:
        log["latestTimestamp"] = ocpp_time(order.latest)
    return {
        "logType": order.log_type,
        "requestId": request_id,
        "log": log,
        **order.retries.fields(),
    }
