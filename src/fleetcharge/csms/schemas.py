"""Value objects passed between the OCPP handlers and the central system's services."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fleetcharge.csms.clock import StationTime
from fleetcharge.csms.readings import Reading


@dataclass(frozen=True)
class Rejection:
    """Why a WebSocket handshake is refused, as an HTTP status."""

    status_code: int
    reason: str


@dataclass(frozen=True)
class Credentials:
    """What a connecting station offers to prove who it is."""

    basic: tuple[str, str] | None = None  # HTTP Basic user name and password
    certificate_name: str | None = None  # common name of a client certificate TLS verified


@dataclass(frozen=True)
class StationRef:
    """The connected station, as the handlers need it on every message."""

    id: int
    identity: str
    timezone: str


@dataclass(frozen=True)
class StatusReport:
    connector_number: int
    status: str
    error_code: str
    timestamp: StationTime | None = None
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None


@dataclass(frozen=True)
class StartRequest:
    connector_number: int
    id_tag: str
    meter_start_wh: int
    timestamp: StationTime
    reservation_id: int | None = None


@dataclass(frozen=True)
class StartResult:
    transaction_id: int
    id_tag_status: str


@dataclass(frozen=True)
class StopRequest:
    transaction_id: int | None  # None when it is too large to be anyone's (see payload)
    meter_stop_wh: int
    timestamp: StationTime
    id_tag: str | None = None
    reason: str | None = None
    transaction_data: tuple[Reading, ...] = ()
    # The request as the station sent it, for an unmatched-message record.
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MeterValuesRequest:
    connector_number: int
    readings: tuple[Reading, ...]
    transaction_id: int | None = None  # also None when too large to be anyone's


@dataclass(frozen=True)
class KeptMessage:
    """A transaction message answered while the database was unavailable, as its handler
    would have applied it: kept in the outage journal (fleetcharge.csms.journal) until then.
    Exactly one of `start`, `stop` and `meter_values` is set."""

    station: StationRef
    received_at: datetime
    start: StartRequest | None = None
    transaction_id: int | None = None  # the id StartTransaction was answered with
    stop: StopRequest | None = None
    meter_values: MeterValuesRequest | None = None
