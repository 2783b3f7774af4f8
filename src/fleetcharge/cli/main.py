import os
from pathlib import Path
from typing import Annotated

import typer

from fleetcharge.cli import (
    audit,
    billing,
    cards,
    certificates,
    export,
    firmware,
    fleets,
    imports,
    invoice_statement,
    invoices,
    locations,
    operators,
    organisations,
    report,
    sessions,
    simulate,
    sites,
    stations,
    tariffs,
    tokens,
    users,
    vehicles,
    webhooks,
)
from fleetcharge.cli.common import (
    DatabaseUrl,
    OneLineErrors,
    console,
    database_errors,
    fail,
    require_free_port,
    resolve_url,
)

app = typer.Typer(
    cls=OneLineErrors,
    help="fleetcharge: EV charging platform backend for fleets.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(tokens.app, name="tokens")
app.add_typer(tariffs.app, name="tariffs")
app.add_typer(organisations.app, name="organisations")
app.add_typer(fleets.app, name="fleets")
app.add_typer(firmware.app, name="firmware")
app.add_typer(vehicles.app, name="vehicles")
app.add_typer(cards.app, name="cards")
app.add_typer(export.app, name="export")
app.add_typer(report.app, name="report")
app.add_typer(locations.app, name="locations")
app.add_typer(stations.app, name="stations")
app.add_typer(sites.app, name="sites", no_args_is_help=True)
app.add_typer(certificates.app, name="certificates")
app.add_typer(sessions.app, name="sessions")
app.command("simulate")(simulate.simulate)
app.add_typer(billing.app, name="billing", no_args_is_help=True)
invoices.app.command("statement")(invoice_statement.statement)
app.add_typer(invoices.app, name="invoices")
app.add_typer(operators.app, name="operators")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(imports.app, name="import")
app.add_typer(webhooks.app, name="webhooks")

db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(db_app, name="db")

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
MAX_WORKERS = 128  # each a process: more is a typo, not a server
MAX_DEMO = 10_000_000  # sessions; the benchmarks load 2,000,000
Port = Annotated[int, typer.Option(help="TCP port to listen on.", min=1, max=65535)]
TlsCert = Annotated[
    Path | None,
    typer.Option(
        "--tls-cert",
        help="Serve https:// and wss:// with this certificate chain (PEM).",
        envvar="FLEETCHARGE_TLS_CERT_FILE",
        show_default=False,
    ),
]
TlsKey = Annotated[
    Path | None,
    typer.Option(
        "--tls-key",
        help="The certificate's private key (PEM), unless it is in the --tls-cert file.",
        envvar="FLEETCHARGE_TLS_KEY_FILE",
        show_default=False,
    ),
]
TlsClientCa = Annotated[
    Path | None,
    typer.Option(
        "--tls-client-ca",
        help="CA (PEM) of station client certificates (OCPP security profile 3): a station "
        "presenting one whose common name is its identity needs no password.",
        envvar="FLEETCHARGE_TLS_CLIENT_CA_FILE",
        show_default=False,
    ),
]


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    database_url: DatabaseUrl = None,
) -> None:
    """Create or migrate the schema to the latest version."""
    from fleetcharge.db import engine_for
    from fleetcharge.migrate import upgrade

    url = resolve_url(database_url)
    with database_errors():
        upgrade(engine_for(url), revision)
    console.print(f"Database at {engine_for(url).url!r} is at revision {revision}.")


@app.command()
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=MAX_WORKERS)] = 1,
    database_url: DatabaseUrl = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    tls_client_ca: TlsClientCa = None,
) -> None:
    """Serve the Fleets API (docs at /api/fleets/v1/docs) and the OCPP 1.6J endpoint charge
    stations connect to (ws://HOST:PORT/ocpp/STATION, or wss:// with --tls-cert)."""
    from sqlalchemy import inspect

    from fleetcharge.db import engine_for
    from fleetcharge.web.server import serve as run

    use_tls_files(tls_cert, tls_key, tls_client_ca)
    require_free_port(host, port)
    url = resolve_url(database_url)
    # Fail here with a message, not later in every worker with a traceback.
    with database_errors(), engine_for(url).connect() as connection:
        migrated = inspect(connection).has_table("alembic_version")
    if not migrated:
        raise fail(f"the database at {url} has no schema yet: run `fleetcharge db upgrade`", 1)
    run(url, host=host, port=port, workers=workers)


def use_tls_files(cert: Path | None, key: Path | None, client_ca: Path | None) -> None:
    """Put the TLS files in the environment the server (and its workers) read settings from,
    once they are known to load."""
    from fleetcharge.csms.tls import check_files
    from fleetcharge.settings import get_settings

    for name, path in (("CERT", cert), ("KEY", key), ("CLIENT_CA", client_ca)):
        os.environ[f"FLEETCHARGE_TLS_{name}_FILE"] = str(path.resolve()) if path else ""
    get_settings.cache_clear()
    problem = check_files(get_settings())
    if problem is not None:
        raise fail(problem)


@app.command()
def demo(
    sessions: Annotated[
        int, typer.Option(help="Completed charge sessions to generate.", min=0, max=MAX_DEMO)
    ] = 20_000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load and exit.")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print only the organisations with their tokens and the stations with "
            "their passwords, as JSON.",
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="While serving, keep simulated stations charging with the demo's cards, "
            "so new sessions appear every few seconds.",
        ),
    ] = False,
    live_speed: Annotated[
        float,
        typer.Option(
            help="Simulated seconds per real second for --live.",
            min=1.0,
            max=simulate.MAX_SPEED,
        ),
    ] = 60.0,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database_url: DatabaseUrl = None,
) -> None:
    """Load a realistic Australian demo network, print tokens, and serve it."""
    from fleetcharge.demo.command import run_demo
    from fleetcharge.demo.live import LiveDemoError

    if live and no_serve:
        raise fail("--live needs the server: drop --no-serve", 2)
    if not no_serve:
        require_free_port(host, port)  # before anything is loaded or issued
    with database_errors():
        try:
            run_demo(
                resolve_url(database_url),
                sessions,
                not no_serve,
                as_json,
                host,
                port,
                live_speed if live else None,
            )
        except LiveDemoError as error:
            raise fail(str(error), 1) from None
