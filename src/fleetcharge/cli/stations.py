"""`fleetcharge stations`: station records in the database (create, list, show, set,
set-password, approve, decommission) and commands to connected stations through a running server
(connected, remote-stop, unlock, reset; the security extensions: security-events,
certificate-requests, install-certificate, certificates, delete-certificate, extended-trigger,
renew-certificate; Smart Charging: set-profile, clear-profile, composite-schedule,
profiles)."""

import typer

from fleetcharge.cli import (
    station_commands,
    station_core,
    station_firmware,
    station_lists,
    station_profiles,
    station_records,
    station_security,
)

app = typer.Typer(
    help="Charge stations: their records (create, list, show, set, set-password, approve, "
    "decommission) and, through a running server, the connected ones and commands to them.",
    no_args_is_help=True,
)
station_records.register(app)
station_commands.register(app)
station_core.register(app)
station_firmware.register(app)
station_lists.register(app)
station_profiles.register(app)
station_security.register(app)
