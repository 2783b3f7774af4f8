"""The security extensions on the station side: a certificate store (root certificates the
central system installs, with their hash data), the station's own key and client certificate
(renewed on ExtendedTriggerMessage(SignChargePointCertificate): a new key, a CSR in
SignCertificate, the chain of CertificateSigned installed once verified), and
SecurityEventNotification."""

import ssl
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import (
    Action,
    CertificateSignedStatus,
    CertificateStatus,
    DeleteCertificateStatus,
    GetInstalledCertificateStatus,
    MessageTrigger,
    TriggerMessageStatus,
)

from fleetcharge.station_security.certificates import (
    CertificateProblem,
    HashData,
    hash_data,
    parse_certificates,
    root_certificate,
)

# Root certificates a station keeps at most (real ones have a few slots).
MAX_ROOTS = 10
# ExtendedTriggerMessage's messages the simulator sends (it keeps no logs).
EXTENDED_TRIGGERS = frozenset(
    {
        MessageTrigger.boot_notification,
        MessageTrigger.firmware_status_notification,
        MessageTrigger.heartbeat,
        MessageTrigger.meter_values,
        MessageTrigger.status_notification,
        MessageTrigger.sign_charge_point_certificate,
    }
)


@dataclass(frozen=True)
class InstalledRoot:
    certificate_type: str
    certificate: x509.Certificate
    hash_data: HashData


class StationSecurity:
    """What a station keeps across connections: its roots, its key and certificate."""

    def __init__(
        self,
        station_id: str,
        cpo_name: str | None,
        send: Callable[[Any], Coroutine[Any, Any, Any]],
        stamp: Callable[[], str],
    ) -> None:
        self.station_id = station_id
        self.cpo_name = cpo_name
        self._send = send
        self._stamp = stamp
        self.roots: list[InstalledRoot] = []
        self.key: ec.EllipticCurvePrivateKey | None = None
        self.certificate_chain: list[x509.Certificate] = []  # the client certificate first
        self._pending_key: ec.EllipticCurvePrivateKey | None = None
        self.csr_answers: list[str] = []  # the central system's answers to SignCertificate
        self.last_chain: CertificateSignedStatus | None = None  # our CertificateSigned answer

    # -- the certificate store --------------------------------------------------------------

    def install(self, certificate_type: str, pem: str) -> CertificateStatus:
        try:
            certificate = root_certificate(pem, datetime.now(UTC))
        except CertificateProblem:
            return CertificateStatus.rejected
        data = hash_data(certificate, certificate)
        if any(root.hash_data == data for root in self.roots):
            return CertificateStatus.accepted
        if len(self.roots) >= MAX_ROOTS:
            return CertificateStatus.failed
        self.roots.append(InstalledRoot(certificate_type, certificate, data))
        return CertificateStatus.accepted

    def installed(self, certificate_type: str) -> list[dict[str, str]]:
        return [
            root.hash_data.to_json()
            for root in self.roots
            if root.certificate_type == certificate_type
        ]

    def delete(self, wanted: dict[str, str]) -> DeleteCertificateStatus:
        for root in self.roots:
            if root.hash_data.to_json() == wanted:
                self.roots.remove(root)
                return DeleteCertificateStatus.accepted
        return DeleteCertificateStatus.not_found

    # -- the station's certificate ----------------------------------------------------------

    async def request_certificate(self) -> None:
        """A new key, and its CSR sent in SignCertificate."""
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.NameAttribute(NameOID.COMMON_NAME, self.station_id)]
        if self.cpo_name:
            names.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.cpo_name))
        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(x509.Name(names))
            .sign(key, hashes.SHA256())
        )
        self._pending_key = key
        pem = csr.public_bytes(serialization.Encoding.PEM).decode()
        result = await self._send(call.SignCertificate(csr=pem))
        self.csr_answers.append("CallError" if result is None else str(result.status))

    def accept_chain(self, pem: str) -> CertificateSignedStatus:
        self.last_chain = self._accept_chain(pem)
        return self.last_chain

    def _accept_chain(self, pem: str) -> CertificateSignedStatus:
        """Install the chain if its first certificate is for the key of the last CSR, valid
        now, and chains to an installed CentralSystemRootCertificate."""
        try:
            chain = parse_certificates(pem)
        except CertificateProblem:
            return CertificateSignedStatus.rejected
        key, leaf = self._pending_key, chain[0]
        now = datetime.now(UTC)
        if (
            key is None
            or leaf.public_key() != key.public_key()
            or not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc
            or not self._chains_to_root(chain)
        ):
            return CertificateSignedStatus.rejected
        self.key, self.certificate_chain, self._pending_key = key, chain, None
        return CertificateSignedStatus.accepted

    def _chains_to_root(self, chain: list[x509.Certificate]) -> bool:
        roots = [r.certificate for r in self.roots if r.certificate_type == CENTRAL_SYSTEM_ROOT]
        current, intermediates = chain[0], chain[1:]
        for _ in range(len(chain)):
            if any(_issued_by(current, root) for root in roots):
                return True
            issuer = next((c for c in intermediates if _issued_by(current, c)), None)
            if issuer is None:
                return False
            intermediates.remove(issuer)
            current = issuer
        return False

    def tls_context(self, server_ca_file: str | None) -> ssl.SSLContext:
        """A TLS client's settings: trusting `server_ca_file` (None: the system's CAs), and
        presenting the client certificate CertificateSigned installed, if any (profile 3)."""
        context = ssl.create_default_context(cafile=server_ca_file)
        if self.key is not None:
            chain = b"".join(
                c.public_bytes(serialization.Encoding.PEM) for c in self.certificate_chain
            )
            key = self.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            with tempfile.TemporaryDirectory() as folder:  # ssl loads them from files only
                pem = Path(folder) / "client.pem"
                pem.write_bytes(chain + key)
                context.load_cert_chain(pem)
        return context

    # -- security events --------------------------------------------------------------------

    async def notify(self, event_type: str, tech_info: str | None = None) -> None:
        await self._send(
            call.SecurityEventNotification(
                type=event_type, timestamp=self._stamp(), tech_info=tech_info
            )
        )


