"""What a simulated station is configured with, what it counts and reports, and its errors."""

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from fleetcharge.simulator.profiles import ProfilesMode


class SimulatorError(Exception):
    """A problem the simulator reports as a one-line message, not a traceback."""


class ConnectionFailed(SimulatorError):
    """The central system could not be reached, or refused the WebSocket handshake (with
    `status`, the HTTP status it answered)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ConnectionLost(SimulatorError):
    """The central system closed the connection, or stopped answering, during the run."""


class NoAnswer(ConnectionLost):
    """The central system did not answer a Call within the response timeout."""


class BootRejected(SimulatorError):
    """BootNotification was answered with Rejected or a CallError."""


class RegisterMode(StrEnum):
    LIFETIME = "lifetime"  # the energy register carries on across transactions
    PER_TRANSACTION = "per-transaction"  # it restarts at 0 with every transaction


@dataclass(frozen=True, slots=True)
class StationConfig:
    station_id: str
    url: str  # the central system's OCPP endpoint; the station connects to {url}/{station_id}
    connectors: int = 1
    password: str | None = None  # HTTP Basic auth (OCPP security profile 1)
    speed: float = 60.0  # simulated seconds per real second
    sample_interval_s: int = 60  # simulated seconds between MeterValues
    register: RegisterMode = RegisterMode.LIFETIME
    initial_register_wh: int = 0
    transaction_data: bool = False  # StopTransaction carries transactionData
    vendor: str = "fleetcharge"
    model: str = "Simulator"
    firmware_version: str = "sim-1.0"
    validate: bool = True  # JSON-schema check of what is sent and received (costs CPU)
    response_timeout_s: float = 30.0
    open_timeout_s: float = 10.0
    # Real seconds to keep reconnecting after losing the connection, messages waiting meanwhile
    # (see `uplink`); 0: the lost connection ends the station's run with ConnectionLost.
    reconnect_s: float = 0.0
    # OCPP 1.6 TransactionMessageAttempts / TransactionMessageRetryInterval (real seconds):
    # how often a transaction message the central system failed to process is sent in all,
    # waiting the interval times the attempts so far before each retry.
    transaction_message_attempts: int = 3
    transaction_message_retry_interval_s: int = 30
    # The vendorId whose DataTransfer messages it accepts (echoing their data); None: none.
    data_transfer_vendor: str | None = None
    # Security extensions: the CpoName a CSR names (organizationName), and whether to send
    # SecurityEventNotification on noteworthy events (ResetOrReboot after a reset).
    cpo_name: str | None = None
    security_events: bool = False
    # wss://: the CA file the central system's certificate chains to (None: the system's);
    # the client certificate (profile 3) is the one CertificateSigned installed, if any.
    server_ca_file: str | None = None
    # Smart Charging: apply charging profiles, answer Rejected, or NotSupported (CallError).
    profiles: ProfilesMode = ProfilesMode.SUPPORTED
    # ChargingScheduleAllowedChargingRateUnit: Current, Power or both (CSL).
    rate_units: str = "Current"

    def __post_init__(self) -> None:
        if self.connectors < 1:
            raise ValueError("a station needs at least one connector")
        if self.speed < 1:
            raise ValueError("speed must be >= 1 (simulated seconds per real second)")
        if self.sample_interval_s < 0:
            raise ValueError("sample_interval_s must be >= 0 (0: no MeterValues)")
        if self.reconnect_s < 0:
            raise ValueError("reconnect_s must be >= 0")
        if self.transaction_message_attempts < 1 or self.transaction_message_retry_interval_s < 0:
            raise ValueError("transaction messages need 1 attempt or more, an interval >= 0")


@dataclass(slots=True)
class StationStats:
    """Counters for one station, or (after `add`) for a whole run."""

    boots: int = 0
    messages_sent: int = 0  # Calls the station initiated
    call_errors: int = 0  # CallErrors (or invalid answers) received for them
    frames_sent: int = 0  # every WebSocket frame, answers to the central system included
    frames_received: int = 0
    rejected_authorisations: int = 0  # Authorize or StartTransaction not Accepted
    sessions_completed: int = 0  # transactions started and stopped
    sessions_stopped_early: int = 0  # of those: remote stop, unlock or reset
    transaction_retries: int = 0  # transaction messages sent again after a failed attempt
    energy_wh: int = 0

    def add(self, other: "StationStats") -> None:
        for counter in fields(self):
            name = counter.name
            setattr(self, name, getattr(self, name) + getattr(other, name))


class SessionOutcome(StrEnum):
    COMPLETED = "completed"  # a transaction ran and was stopped
    REJECTED = "rejected"  # the id tag was not accepted
    ABORTED = "aborted"  # reset or unlock before the transaction started
    FAILED = "failed"  # a CallError where the session needed an answer
    SKIPPED = "skipped"  # every connector was Inoperative


@dataclass(slots=True)
class SessionReport:
    """What the station did for one planned session, to compare with what the server stored."""

    station_id: str
    connector_id: int
    id_tag: str
    planned_energy_wh: int
    outcome: SessionOutcome = SessionOutcome.FAILED
    transaction_id: int | None = None
    meter_start: int | None = None
    meter_stop: int | None = None
    energy_wh: int = 0
    stop_reason: str | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
