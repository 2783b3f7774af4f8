"""The admin API's bodies of firmware, diagnostics and log requests, and its views of firmware
files and of the requests (camelCase bodies, as the OCPP fields they become)."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fleetcharge.errors import InvalidField
from fleetcharge.firmware.orders import FirmwareOrder, Retries, UploadOrder

MAX_INT32 = 2**31 - 1
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_INT32)]
Location = Annotated[str, Field(min_length=1, max_length=512, pattern=r"^(https?|ftps?)://\S+$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    retries: Count | None = Field(
        default=None, description="How often the station tries again after a failure."
    )
    retry_interval: Count | None = Field(
        default=None, alias="retryInterval", description="Seconds between those tries."
    )

    def _retries(self) -> Retries:
        return Retries(self.retries, self.retry_interval)


class _FirmwareBody(_Body):
    firmware_uuid: UUID | None = Field(
        default=None, alias="firmwareUuid", description="A firmware file uploaded to us."
    )
    location: Location | None = Field(
        default=None, description="Or the URL of an image elsewhere the station fetches."
    )

    def _source(self) -> tuple[UUID | None, str | None]:
        if (self.firmware_uuid is None) == (self.location is None):
            raise InvalidField(
                "firmwareUuid: give either firmwareUuid or location", field="firmwareUuid"
            )
        return self.firmware_uuid, self.location


class UpdateFirmwareBody(_FirmwareBody):
    retrieve_date: AwareDatetime | None = Field(
        default=None, alias="retrieveDate", description="When to fetch it (default: now)."
    )

    def order(self) -> FirmwareOrder:
        uuid, location = self._source()
        return FirmwareOrder(uuid, location, self.retrieve_date, self._retries())


class SignedUpdateFirmwareBody(_FirmwareBody):
    retrieve_date_time: AwareDatetime | None = Field(
        default=None, alias="retrieveDateTime", description="When to fetch it (default: now)."
    )
    install_date_time: AwareDatetime | None = Field(
        default=None, alias="installDateTime", description="When to install it."
    )
    signing_certificate: str | None = Field(
        default=None,
        alias="signingCertificate",
        description="PEM; default: the firmware file's (given with its upload).",
    )
    signature: str | None = Field(default=None, description="Base64; default: the file's.")

    def order(self) -> FirmwareOrder:
        uuid, location = self._source()
        return FirmwareOrder(
            uuid,
            location,
            self.retrieve_date_time,
            self._retries(),
            signed=True,
            install_at=self.install_date_time,
            signing_certificate=self.signing_certificate,
            signature=self.signature,
        )


def _period(oldest: datetime | None, latest: datetime | None, names: tuple[str, str]) -> None:
    if oldest is not None and latest is not None and latest < oldest:
        raise InvalidField(f"{names[1]}: before {names[0]}", field=names[1])


class DiagnosticsBody(_Body):
    start_time: AwareDatetime | None = Field(default=None, alias="startTime")
    stop_time: AwareDatetime | None = Field(default=None, alias="stopTime")

    def order(self) -> UploadOrder:
        _period(self.start_time, self.stop_time, ("startTime", "stopTime"))
        return UploadOrder(None, self.start_time, self.stop_time, self._retries())


class LogBody(_Body):
    log_type: Literal["DiagnosticsLog", "SecurityLog"] = Field(alias="logType")
    oldest_timestamp: AwareDatetime | None = Field(default=None, alias="oldestTimestamp")
    latest_timestamp: AwareDatetime | None = Field(default=None, alias="latestTimestamp")

    def order(self) -> UploadOrder:
        names = ("oldestTimestamp", "latestTimestamp")
        _period(self.oldest_timestamp, self.latest_timestamp, names)
        return UploadOrder(
            self.log_type, self.oldest_timestamp, self.latest_timestamp, self._retries()
        )


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FirmwareFileView(_View):
    uuid: str
    name: str
    size_bytes: int
    sha256: str = Field(description="Hex SHA-256 of the image.")
    signed: bool = Field(description="Uploaded with a signing certificate and signature.")
    signing_certificate: str | None
    signature: str | None
    uploaded_by: str
    created_at: str


class UploadView(_View):
    name: str
    content_type: str
    size_bytes: int
    sha256: str
    received_at: str


class StatusEntry(_View):
    status: str
    received_at: str


class TransferView(_View):
    uuid: str
    request_id: int = Field(description="Ours, unique: the requestId of signed and log ones.")
    station: str
    kind: Literal["firmware", "signed_firmware", "diagnostics", "log"]
    action: str
    log_type: str | None
    firmware_uuid: str | None
    request: dict[str, Any] = Field(description="The payload sent, the link's token hidden.")
    answer: dict[str, Any] | None = Field(description="The station's answer, as sent.")
    error: str | None = Field(description="Why the station never answered (then no link).")
    file_name: str | None = Field(description="The file name the station announced.")
    status: str | None = Field(description="The latest status the station reported.")
    status_at: str | None
    link_expires_at: str | None = Field(description="Until when the station's link works.")
    upload: UploadView | None = Field(description="The file the station uploaded.")
    requested_by: str
    created_at: str


class TransferDetail(TransferView):
    history: list[StatusEntry] = Field(description="Every status reported, in order.")


class TransferCommandView(_View):
    station: str
    action: str
    status: str | None = Field(description="The answer's status (none for some actions).")
    node: str
    answer: dict[str, Any]
    transfer: TransferView = Field(description="The request as stored.")
