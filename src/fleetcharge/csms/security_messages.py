"""The security extensions' messages from stations (OCPP 1.6 security whitepaper):
SecurityEventNotification, stored (critical events logged at WARNING), and SignCertificate,
answered at once, the certificate signed and sent with CertificateSigned after the answer
(never inside the `@on` handler: the call would wait for the message loop that runs it)."""

import asyncio
import logging
from datetime import datetime
from typing import Any

import anyio.to_thread
from cryptography.hazmat.primitives.serialization import Encoding
from ocpp.exceptions import OCPPError
from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action, GenericStatus

from fleetcharge.csms.station_side import StationSide
from fleetcharge.station_security import service
from fleetcharge.station_security.authority import CertificateSigning, CsrRejected, check_csr
from fleetcharge.station_security.certificates import CertificateProblem
from fleetcharge.station_security.events import is_critical

logger = logging.getLogger(__name__)


class SecurityMessages(StationSide):
    @on(Action.security_event_notification)
    async def on_security_event_notification(
        self, type: str, timestamp: str, tech_info: str | None = None
    ) -> call_result.SecurityEventNotification:
        received_at = self.config.now()
        occurred = self._time(timestamp, received_at)
        critical = is_critical(type)
        logger.log(
            logging.WARNING if critical else logging.INFO,
            "%s: security event %s at %s%s",
            self.station.identity,
            type,
            timestamp,
            f" ({tech_info})" if tech_info else "",
        )
        kept = self.config.security.events_kept
        await self._in_transaction(
            lambda db: service.record_security_event(
                db, self.station.id, type, occurred.used, received_at, tech_info, kept
            )
        )
        return call_result.SecurityEventNotification()

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str) -> call_result.SignCertificate:
        received_at = self.config.now()
        signing, identity = self.config.security.signing, self.station.identity
        reason = await anyio.to_thread.run_sync(refusal, signing, csr, identity)
        request = await self._in_transaction(
            lambda db: (
                service.record_certificate_request(db, self.station.id, csr, received_at, reason).id
            )
        )
        if reason is not None:
            logger.warning("%s: SignCertificate rejected: %s", self.station.identity, reason)
            return call_result.SignCertificate(status=GenericStatus.rejected)
        self._csrs_to_sign().setdefault(csr, []).append(request)
        return call_result.SignCertificate(status=GenericStatus.accepted)

    @after(Action.sign_certificate)
    async def after_sign_certificate(self, csr: str) -> None:
        waiting = self._csrs_to_sign().get(csr)
        if not waiting:  # Rejected
            return
        request = waiting.pop(0)
        if not waiting:
            del self._csrs_to_sign()[csr]
        try:
            await self._sign_and_send(request, csr)
        except Exception:
            logger.exception("%s: signing a certificate failed", self.station.identity)

    def _csrs_to_sign(self) -> dict[str, list[int]]:
        """Accepted CSRs (to their requests' ids, oldest first: a station may send the same
        CSR again) between the answer and the `@after` hook."""
        pending: dict[str, list[int]] = self.__dict__.setdefault("_csrs", {})
        return pending

    async def _sign_and_send(self, request: int, csr: str) -> None:
        signing, identity = self.config.security.signing, self.station.identity
        now = self.config.now()
        try:
            chain, serial, valid_until, leaf = await anyio.to_thread.run_sync(
                sign, signing, csr, identity, now
            )
        except (CertificateProblem, CsrRejected) as problem:
            reason = str(problem)
            logger.error("%s: cannot sign its certificate: %s", identity, reason)
            await self._in_transaction(
                lambda db: service.record_signing_failed(db, request, reason)
            )
            return
        await self._in_transaction(
            lambda db: service.record_signed(db, request, leaf, serial, valid_until, now)
        )
        delivery, detail = await self._send_certificate(chain)
        logger.info("%s: CertificateSigned %s %s", identity, delivery, detail or "")
        await self._in_transaction(
            lambda db: service.record_delivery(db, request, delivery, detail)
        )

    async def _send_certificate(self, chain: str) -> tuple[str, str | None]:
        """The station's answer to CertificateSigned, or what went wrong."""
        timeout = self.config.command_timeout
        try:
            result: Any = await asyncio.wait_for(
                self.call(call.CertificateSigned(certificate_chain=chain), suppress=False),
                timeout,
            )
        except OCPPError as error:
            return "error", f"{error.code}: {error.description}"
        except TimeoutError:
            return "timeout", f"no answer within {timeout:g} s"
        except Exception as error:  # the connection went away while sending
            return "disconnected", type(error).__name__
        return str(result.status), None


def refusal(signing: CertificateSigning, csr: str, identity: str) -> str | None:
    """Why a CSR is Rejected (None: Accepted): no usable CA, or a CSR it may not sign."""
    if not signing.configured:
        return "no certificate authority is configured"
    try:
        signing.authority()
        check_csr(csr, identity, signing.cpo_name)
    except (CsrRejected, CertificateProblem) as rejected:
        return str(rejected)
    return None


def sign(
    signing: CertificateSigning, csr: str, identity: str, now: datetime
) -> tuple[str, str, datetime, str]:
    """(CertificateSigned's chain, the serial number in hex, the end of validity, the
    certificate's PEM)."""
    authority = signing.authority()
    certificate = authority.sign(check_csr(csr, identity, signing.cpo_name), signing.days, now)
    return (
        authority.chain_pem(certificate),
        format(certificate.serial_number, "x"),
        certificate.not_valid_after_utc,
        certificate.public_bytes(Encoding.PEM).decode(),
    )
