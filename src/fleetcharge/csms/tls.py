"""TLS for charge stations: wss:// (OCPP security profile 2) and client certificates checked
against the operator's CA (profile 3).

uvicorn verifies a client certificate when one is offered but puts nothing of it in the ASGI
scope, so `serve` runs this WebSocket protocol, which adds the ASGI TLS extension
(`scope["extensions"]["tls"]`) holding the verified certificate's subject.
"""

import ssl
from pathlib import Path
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request

from fleetcharge.settings import Settings
from fleetcharge.station_security.authority import CertificateAuthority
from fleetcharge.station_security.certificates import CertificateProblem, parse_certificates

PROTOCOL = "fleetcharge.csms.tls:TlsWebSocketProtocol"
# The subject as the ssl module gives it (relative distinguished names of (attribute, value)
# pairs), rather than the extension's RFC 4514 string, which would need parsing again.
SUBJECT = "fleetcharge_client_cert_subject"


class TlsWebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        ssl_object = self.transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            self.scope["extensions"]["tls"] = tls_extension(ssl_object)


def tls_extension(ssl_object: ssl.SSLObject) -> dict[object, object]:
    certificate = ssl_object.getpeercert()  # only a certificate that passed verification
    return {SUBJECT: certificate.get("subject", ()) if certificate else ()}


def certificate_name(scope: Any) -> str | None:
    """The common name of the client certificate TLS verified for this connection."""
    tls = scope.get("extensions", {}).get("tls") or {}
    for rdn in tls.get(SUBJECT, ()):
        for attribute, value in rdn:
            if attribute == "commonName":
                return str(value)
    return None


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run's TLS arguments for these settings ({} without a certificate)."""
    if settings.tls_cert_file is None:
        return {}
    options: dict[str, Any] = {
        "ssl_certfile": str(settings.tls_cert_file),
        "ssl_keyfile": str(settings.tls_key_file) if settings.tls_key_file else None,
        "ws": PROTOCOL,
    }
    client_ca = client_ca_file(settings)
    if client_ca is not None:
        # Optional: fleet systems call the API without one; a certificate that is offered
        # must chain to this CA, or the TLS handshake fails.
        options["ssl_ca_certs"] = str(client_ca)
        options["ssl_cert_reqs"] = ssl.CERT_OPTIONAL
    return options


def client_ca_file(settings: Settings) -> Path | None:
    """The CA station client certificates are verified against (profile 3): the client CA
    file, else the station CA that signs them."""
    return settings.tls_client_ca_file or settings.station_ca_cert_file


def check_files(settings: Settings) -> str | None:
    """What is wrong with the TLS settings, in a sentence (None: nothing)."""
    return check_station_ca(settings) or _check_tls_files(settings)


def check_station_ca(settings: Settings) -> str | None:
    """The station CA's files load and match, and profile 3 trusts what it signs."""
    certificate, key = settings.station_ca_cert_file, settings.station_ca_key_file
    if certificate is None and key is None:
        return None
    if certificate is None or key is None:
        return "FLEETCHARGE_STATION_CA_CERT_FILE and FLEETCHARGE_STATION_CA_KEY_FILE go together"
    try:
        authority = CertificateAuthority.load(certificate, key)
        if settings.tls_client_ca_file is not None:
            trusted = parse_certificates(Path(settings.tls_client_ca_file).read_text())
            if authority.certificate not in trusted:
                return (
                    f"the client CA file {settings.tls_client_ca_file} does not hold the station "
                    f"CA's certificate {certificate}: profile 3 would refuse what it signs"
                )
    except (CertificateProblem, OSError, UnicodeDecodeError) as problem:
        return str(problem)
    return None


def _check_tls_files(settings: Settings) -> str | None:
    if settings.tls_cert_file is None:
        if settings.tls_key_file or settings.tls_client_ca_file:
            return "FLEETCHARGE_TLS_CERT_FILE is needed with a key or client CA file"
        return None
    for name, path in (
        ("certificate", settings.tls_cert_file),
        ("key", settings.tls_key_file),
        ("client CA", settings.tls_client_ca_file),
    ):
        if path is not None and not Path(path).is_file():
            return f"the TLS {name} file {path} does not exist"
    try:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(settings.tls_cert_file, settings.tls_key_file)
        client_ca = client_ca_file(settings)
        if client_ca is not None:
            context.load_verify_locations(client_ca)
    except (ssl.SSLError, OSError, ValueError) as error:
        return f"the TLS files cannot be used: {error}"
    return None
