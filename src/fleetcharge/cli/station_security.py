"""`fleetcharge stations security-events | certificate-requests | install-certificate |
certificates | delete-certificate | extended-trigger | renew-certificate`: the OCPP 1.6
security extensions, through a running server's admin API (see station_commands)."""

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import typer

from fleetcharge.cli.common import fail, input_bytes, print_records
from fleetcharge.cli.station_commands import (
    DEFAULT_SERVER,
    AdminClient,
    AdminToken,
    Server,
    StationArg,
    send_command,
)
from fleetcharge.csms.command_schemas import MAX_INT32
from fleetcharge.station_security.certificates import (
    HASH_ALGORITHMS,
    MAX_CERTIFICATE_CHARS,
    CertificateProblem,
    hash_data_of_pem,
)
from fleetcharge.station_security.schemas import CertificateType, ExtendedTrigger

AsJson = Annotated[bool, typer.Option("--json", help="Print the server's JSON.")]
CertificateTypeOption = Annotated[
    CertificateType | None,
    typer.Option(
        "--type",
        help="CentralSystemRootCertificate or ManufacturerRootCertificate (default: both).",
        show_default=False,
    ),
]
Limit = Annotated[int, typer.Option(help="How many, newest first.", min=1, max=500)]


def _pem(path: str) -> str:
    """A PEM file's text (`-`: standard input)."""
    try:
        return input_bytes(path, 2 * MAX_CERTIFICATE_CHARS).decode("ascii")
    except UnicodeDecodeError:
        raise fail(f"{path} is not a PEM file (text)") from None


