"""`fleetcharge certificates init-ca | hash-data`: a local certificate authority for station
client certificates, and the hash data OCPP names a certificate by. Offline: no server."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from fleetcharge.cli.common import console, fail, input_bytes
from fleetcharge.station_security.authority import CA_DAYS, init_ca
from fleetcharge.station_security.certificates import (
    HASH_ALGORITHMS,
    MAX_CERTIFICATE_CHARS,
    CertificateProblem,
    hash_data_of_pem,
)

app = typer.Typer(
    help="Certificates of charge stations: a local station CA (init-ca) and the hash data of "
    "a certificate (hash-data).",
    no_args_is_help=True,
)


@app.command("init-ca")
def init_ca_command(
    directory: Annotated[Path, typer.Argument(help="Folder for the CA's two files.")],
    name: Annotated[str, typer.Option(help="The CA's common name.")] = "fleetcharge station CA",
    days: Annotated[int, typer.Option(help="Days the CA is valid.", min=30, max=36500)] = CA_DAYS,
) -> None:
    """Create a certificate authority (EC P-256) that signs stations' client certificates:
    DIR/station-ca.pem and DIR/station-ca-key.pem (readable by the owner only). Never
    replaces existing files. Point FLEETCHARGE_STATION_CA_CERT_FILE and
    FLEETCHARGE_STATION_CA_KEY_FILE at them, and install station-ca.pem on stations as their
    CentralSystemRootCertificate if they verify their certificate's chain."""
    try:
        certificate, key = init_ca(directory, name, datetime.now(UTC), days)
    except (CertificateProblem, OSError) as problem:
        raise fail(str(problem), 1) from None
    console.print(f"Created {certificate} and {key}.")
    console.print(f"FLEETCHARGE_STATION_CA_CERT_FILE={certificate.resolve()}")
    console.print(f"FLEETCHARGE_STATION_CA_KEY_FILE={key.resolve()}")


@app.command("hash-data")
def hash_data_command(
    certificate: Annotated[
        str,
        typer.Argument(
            help="PEM file (-: standard input): the certificate, followed by its issuer's "
            "unless it is self-issued."
        ),
    ],
    algorithm: Annotated[str, typer.Option(help="SHA256, SHA384 or SHA512.")] = "SHA256",
) -> None:
    """The certificate's OCPP certificateHashData (as JSON), as DeleteCertificate takes it
    and GetInstalledCertificateIds lists it."""
    if algorithm not in HASH_ALGORITHMS:
        raise fail(f"--algorithm must be one of {', '.join(HASH_ALGORITHMS)}, got {algorithm!r}")
    try:
        text = input_bytes(certificate, 2 * MAX_CERTIFICATE_CHARS).decode("ascii")
        data = hash_data_of_pem(text, algorithm)
    except (CertificateProblem, UnicodeDecodeError) as problem:
        raise fail(f"{certificate}: {problem}") from None
    typer.echo(json.dumps(data.to_json(), indent=2))
