"""`fleetcharge locations ...` and `fleetcharge stations create | list | show | set |
set-password | approve | decommission` against a real database."""

import json

from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Station
from fleetcharge.network.password_hashing import verify_password
from tests import factories as f
from tests.cli.conftest import Cli


def test_a_location_and_its_station_from_the_command_line(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        f.organisation(db, "Iacon Holdings")
        tariff = f.tariff(db).name
    created = cli(
        "locations", "create", "Iacon depot", "--host", "Iacon Holdings",
        "--address", "1 Iacon Way", "--timezone", "Australia/Perth", "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    location = json.loads(created.stdout)
    assert location["timezone"] == "Australia/Perth"
    moved = cli("locations", "set", "Iacon depot", "--address", "2 Iacon Way")
    assert moved.exit_code == 0 and "2 Iacon Way" in moved.stdout
    assert "Iacon depot" in cli("locations", "list").stdout
    station = cli(
        "stations", "create", "IACON-01", "--location", "Iacon depot", "--tariff", tariff,
        "--power", "50", "--current", "DC", "--connector", "1=CCS2", "--connector", "2=CHAdeMO",
    )  # fmt: skip
    assert station.exit_code == 0, station.output
    assert "1=CCS2, 2=CHAdeMO" in station.stdout
    shown = json.loads(cli("stations", "show", "IACON-01", "--json").stdout)
    assert (shown["max_power_kw"], shown["location_uuid"]) == ("50.0", location["uuid"])
    changed = cli("stations", "set", "IACON-01", "--power", "75", "--tariff", "none")
    assert changed.exit_code == 0 and "75.0 kW" in changed.stdout
    generated = cli("stations", "set-password", "IACON-01")
    assert generated.exit_code == 0, generated.output
    secret = generated.stdout.split("(shown once): ")[1].strip()
    with unit_of_work(engine) as db:
        stored = db.scalars(select(Station).where(Station.ocpp_identity == "IACON-01")).one()
        assert stored.password_hash and verify_password(secret, stored.password_hash)
        assert stored.tariff_id is None
    rotated = json.loads(cli("stations", "set-password", "IACON-01", "--json").stdout)
    assert rotated["identity"] == "IACON-01" and rotated["password"] != secret
    with unit_of_work(engine) as db:
        stored = db.scalars(select(Station).where(Station.ocpp_identity == "IACON-01")).one()
        assert stored.password_hash and verify_password(rotated["password"], stored.password_hash)
    given = cli("stations", "set-password", "IACON-01", "--password", "s3cret-enough")
    assert given.exit_code == 0 and "s3cret-enough" not in given.stdout
    gone = cli("stations", "decommission", "IACON-01")
    assert gone.exit_code == 0 and "decommissioned" in gone.stdout
    listed = cli("stations", "list", "--status", "decommissioned", "--json")
    assert [s["identity"] for s in json.loads(listed.stdout)] == ["IACON-01"]


def test_approve_a_pending_station(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        station = f.site(db, f.organisation(db)).station
        station.registration_status = "pending"  # as auto-registration leaves it
        identity = station.ocpp_identity
    listed = cli("stations", "list", "--status", "pending", "--json")
    assert [s["identity"] for s in json.loads(listed.stdout)] == [identity]
    approved = cli("stations", "approve", identity)
    assert approved.exit_code == 0, approved.output
    assert "active; 0 held sessions recorded" in approved.stdout
    again = json.loads(cli("stations", "approve", identity, "--json").stdout)
    assert (again["status"], again["sessions_recorded"]) == ("active", 0)
    assert json.loads(cli("stations", "list", "--status", "pending", "--json").stdout) == []
    refused = cli("stations", "list", "--status", "waiting")
    assert refused.exit_code == 2 and "--status" in refused.output


def test_errors_name_the_option(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        site = f.site(db, f.organisation(db, "Host"))
        location = site.location.name
    cases = [
        (["locations", "create", "X", "--host", "Host", "--address", "a",
          "--timezone", "Mars/Olympus"], "--timezone"),
        (["locations", "create", "X", "--host", "Nobody", "--address", "a",
          "--timezone", "UTC"], "Nobody"),
        (["stations", "create", "A B", "--location", location], "IDENTITY"),
        (["stations", "create", "CP-9", "--location", location, "--power", "0"], "--power"),
        (["stations", "create", "CP-9", "--location", location, "--current", "XC"], "--current"),
        (["stations", "create", "CP-9", "--location", location, "--connector", "x"],
         "--connector"),
        (["stations", "create", "CP-9", "--location", location, "--connector", "1= "],
         "--connector"),
        (["stations", "set-password", site.station.ocpp_identity, "--password", "x"],
         "--password"),
        (["stations", "set", site.station.ocpp_identity], "nothing to change"),
        (["stations", "show", "NOPE"], "no station"),
        (["stations", "approve", "NOPE"], "no station"),
    ]  # fmt: skip
    for args, named in cases:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert named in result.output, (args, result.output)
        assert "Traceback" not in result.output
