"""The admin API's bodies of the security extensions' commands to a station and its views
of what stations reported. Bodies build the call's payload (camelCase, as on the wire);
the admin route sends it."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fleetcharge.station_security.certificates import (
    MAX_CERTIFICATE_CHARS,
    CertificateProblem,
    hash_data_of_pem,
    root_certificate,
)

MAX_INT32 = 2**31 - 1
CertificateType = Literal["CentralSystemRootCertificate", "ManufacturerRootCertificate"]
HashAlgorithm = Literal["SHA256", "SHA384", "SHA512"]
ExtendedTrigger = Literal[
    "BootNotification",
    "LogStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "SignChargePointCertificate",
    "StatusNotification",
]
ConnectorId = Annotated[int, Field(strict=True, ge=1, le=MAX_INT32)]
_HEX = re.compile(r"^[0-9A-Fa-f]+$")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


class InstallCertificateBody(_Body):
    certificate_type: CertificateType = Field(alias="certificateType")
    certificate: str = Field(
        max_length=MAX_CERTIFICATE_CHARS,
        description="One CA certificate (PEM), valid now.",
    )

    @field_validator("certificate")
    @classmethod
    def _a_root(cls, value: str) -> str:
        try:
            root_certificate(value, datetime.now(UTC))
        except CertificateProblem as problem:
            raise ValueError(str(problem)) from None
        return value

    def payload(self) -> dict[str, Any]:
        return {"certificateType": self.certificate_type, "certificate": self.certificate}


class CertificateTypeBody(_Body):
    certificate_type: CertificateType = Field(alias="certificateType")

    def payload(self) -> dict[str, Any]:
        return {"certificateType": self.certificate_type}


def _hex(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError("must be hexadecimal digits")
    return value


class HashData(_Body):
    hash_algorithm: HashAlgorithm = Field(alias="hashAlgorithm")
    issuer_name_hash: str = Field(alias="issuerNameHash", min_length=1, max_length=128)
    issuer_key_hash: str = Field(alias="issuerKeyHash", min_length=1, max_length=128)
    serial_number: str = Field(alias="serialNumber", min_length=1, max_length=40)

    _hex_only = field_validator("issuer_name_hash", "issuer_key_hash", "serial_number")(_hex)

    def payload(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


class DeleteCertificateBody(_Body):
    """The certificate by its hash data, or as PEM (its hash data computed here: SHA256;
    a certificate that is not self-issued followed by its issuer's)."""

    certificate_hash_data: HashData | None = Field(default=None, alias="certificateHashData")
    certificate: str | None = Field(default=None, max_length=2 * MAX_CERTIFICATE_CHARS)

    @field_validator("certificate")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                hash_data_of_pem(value)
            except CertificateProblem as problem:
                raise ValueError(str(problem)) from None
        return value

    @model_validator(mode="after")
    def _one_of(self) -> "DeleteCertificateBody":
        if (self.certificate_hash_data is None) == (self.certificate is None):
            raise ValueError("give either certificateHashData or certificate (PEM)")
        return self

    def payload(self) -> dict[str, Any]:
        if self.certificate is not None:
            return {"certificateHashData": hash_data_of_pem(self.certificate).to_json()}
        assert self.certificate_hash_data is not None
        return {"certificateHashData": self.certificate_hash_data.payload()}


class ExtendedTriggerBody(_Body):
    requested_message: ExtendedTrigger = Field(alias="requestedMessage")
    connector_id: ConnectorId | None = Field(default=None, alias="connectorId")

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"requestedMessage": self.requested_message}
        if self.connector_id is not None:
            payload["connectorId"] = self.connector_id
        return payload


class RenewCertificateBody(_Body):
    """Nothing to say: the station makes a new key and sends its CSR."""


class SecurityEventView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    type: str = Field(description="As the station sent it, e.g. ResetOrReboot.")
    critical: bool = Field(description="Critical in the OCPP 1.6 security whitepaper's list.")
    timestamp: str = Field(description="When it happened, by the station's clock (checked).")
    received_at: str
    tech_info: str | None


class CertificateRequestView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    received_at: str
    status: str = Field(description="Our answer to SignCertificate: Accepted or Rejected.")
    reason: str | None = Field(description="Why it was Rejected (or could not be signed).")
    csr: str
    serial_number: str | None = Field(description="The signed certificate's, in hex.")
    certificate: str | None = Field(description="The signed certificate (PEM).")
    valid_until: str | None
    signed_at: str | None
    delivery: str | None = Field(
        description="The station's answer to CertificateSigned (Accepted, Rejected), or "
        "error, timeout or disconnected; null while under way."
    )
    delivery_detail: str | None


class HashDataView(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    hashAlgorithm: str  # as on the wire
    issuerNameHash: str
    issuerKeyHash: str
    serialNumber: str


class InstalledCertificateView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    certificate_type: str
    certificate_hash_data: HashDataView
    reported_at: str = Field(description="When the station listed it.")