def security_events(
    station: StationArg,
    event_type: Annotated[
        str | None, typer.Option("--type", help="Only this type.", show_default=False)
    ] = None,
    limit: Limit = 50,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """The station's security events (SecurityEventNotification), newest first; critical ones
    (per the OCPP 1.6 security whitepaper) marked."""
    query = {"limit": limit} | ({"type": event_type} if event_type else {})
    events = AdminClient(server, token).request(
        "GET", f"/stations/{station}/security-events?{urlencode(query)}"
    )["data"]
    print_records(
        events,
        as_json=as_json,
        empty=f"{station}: no security events.",
        title=f"{station}: {len(events)} security event(s)",
        columns=("Time", "Type", "Critical", "Received", "Tech info"),
        cells=lambda event: (
            event["timestamp"],
            event["type"],
            "yes" if event["critical"] else "",
            event["received_at"],
            event["tech_info"] or "",
        ),
    )


def certificate_requests(
    station: StationArg,
    limit: Limit = 20,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """The station's certificate signing requests (SignCertificate), newest first: our
    answer, the certificate signed and the station's answer to CertificateSigned."""
    requests = AdminClient(server, token).request(
        "GET", f"/stations/{station}/certificate-requests?limit={limit}"
    )["data"]
    print_records(
        requests,
        as_json=as_json,
        empty=f"{station}: no certificate signing requests.",
        title=f"{station}: certificate signing requests",
        columns=("Received", "Answer", "Serial", "Valid until", "Station's answer", "Detail"),
        cells=lambda request: (
            request["received_at"],
            request["status"],
            request["serial_number"] or "",
            request["valid_until"] or "",
            request["delivery"] or "",
            request["reason"] or request["delivery_detail"] or "",
        ),
    )


def install_certificate(
    station: StationArg,
    certificate: Annotated[
        str, typer.Argument(help="The CA certificate's PEM file (-: standard input).")
    ],
    certificate_type: Annotated[
        CertificateType,
        typer.Option("--type", help="What the station will trust it for."),
    ] = "CentralSystemRootCertificate",
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Install a root certificate on the station (InstallCertificate)."""
    body = {"certificateType": certificate_type, "certificate": _pem(certificate)}
    send_command(server, token, station, "install-certificate", body)


def certificates(
    station: StationArg,
    certificate_type: CertificateTypeOption = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: AsJson = False,
) -> None:
    """Ask the station which root certificates it has (GetInstalledCertificateIds); the
    server keeps the answer. Their hash data is what delete-certificate takes."""
    client = AdminClient(server, token)
    kinds: list[str] = (
        [certificate_type]
        if certificate_type
        else ["CentralSystemRootCertificate", "ManufacturerRootCertificate"]
    )
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        answer = client.request(
            "POST", f"/stations/{station}/get-installed-certificates", {"certificateType": kind}
        )
        if answer["status"] not in ("Accepted", "NotFound"):
            raise fail(f"{station}: GetInstalledCertificateIds {answer['status']}", 1)
        for data in answer["answer"].get("certificateHashData") or []:
            rows.append({"certificateType": kind, "certificateHashData": data})
    print_records(
        rows,
        as_json=as_json,
        empty=f"{station}: no certificates installed.",
        title=f"{station}: installed certificates",
        columns=("Type", "Serial", "Issuer name hash", "Issuer key hash", "Hash"),
        cells=lambda row: (
            row["certificateType"],
            row["certificateHashData"]["serialNumber"],
            row["certificateHashData"]["issuerNameHash"],
            row["certificateHashData"]["issuerKeyHash"],
            row["certificateHashData"]["hashAlgorithm"],
        ),
    )


def delete_certificate(
    station: StationArg,
    certificate: Annotated[
        Path | None,
        typer.Option(
            "--certificate",
            help="The certificate's PEM file (a certificate that is not self-issued followed "
            "by its issuer's): its hash data is computed.",
            show_default=False,
        ),
    ] = None,
    serial: Annotated[
        str | None, typer.Option(help="The serial number (hex), as `certificates` lists it.")
    ] = None,
    issuer_name_hash: Annotated[str | None, typer.Option(show_default=False)] = None,
    issuer_key_hash: Annotated[str | None, typer.Option(show_default=False)] = None,
    hash_algorithm: Annotated[str, typer.Option(help="SHA256, SHA384 or SHA512.")] = "SHA256",
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Delete a certificate from the station (DeleteCertificate): give --certificate, or
    --serial, --issuer-name-hash and --issuer-key-hash."""
    named = (serial, issuer_name_hash, issuer_key_hash)
    if hash_algorithm not in HASH_ALGORITHMS:
        raise fail(f"--hash-algorithm must be one of {', '.join(HASH_ALGORITHMS)}")
    data: dict[str, Any]
    if certificate is not None:
        if any(named):
            raise fail("give --certificate or the hash data, not both")
        try:
            data = hash_data_of_pem(_pem(str(certificate)), hash_algorithm).to_json()
        except CertificateProblem as problem:
            raise fail(f"{certificate}: {problem}") from None
    elif all(named):
        data = {
            "hashAlgorithm": hash_algorithm,
            "issuerNameHash": issuer_name_hash,
            "issuerKeyHash": issuer_key_hash,
            "serialNumber": serial,
        }
    else:
        raise fail("give --certificate, or --serial, --issuer-name-hash and --issuer-key-hash")
    send_command(server, token, station, "delete-certificate", {"certificateHashData": data})


def extended_trigger(
    station: StationArg,
    message: Annotated[ExtendedTrigger, typer.Argument(help="The message to ask for.")],
    connector: Annotated[
        int | None,
        typer.Option(help="Only this connector's (where it applies).", min=1, max=MAX_INT32),
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
) -> None:
    """Ask the station to send a message (ExtendedTriggerMessage)."""
    body: dict[str, Any] = {"requestedMessage": message}
    if connector is not None:
        body["connectorId"] = connector
    send_command(server, token, station, "extended-trigger", body)


def renew_certificate(
    station: StationArg, server: Server = DEFAULT_SERVER, token: AdminToken = None
) -> None:
    """Ask the station to renew its client certificate: it makes a new key and sends a CSR,
    which the server's station CA signs and sends back (see certificate-requests)."""
    send_command(server, token, station, "renew-certificate", {})


def register(app: typer.Typer) -> None:
    app.command("security-events")(security_events)
    app.command("certificate-requests")(certificate_requests)
    app.command("install-certificate")(install_certificate)
    app.command()(certificates)
    app.command("delete-certificate")(delete_certificate)
    app.command("extended-trigger")(extended_trigger)
    app.command("renew-certificate")(renew_certificate)
