"""The admin API's bodies of commands to a connected station (sent over its socket, wherever
the process holding it runs), and its views of their answers and of the connected stations.
A command answers with the station's status (which may be Rejected); a station not
connected is 404, one answering with a CallError or disconnecting 502, one not answering
in time 504."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.csms import commands

MAX_INT32 = 2**31 - 1
StrictInt32 = Annotated[int, Field(strict=True, ge=-(2**31), le=MAX_INT32)]
ConnectorId = Annotated[int, Field(strict=True, ge=1, le=MAX_INT32)]
ConnectorIdOrStation = Annotated[int, Field(strict=True, ge=0, le=MAX_INT32)]
TriggerMessage = Literal[
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RemoteStopBody(_Body):
    transaction_id: StrictInt32 = Field(alias="transactionId")

    def command(self) -> commands.Command:
        return commands.remote_stop(self.transaction_id)


class UnlockBody(_Body):
    connector_id: ConnectorId = Field(alias="connectorId")

    def command(self) -> commands.Command:
        return commands.unlock(self.connector_id)


class ResetBody(_Body):
    type: Literal["Soft", "Hard"] = "Soft"

    def command(self) -> commands.Command:
        return commands.reset(self.type)


class TriggerBody(_Body):
    requested_message: TriggerMessage = Field(alias="requestedMessage")
    connector_id: ConnectorId | None = Field(default=None, alias="connectorId")

    def command(self) -> commands.Command:
        return commands.trigger(self.requested_message, self.connector_id)


class AvailabilityBody(_Body):
    connector_id: ConnectorIdOrStation = Field(alias="connectorId")
    type: Literal["Operative", "Inoperative"]

    def command(self) -> commands.Command:
        return commands.change_availability(self.connector_id, self.type)


class CommandView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    station: str = Field(description="The station's identity.")
    action: str = Field(description="The OCPP call sent, e.g. RemoteStopTransaction.")
    status: str | None = Field(
        description="The answer's status, e.g. Accepted or Rejected; null for answers "
        "without one (GetConfiguration, GetLocalListVersion, GetDiagnostics, UpdateFirmware)."
    )
    node: str = Field(description="The server process holding the station's socket.")
    answer: dict[str, Any] = Field(
        description="The station's whole answer, as it sent it (camelCase keys)."
    )


class ConnectorState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connector_id: int
    name: str | None
    status: str | None
    error_code: str | None = None
    status_at: str | None = None


class Boot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vendor: str | None
    model: str | None
    serial_number: str | None
    firmware_version: str | None
    last_boot_at: str | None


class ConnectedStation(BaseModel):
    """A connected station; `uuid` and what follows are absent for one deleted since."""

    model_config = ConfigDict(extra="forbid")

    identity: str
    node: str
    connected_since: str
    last_seen: str
    uuid: str = None  # type: ignore[assignment]  # omitted, never null
    evse_id: str = None  # type: ignore[assignment]
    name: str = None  # type: ignore[assignment]
    boot: Boot = None  # type: ignore[assignment]
    connectors: list[ConnectorState] = None  # type: ignore[assignment]
