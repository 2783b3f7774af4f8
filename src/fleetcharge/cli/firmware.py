"""`fleetcharge firmware upload | list`: firmware images on the server, for stations to
download (`fleetcharge stations update-firmware`), and the file transfers with a progress
bar that the station commands share.

Talks to a running server's admin API with an admin token (admin or support). Exit codes:
0 done, 1 the server could not do it, 2 bad arguments (or a file the server refused).
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import httpx
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from fleetcharge.cli.common import (
    console,
    err_console,
    fail,
    output_file,
    print_records,
)
from fleetcharge.cli.station_commands import (
    DEFAULT_SERVER,
    REQUEST_TIMEOUT_S,
    AdminClient,
    AdminToken,
    Server,
)

app = typer.Typer(help="Firmware images stations download from this server.", no_args_is_help=True)
# Transfers smaller than this show no progress bar.
PROGRESS_FROM_BYTES = 1024 * 1024
CHUNK = 64 * 1024


class _Counted:
    """A file whose reads advance a progress bar (httpx reads uploads in chunks)."""

    def __init__(self, file: IO[bytes], advance: Callable[[int], None]) -> None:
        self.file, self.advance = file, advance

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.advance(len(chunk))
        return chunk


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error for a long transfer; a no-op for a short one."""
    if total < PROGRESS_FROM_BYTES:
        yield lambda _: None
        return
    columns = (*Progress.get_default_columns()[:1], BarColumn(), DownloadColumn())
    with Progress(*columns, TransferSpeedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _call(client: AdminClient, send: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
    try:
        with httpx.Client(
            headers=client.headers, timeout=httpx.Timeout(REQUEST_TIMEOUT_S, connect=5.0)
        ) as http:
            return send(http)
    except httpx.TimeoutException:
        raise fail(f"no answer from {client.server} within {REQUEST_TIMEOUT_S:g} s", 1) from None
    except httpx.TransportError as error:
        raise fail(f"cannot reach the server at {client.server} ({error})", 1) from None


def _refused(client: AdminClient, response: httpx.Response) -> typer.Exit:
    return fail(client._explain(response), 2 if response.status_code in (400, 413) else 1)


def upload(
    file: Annotated[Path, typer.Argument(help="The firmware image.", show_default=False)],
    signing_certificate: Annotated[
        Path | None,
        typer.Option(help="PEM file of the certificate that signed the image.", show_default=False),
    ] = None,
    signature: Annotated[
        str | None,
        typer.Option(
            help="The image's signature, base64 (with --signing-certificate).", show_default=False
        ),
    ] = None,
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the server's JSON.")] = False,
) -> None:
    """Upload a firmware image; prints its uuid, for `stations update-firmware --firmware`.

    With a signing certificate and signature, it can be sent with SignedUpdateFirmware
    without giving them again.
    """
    if not file.is_file():
        raise fail(f"cannot read {file}: not a file")
    if (signing_certificate is None) != (signature is None):
        raise fail("--signing-certificate and --signature go together")
    fields: dict[str, str] = {}
    if signing_certificate is not None and signature is not None:
        try:
            fields["signingCertificate"] = signing_certificate.read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise fail(f"cannot read {signing_certificate}: {error}") from None
        fields["signature"] = signature
    client = AdminClient(server, token)
    size = file.stat().st_size
    with file.open("rb") as opened, progress(size, f"uploading {file.name}") as advance:
        counted = _Counted(opened, advance)
        response = _call(
            client,
            lambda http: http.post(
                f"{client.server}/api/admin/v1/firmware",
                files={"file": (file.name, counted)},  # type: ignore[dict-item]
                data=fields,
            ),
        )
    if response.status_code != 201:
        raise _refused(client, response)
    stored = response.json()
    if as_json:
        typer.echo(json.dumps(stored, indent=2))
        return
    console.print(f"{stored['uuid']}  {stored['name']}  {stored['size_bytes']} bytes")
    console.print(f"sha256 {stored['sha256']}{'  signed' if stored['signed'] else ''}")


def list_firmware(
    server: Server = DEFAULT_SERVER,
    token: AdminToken = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the server's JSON.")] = False,
) -> None:
    """Firmware images on the server, newest first (the latest 500)."""
    images = AdminClient(server, token).request("GET", "/firmware?limit=500")["data"]
    print_records(
        images,
        as_json=as_json,
        empty="No firmware uploaded.",
        title=f"{len(images)} firmware image(s)",
        columns=("Uuid", "Name", "Bytes", "Signed", "Uploaded", "By"),
        cells=lambda image: (
            image["uuid"],
            image["name"],
            str(image["size_bytes"]),
            "yes" if image["signed"] else "no",
            image["created_at"][:19].replace("T", " "),
            image["uploaded_by"],
        ),
    )


def download(client: AdminClient, path: str, output: Path) -> int:
    """Save what GET `path` answers to `output` (progress bar for a large file); its size."""
    output = output_file(output, "--output")

    def fetch(http: httpx.Client) -> httpx.Response:
        with http.stream("GET", f"{client.server}/api/admin/v1{path}") as response:
            if response.status_code != 200:
                response.read()
                return response
            total = int(response.headers.get("content-length") or 0)
            with output.open("wb") as out, progress(total, f"saving {output.name}") as advance:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    advance(len(chunk))
            return response

    response = _call(client, fetch)
    if response.status_code != 200:
        raise _refused(client, response)
    return output.stat().st_size


app.command("upload")(upload)
app.command("list")(list_firmware)
