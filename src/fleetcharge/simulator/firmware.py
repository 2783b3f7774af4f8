"""A simulated station's Firmware Management (UpdateFirmware, GetDiagnostics) and security
extensions (SignedUpdateFirmware, GetLog): each call is answered at once; the download or
upload then runs in the background, reporting every status as a real station does.

A firmware update downloads the image over HTTP(S) (checked against the server's
`Repr-Digest` SHA-256 when it sends one, and against the signing certificate's key for a
signed update), "installs" it and reboots with a new firmwareVersion: the image's file name
without its extension (`fw-2.0.bin` boots as `fw-2.0`). A download that fails (e.g. a 404)
is tried again `retries` times, `retryInterval` simulated seconds apart, then reported
DownloadFailed. Diagnostics and logs are a small generated text file, uploaded with HTTP PUT
to the link (its name appended).
"""

import asyncio
import base64
import binascii
import hashlib
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from fleetcharge.simulator.model import StationConfig

TRANSFER_TIMEOUT_S = 30.0
MAX_VERSION = 50
Notify = Callable[[str], Awaitable[Any]]


class FirmwareStation(Protocol):
    """What the firmware handlers need from the station."""

    config: StationConfig

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None: ...
    async def send(self, payload: Any) -> Any: ...
    def install_firmware(self, version: str) -> None: ...


def version_of(location: str) -> str:
    """The firmwareVersion an image installs: its file name without the extension."""
    name = PurePosixPath(unquote(urlsplit(location).path)).name
    return (PurePosixPath(name).stem or name or "unknown")[:MAX_VERSION]


def log_file(station_id: str, kind: str, request: dict[str, Any]) -> bytes:
    """The diagnostics or log file a station uploads (small, and the same for one request)."""
    lines = [f"station {station_id}: {kind}"]
    lines += [f"{key}={value}" for key, value in sorted(request.items()) if key != "location"]
    lines += [f"{n:04d} nothing to report" for n in range(20)]
    return ("\n".join(lines) + "\n").encode()


def _parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _verified(content: bytes, certificate_pem: str, signature_b64: str) -> bool:
    """Whether the signature is the certificate key's over the image (SHA-256)."""
    try:
        key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
        signature = base64.b64decode(signature_b64, validate=True)
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, content, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, content, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except (ValueError, binascii.Error, InvalidSignature):
        return False
    return True


class Transfers:
    """One station's downloads and uploads, with its speed and its way of sending."""

    def __init__(self, station: FirmwareStation) -> None:
        self.station = station

    async def _sleep(self, simulated_s: float) -> None:
        if simulated_s > 0:
            await asyncio.sleep(simulated_s / self.station.config.speed)

    async def _until(self, moment: datetime | None) -> None:
        if moment is not None:
            await self._sleep((moment - datetime.now(UTC)).total_seconds())

    async def download(self, location: str) -> bytes | None:
        try:
            async with httpx.AsyncClient(timeout=TRANSFER_TIMEOUT_S) as client:
                response = await client.get(location)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        digest = response.headers.get("repr-digest", "")
        if digest.startswith("sha-256=:"):
            expected = digest.removeprefix("sha-256=:").rstrip(":")
            actual = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
            if actual != expected:
                return None
        return response.content

    async def update_firmware(
        self,
        location: str,
        retrieve_at: datetime | None,
        attempts: int,
        interval_s: int,
        notify: Notify,
        signing: tuple[str, str] | None = None,
    ) -> None:
        await self._until(retrieve_at)
        image = None
        for attempt in range(attempts):
            if attempt:
                await self._sleep(interval_s)
            await notify("Downloading")
            image = await self.download(location)
            if image is not None:
                break
        if image is None:
            await notify("DownloadFailed")
            return
        await notify("Downloaded")
        if signing is not None:
            if not _verified(image, *signing):
                await notify("InvalidSignature")
                return
            await notify("SignatureVerified")
        await notify("Installing")
        await notify("Installed")
        self.station.install_firmware(version_of(location))

    async def upload(
        self,
        location: str,
        name: str,
        content: bytes,
        attempts: int,
        interval_s: int,
        notify: Notify,
        statuses: tuple[str, str, str],
    ) -> None:
        uploading, uploaded, failed = statuses
        await notify(uploading)
        for attempt in range(attempts):
            if attempt:
                await self._sleep(interval_s)
            try:
                async with httpx.AsyncClient(timeout=TRANSFER_TIMEOUT_S) as client:
                    response = await client.put(f"{location.rstrip('/')}/{name}", content=content)
                if response.is_success:
                    await notify(uploaded)
                    return
            except httpx.HTTPError:
                pass
        await notify(failed)


