"""The central system's calls a simulated station answers, and its configuration keys.

Each handler answers at once; anything that sends messages (a triggered message, the stop after
RemoteStopTransaction, the reboot after Reset) starts in an `@after` hook, once the answer is on
the wire, and runs in the background.
"""

import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import (
    Action,
    AvailabilityStatus,
    AvailabilityType,
    ChargePointStatus,
    ConfigurationStatus,
    Measurand,
    MessageTrigger,
    Reason,
    RemoteStartStopStatus,
    ResetStatus,
    ResetType,
    TriggerMessageStatus,
    UnlockStatus,
)

from fleetcharge.simulator.core import CoreCommands
from fleetcharge.simulator.firmware import FirmwareCommands, FirmwareStation
from fleetcharge.simulator.local_auth import LocalAuth, LocalAuthHandlers
from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.profiles import ProfilesMode
from fleetcharge.simulator.security import SecurityCommands, StationSecurity
from fleetcharge.simulator.smart_charging import SmartChargingCommands

SAMPLED_MEASURANDS = (
    Measurand.energy_active_import_register,
    Measurand.power_active_import,
    Measurand.current_import,
    Measurand.soc,
)
TRIGGERS = frozenset(
    {
        MessageTrigger.boot_notification,
        MessageTrigger.heartbeat,
        MessageTrigger.status_notification,
        MessageTrigger.meter_values,
        MessageTrigger.diagnostics_status_notification,
        MessageTrigger.firmware_status_notification,
    }
)
_READONLY = frozenset(
    {
        "NumberOfConnectors",
        "SupportedFeatureProfiles",
        "ChargeProfileMaxStackLevel",
        "ChargingScheduleAllowedChargingRateUnit",
        "ChargingScheduleMaxPeriods",
        "MaxChargingProfilesInstalled",
    }
)
MAX_STACK_LEVEL = 10
MAX_PERIODS = 48
MAX_PROFILES_INSTALLED = 20

# The ocpp library logs every frame at INFO and each CallError at WARNING. Give it our own logger,
# silent unless the application configures logging, so the CLI's output stays clean.
logging.getLogger("fleetcharge.simulator").addHandler(logging.NullHandler())
_OCPP_LOG = logging.getLogger("fleetcharge.simulator.ocpp")


class Configuration:
    """The keys GetConfiguration shows and ChangeConfiguration may change."""

    def __init__(self, config: StationConfig) -> None:
        self.values: dict[str, str] = {
            "HeartbeatInterval": "0",
            "MeterValueSampleInterval": str(config.sample_interval_s),
            "MeterValuesSampledData": ",".join(SAMPLED_MEASURANDS),
            "NumberOfConnectors": str(config.connectors),
            "StopTransactionOnInvalidId": "true",
            "SupportedFeatureProfiles": (
                "Core,FirmwareManagement,LocalAuthListManagement,Reservation,RemoteTrigger"
                + (",SmartCharging" if config.profiles is ProfilesMode.SUPPORTED else "")
            ),
            "TransactionMessageAttempts": str(config.transaction_message_attempts),
            "TransactionMessageRetryInterval": str(config.transaction_message_retry_interval_s),
            # Tags answered Accepted are remembered, and used when Authorize fails.
            "AuthorizationCacheEnabled": "true",
            # RemoteStartTransaction's idTag is authorised (Authorize) before starting.
            "AuthorizeRemoteTxRequests": "true",
            # Local Auth List Management and Reservation (see local_auth).
            "LocalAuthListEnabled": "true",
            "LocalAuthListMaxLength": "100",
            "SendLocalListMaxLength": "20",
            "LocalPreAuthorize": "false",
            "ReserveConnectorZeroSupported": "false",
            # Smart Charging (see profiles).
            "ChargeProfileMaxStackLevel": str(MAX_STACK_LEVEL),
            "ChargingScheduleAllowedChargingRateUnit": config.rate_units,
            "ChargingScheduleMaxPeriods": str(MAX_PERIODS),
            "MaxChargingProfilesInstalled": str(MAX_PROFILES_INSTALLED),
        }

    @property
    def heartbeat_interval_s(self) -> int:
        return int(self.values["HeartbeatInterval"])

    @property
    def sample_interval_s(self) -> int:
        return int(self.values["MeterValueSampleInterval"])

    @property
    def measurands(self) -> list[Measurand]:
        return [Measurand(m) for m in self.values["MeterValuesSampledData"].split(",")]

    @property
    def stop_on_invalid_id(self) -> bool:
        return self.values["StopTransactionOnInvalidId"] == "true"

    @property
    def transaction_message_attempts(self) -> int:
        return max(1, int(self.values["TransactionMessageAttempts"]))

    @property
    def transaction_message_retry_interval_s(self) -> int:
        return int(self.values["TransactionMessageRetryInterval"])

    @property
    def authorization_cache(self) -> bool:
        return self.values["AuthorizationCacheEnabled"] == "true"

    @property
    def authorize_remote_starts(self) -> bool:
        return self.values["AuthorizeRemoteTxRequests"] == "true"

    def get(self, keys: list[str] | None) -> tuple[list[dict[str, Any]], list[str]]:
        wanted = keys or list(self.values)
        known = [
            {"key": key, "readonly": key in _READONLY, "value": self.values[key]}
            for key in wanted
            if key in self.values
        ]
        return known, [key for key in wanted if key not in self.values]

    def change(self, key: str, value: str) -> ConfigurationStatus:
        if key not in self.values:
            return ConfigurationStatus.not_supported
        if key in _READONLY or not _valid(key, value):
            return ConfigurationStatus.rejected
        self.values[key] = value
        return ConfigurationStatus.accepted