CENTRAL_SYSTEM_ROOT = "CentralSystemRootCertificate"


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


class SecurityCommands(ChargePoint):
    """The security extensions' calls from the central system (a `CommandHandler` base)."""

    station: Any  # the SimulatedStation (see commands.Station)

    @property
    def _security(self) -> StationSecurity:
        security: StationSecurity = self.station.security
        return security

    @on(Action.install_certificate)
    def on_install_certificate(self, certificate_type: str, certificate: str, **_: Any) -> Any:
        return call_result.InstallCertificate(
            status=self._security.install(certificate_type, certificate)
        )

    @on(Action.get_installed_certificate_ids)
    def on_get_installed_certificate_ids(self, certificate_type: str, **_: Any) -> Any:
        listed = self._security.installed(certificate_type)
        if not listed:
            return call_result.GetInstalledCertificateIds(
                status=GetInstalledCertificateStatus.not_found
            )
        return call_result.GetInstalledCertificateIds(
            status=GetInstalledCertificateStatus.accepted, certificate_hash_data=listed
        )

    @on(Action.delete_certificate)
    def on_delete_certificate(self, certificate_hash_data: dict[str, str], **_: Any) -> Any:
        wanted = {
            "hashAlgorithm": certificate_hash_data["hash_algorithm"],
            "issuerNameHash": certificate_hash_data["issuer_name_hash"],
            "issuerKeyHash": certificate_hash_data["issuer_key_hash"],
            "serialNumber": certificate_hash_data["serial_number"],
        }
        return call_result.DeleteCertificate(status=self._security.delete(wanted))

    def _can_extended_trigger(self, message: str, connector_id: int | None) -> TriggerMessageStatus:
        if message not in EXTENDED_TRIGGERS:
            return TriggerMessageStatus.not_implemented
        if connector_id and not self.station.has_connector(connector_id):
            return TriggerMessageStatus.rejected
        return TriggerMessageStatus.accepted

    @on(Action.extended_trigger_message)
    def on_extended_trigger_message(
        self, requested_message: str, connector_id: int | None = None, **_: Any
    ) -> Any:
        status = self._can_extended_trigger(requested_message, connector_id)
        return call_result.ExtendedTriggerMessage(status=status)

    @after(Action.extended_trigger_message)
    def after_extended_trigger_message(
        self, requested_message: str, connector_id: int | None = None, **_: Any
    ) -> None:
        if self._can_extended_trigger(requested_message, connector_id) != "Accepted":
            return
        message = MessageTrigger(requested_message)
        if message == MessageTrigger.sign_charge_point_certificate:
            self.station.spawn(self._security.request_certificate())
        else:
            self.station.spawn(self.station.send_triggered(message, connector_id))

    @on(Action.certificate_signed)
    def on_certificate_signed(self, certificate_chain: str, **_: Any) -> Any:
        return call_result.CertificateSigned(status=self._security.accept_chain(certificate_chain))

    @after(Action.certificate_signed)
    def after_certificate_signed(self, certificate_chain: str, **_: Any) -> None:
        if self._security.last_chain == CertificateSignedStatus.rejected:
            self.station.spawn(self._security.notify("InvalidChargePointCertificate"))