class FirmwareCommands(ChargePoint):
    """The handlers, mixed into the simulator's CommandHandler."""

    station: FirmwareStation

    def _transfers(self) -> Transfers:
        return Transfers(self.station)

    @on(Action.update_firmware)
    def on_update_firmware(self, **_: Any) -> Any:
        return call_result.UpdateFirmware()

    @after(Action.update_firmware)
    def after_update_firmware(
        self,
        location: str,
        retrieve_date: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> None:
        async def notify(status: str) -> Any:
            return await self.station.send(call.FirmwareStatusNotification(status=status))

        attempts, interval = 1 + (retries or 0), retry_interval or 0
        work = self._transfers().update_firmware(
            location, _parse_time(retrieve_date), attempts, interval, notify
        )
        self.station.spawn(work)

    @on(Action.signed_update_firmware)
    def on_signed_update_firmware(self, **_: Any) -> Any:
        return call_result.SignedUpdateFirmware(status="Accepted")

    @after(Action.signed_update_firmware)
    def after_signed_update_firmware(
        self,
        request_id: int,
        firmware: dict[str, Any],
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> None:
        async def notify(status: str) -> Any:
            notification = call.SignedFirmwareStatusNotification(
                status=status, request_id=request_id
            )
            return await self.station.send(notification)

        signing = (firmware["signing_certificate"], firmware["signature"])
        work = self._transfers().update_firmware(
            firmware["location"],
            _parse_time(firmware.get("retrieve_date_time")),
            1 + (retries or 0),
            retry_interval or 0,
            notify,
            signing,
        )
        self.station.spawn(work)

    def _diagnostics_name(self) -> str:
        return f"{self.station.config.station_id}-diagnostics.log"

    @on(Action.get_diagnostics)
    def on_get_diagnostics(self, **_: Any) -> Any:
        return call_result.GetDiagnostics(file_name=self._diagnostics_name())

    @after(Action.get_diagnostics)
    def after_get_diagnostics(
        self,
        location: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        **request: Any,
    ) -> None:
        async def notify(status: str) -> Any:
            return await self.station.send(call.DiagnosticsStatusNotification(status=status))

        content = log_file(self.station.config.station_id, "diagnostics", request)
        statuses = ("Uploading", "Uploaded", "UploadFailed")
        attempts, interval = 1 + (retries or 0), retry_interval or 0
        work = self._transfers().upload(
            location, self._diagnostics_name(), content, attempts, interval, notify, statuses
        )
        self.station.spawn(work)

    def _log_name(self, log_type: str) -> str:
        return f"{self.station.config.station_id}-{log_type}.log"

    @on(Action.get_log)
    def on_get_log(self, log_type: str, **_: Any) -> Any:
        return call_result.GetLog(status="Accepted", filename=self._log_name(log_type))

    @after(Action.get_log)
    def after_get_log(
        self,
        log_type: str,
        request_id: int,
        log: dict[str, Any],
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> None:
        async def notify(status: str) -> Any:
            notification = call.LogStatusNotification(status=status, request_id=request_id)
            return await self.station.send(notification)

        parameters = {key: value for key, value in log.items() if key != "remote_location"}
        content = log_file(self.station.config.station_id, log_type, parameters)
        statuses = ("Uploading", "Uploaded", "UploadFailure")
        work = self._transfers().upload(
            log["remote_location"],
            self._log_name(log_type),
            content,
            1 + (retries or 0),
            retry_interval or 0,
            notify,
            statuses,
        )
        self.station.spawn(work)