def _valid(key: str, value: str) -> bool:
    if key in (
        "HeartbeatInterval",
        "MeterValueSampleInterval",
        "TransactionMessageAttempts",
        "TransactionMessageRetryInterval",
    ):
        return value.isdigit()
    if key == "MeterValuesSampledData":
        return bool(value) and all(m in SAMPLED_MEASURANDS for m in value.split(","))
    return value in ("true", "false")


class Station(FirmwareStation, Protocol):
    """What the handlers need from the station."""

    configuration: Configuration
    local_auth: LocalAuth
    security: StationSecurity

    def status(self, connector_id: int) -> ChargePointStatus: ...
    def has_connector(self, connector_id: int) -> bool: ...
    def has_transaction(self, transaction_id: int) -> bool: ...
    def stop_transaction(self, transaction_id: int, reason: Reason) -> None: ...
    def stop_connector(self, connector_id: int, reason: Reason) -> None: ...
    def request_reset(self, kind: ResetType) -> None: ...
    def change_availability(
        self, connector_id: int, kind: AvailabilityType
    ) -> AvailabilityStatus: ...
    def announce_idle_statuses(self) -> None: ...
    def restart_heartbeat(self) -> None: ...
    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None: ...
    def send_triggered(
        self, message: MessageTrigger, connector_id: int | None
    ) -> Coroutine[Any, Any, None]: ...


class CommandHandler(
    CoreCommands,
    FirmwareCommands,
    LocalAuthHandlers,
    SecurityCommands,
    SmartChargingCommands,
    ChargePoint,
):
    """`ocpp.v16.ChargePoint` in the charge point role: answers the central system's calls."""

    station: Station

    def __init__(
        self, station_id: str, station: Station, connection: Any, response_timeout: float
    ) -> None:
        super().__init__(
            station_id, connection, response_timeout=response_timeout, logger=_OCPP_LOG
        )
        self.station = station

    @on(Action.remote_stop_transaction)
    def on_remote_stop_transaction(self, transaction_id: int, **_: Any) -> Any:
        known = self.station.has_transaction(transaction_id)
        status = RemoteStartStopStatus.accepted if known else RemoteStartStopStatus.rejected
        return call_result.RemoteStopTransaction(status=status)

    @after(Action.remote_stop_transaction)
    def after_remote_stop_transaction(self, transaction_id: int, **_: Any) -> None:
        self.station.stop_transaction(transaction_id, Reason.remote)

    @on(Action.unlock_connector)
    def on_unlock_connector(self, connector_id: int, **_: Any) -> Any:
        known = self.station.has_connector(connector_id)
        status = UnlockStatus.unlocked if known else UnlockStatus.not_supported
        return call_result.UnlockConnector(status=status)

    @after(Action.unlock_connector)
    def after_unlock_connector(self, connector_id: int, **_: Any) -> None:
        # OCPP 1.6: unlocking a connector with a transaction stops the transaction first.
        self.station.stop_connector(connector_id, Reason.unlock_command)

    @on(Action.reset)
    def on_reset(self, **_: Any) -> Any:
        return call_result.Reset(status=ResetStatus.accepted)

    @after(Action.reset)
    def after_reset(self, type: str, **_: Any) -> None:
        self.station.request_reset(ResetType(type))

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **_: Any) -> Any:
        status = self.station.change_availability(connector_id, AvailabilityType(type))
        return call_result.ChangeAvailability(status=status)

    @after(Action.change_availability)
    def after_change_availability(self, **_: Any) -> None:
        self.station.announce_idle_statuses()

    def _can_trigger(self, message: str, connector_id: int | None) -> TriggerMessageStatus:
        if message not in TRIGGERS:
            return TriggerMessageStatus.not_implemented
        if connector_id and not self.station.has_connector(connector_id):
            return TriggerMessageStatus.rejected
        return TriggerMessageStatus.accepted

    @on(Action.trigger_message)
    def on_trigger_message(
        self, requested_message: str, connector_id: int | None = None, **_: Any
    ) -> Any:
        return call_result.TriggerMessage(status=self._can_trigger(requested_message, connector_id))

    @after(Action.trigger_message)
    def after_trigger_message(
        self, requested_message: str, connector_id: int | None = None, **_: Any
    ) -> None:
        if self._can_trigger(requested_message, connector_id) == TriggerMessageStatus.accepted:
            message = MessageTrigger(requested_message)
            self.station.spawn(self.station.send_triggered(message, connector_id))

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **_: Any) -> Any:
        known, unknown = self.station.configuration.get(key)
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **_: Any) -> Any:
        status = self.station.configuration.change(key, value)
        return call_result.ChangeConfiguration(status=status)

    @after(Action.change_configuration)
    def after_change_configuration(self, key: str, **_: Any) -> None:
        if key == "HeartbeatInterval":
            self.station.restart_heartbeat()
