"""`fleetcharge fleets`, `vehicles` and `cards`: the admin services from the command line,
references by name, VIN or id tag, `--json`, and errors naming the option (exit code 2)."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import AuditEvent, CardAssignment
from tests import factories as f
from tests.cli.conftest import Cli

VIN = "1HGBH41JXMN109186"


def _json(cli: Cli, *args: str) -> dict:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def org(engine: Engine) -> str:
    with unit_of_work(engine) as db:
        return f.organisation(db, "Cybertron").name


def test_fleets_create_list_show_rename(cli: Cli, engine: Engine, org: str) -> None:
    created = _json(cli, "fleets", "create", "Vans", "--org", org)
    assert created["organisation"]["name"] == "Cybertron"
    assert "Created fleet Utes" in cli("fleets", "create", "Utes", "--org", org).stdout
    listed = cli("fleets", "list", "--org", org)
    assert listed.exit_code == 0 and "Vans" in listed.stdout and "Utes" in listed.stdout
    assert [x["name"] for x in _json(cli, "fleets", "list", "--search", "ut")] == ["Utes"]
    assert _json(cli, "fleets", "show", "Vans")["uuid"] == created["uuid"]
    renamed = _json(cli, "fleets", "rename", created["uuid"], "Delivery vans")
    assert renamed["name"] == "Delivery vans"
    with unit_of_work(engine) as db:
        actions = db.scalars(
            select(AuditEvent.action).where(AuditEvent.resource == "fleet").order_by(AuditEvent.id)
        )
        assert list(actions) == ["create", "create", "update"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fleets", "create", "Vans", "--org", "Nobody"], "--org: no organisation"),
        (["fleets", "create", " ", "--org", "Cybertron"], "NAME"),
        (["fleets", "show", "Nowhere"], "FLEET: no fleet"),
        (["fleets", "rename", "Vans", ""], "NEW_NAME: name must be"),
        (["fleets", "create", "Vans", "--org", "Cybertron"], "NAME: the organisation already"),
    ],
)
def test_fleet_errors_name_the_option(
    cli: Cli, engine: Engine, org: str, args: list[str], message: str
) -> None:
    with unit_of_work(engine) as db:
        f.fleet(db, db.scalars(select(f.Organisation)).one(), "Vans")
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split()), result.stderr


def test_vehicles_create_set_move_retire(cli: Cli, engine: Engine, org: str) -> None:
    cli("fleets", "create", "Vans", "--org", org)
    cli("fleets", "create", "Utes", "--org", org)
    van = _json(
        cli,
        "vehicles",
        "create",
        VIN.lower(),
        "--fleet",
        "Vans",
        "--registration",
        "1ABC234",
        "--contract",
        "C-1",
        "--from",
        "2024-01-01",
    )
    assert (van["vin"], van["fleet"]["name"], van["effective_from"]) == (VIN, "Vans", "2024-01-01")
    changed = _json(cli, "vehicles", "set", VIN, "--registration", "1XYZ987")
    assert changed["registration_number"] == "1XYZ987"
    _json(cli, "cards", "create", "TAG-1", "--vehicle", VIN)
    day = (date.today() + timedelta(days=3)).isoformat()
    moved = _json(cli, "vehicles", "move", VIN, "--fleet", "Utes", "--from", day)
    assert (moved["fleet"]["name"], moved["effective_from"], moved["id_tags"]) == (
        "Utes",
        day,
        ["TAG-1"],
    )
    assert _json(cli, "vehicles", "show", VIN)["uuid"] == moved["uuid"]  # the active record
    listed = _json(cli, "vehicles", "list", "--fleet", "Vans")
    assert [v["uuid"] for v in listed] == [van["uuid"]]
    assert len(_json(cli, "vehicles", "list", "--search", "xyz")) == 2
    table = cli("vehicles", "list", "--org", org)
    assert table.exit_code == 0 and "TAG-1" in table.stdout
    retired = _json(cli, "vehicles", "retire", VIN, "--last-day", "2099-12-31")
    assert retired["effective_to"] == "2099-12-31"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["vehicles", "create", "SHORT", "--fleet", "Vans", "--registration", "R"],
            "VIN: vin must",
        ),
        (
            ["vehicles", "create", VIN, "--fleet", "Nope", "--registration", "R"],
            "--fleet: no fleet",
        ),
        (
            ["vehicles", "create", VIN, "--fleet", "Vans", "--registration", "R", "--from", "x"],
            "--from:",
        ),
        (
            ["vehicles", "create", "WVWZZZ1JZXW000001", "--fleet", "Vans", "--registration", ""],
            "--registration:",
        ),
        (["vehicles", "set", "WVWZZZ1JZXW000001", "--registration", "R"], "VEHICLE: no vehicle"),
        (["vehicles", "set", VIN], "nothing to change"),
        (["vehicles", "move", VIN, "--fleet", "Vans"], "--fleet: the vehicle is already"),
        (["vehicles", "retire", VIN, "--last-day", "2000-01-01"], "--last-day:"),
        (["vehicles", "list", "--status", "gone"], "--status must be"),
        (["vehicles", "set", VIN, "--ac-kw", "0"], "--ac-kw: max_ac_power_kw must be at least 1"),
        (["vehicles", "set", VIN, "--dc-kw", "fast"], "--dc-kw:"),
        (
            [
                "vehicles",
                "create",
                "WVWZZZ1JZXW000001",
                "--fleet",
                "Vans",
                "--registration",
                "R",
                "--ac-kw",
                "1e400",
            ],
            "--ac-kw:",
        ),
    ],
)
def test_vehicle_errors_name_the_option(cli: Cli, org: str, args: list[str], message: str) -> None:
    cli("fleets", "create", "Vans", "--org", org)
    made = cli("vehicles", "create", VIN, "--fleet", "Vans", "--registration", "R")
    assert made.exit_code == 0, made.output
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split()), result.stderr


def test_vehicle_power_limits_set_and_cleared(cli: Cli, org: str) -> None:
    cli("fleets", "create", "Vans", "--org", org)
    made = _json(
        cli, "vehicles", "create", VIN, "--fleet", "Vans", "--registration", "R",
        "--ac-kw", "7.4", "--dc-kw", "50",
    )  # fmt: skip
    assert (made["max_ac_power_kw"], made["max_dc_power_kw"]) == ("7.4", "50.0")
    changed = _json(cli, "vehicles", "set", VIN, "--ac-kw", "11", "--dc-kw", "none")
    assert (changed["max_ac_power_kw"], changed["max_dc_power_kw"]) == ("11.0", None)


def test_cards_create_assign_block_expire(cli: Cli, engine: Engine, org: str) -> None:
    cli("fleets", "create", "Vans", "--org", org)
    cli("vehicles", "create", VIN, "--fleet", "Vans", "--registration", "R")
    loose = _json(cli, "cards", "create", "TAG-1", "--org", org)
    assert (loose["vehicle"], loose["organisation"]["name"]) == (None, "Cybertron")
    assigned = _json(
        cli, "cards", "assign", "TAG-1", "--vehicle", VIN, "--from", "2030-01-01T00:00:00+08:00"
    )
    assert assigned["vehicle"]["vin"] == VIN
    assert _json(cli, "cards", "block", "TAG-1")["status"] == "blocked"
    assert _json(cli, "cards", "unblock", loose["uuid"])["status"] == "active"
    assert _json(cli, "cards", "expire", "TAG-1")["expired"] is True
    assert _json(cli, "cards", "expire", "TAG-1", "--never")["expires_at"] is None
    later = _json(cli, "cards", "expire", "TAG-1", "--at", "2031-01-01T00:00:00Z")
    assert (later["expired"], later["expires_at"]) == (False, "2031-01-01T00:00:00+00:00")
    assert _json(cli, "cards", "unassign", "TAG-1")["vehicle"] is None
    assert [c["id_tag"] for c in _json(cli, "cards", "list", "--org", org)] == ["TAG-1"]
    assert _json(cli, "cards", "list", "--status", "blocked") == []
    shown = cli("cards", "show", "TAG-1")
    assert shown.exit_code == 0 and "TAG-1" in shown.stdout and "Cybertron" in shown.stdout
    with unit_of_work(engine) as db:
        history = db.scalars(select(CardAssignment.valid_from).order_by(CardAssignment.id))
        assert [moment.year for moment in history][:2] == [1970, 2029]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cards", "create", "has space"], "ID_TAG: id_tag must"),
        (["cards", "create", "TAG-1"], "ID_TAG: a card already has"),
        (["cards", "create", "T2", "--vehicle", "nope"], "--vehicle: no vehicle"),
        (["cards", "create", "T2", "--org", "Nobody"], "--org: no organisation"),
        (["cards", "create", "T2", "--expires", "soon"], "--expires:"),
        (["cards", "create", "T2", "--expires", "2030-01-01T00:00:00"], "--expires: expires_at"),
        (["cards", "assign", "TAG-1", "--vehicle", "nope"], "--vehicle: no vehicle"),
        (["cards", "assign", "TAG-1", "--vehicle", VIN, "--from", "x"], "--from:"),
        (["cards", "block", "NOPE"], "CARD: no card"),
        (["cards", "expire", "TAG-1", "--at", "x"], "--at:"),
        (["cards", "list", "--status", "lost"], "--status must be"),
    ],
)
def test_card_errors_name_the_option(cli: Cli, org: str, args: list[str], message: str) -> None:
    cli("fleets", "create", "Vans", "--org", org)
    cli("vehicles", "create", VIN, "--fleet", "Vans", "--registration", "R")
    assert cli("cards", "create", "TAG-1", "--vehicle", VIN).exit_code == 0
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split()), result.stderr
