"""`run_demo`: JSON mode prints only the organisations with their working tokens and the
stations with their passwords."""

import json
import socket
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from fleetcharge.accounts.sign_in import SignInRefused, SignInThrottle, sign_in
from fleetcharge.auth.service import authenticate
from fleetcharge.cli.main import app
from fleetcharge.db import make_engine, unit_of_work
from fleetcharge.demo.command import run_demo
from fleetcharge.demo.store import DEMO_ORGANISATION_NAMES
from fleetcharge.errors import Unauthorized
from fleetcharge.models import Account, ApiToken, Station
from fleetcharge.network.password_hashing import verify_password


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Stands in for the API server, recording how it was asked to serve."""
    calls: list[dict[str, Any]] = []
    server = types.ModuleType("fleetcharge.web.server")
    server.serve = lambda database_url, **kwargs: calls.append({"url": database_url, **kwargs})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fleetcharge.web.server", server)
    return calls


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_json_mode_prints_only_organisations_with_tokens_and_stations_with_passwords(
    backend: str,
    fresh_database: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
    served: list[dict[str, Any]],
) -> None:
    url = fresh_database(backend)
    run_demo(url, sessions=60, serve=False, as_json=True, host="127.0.0.1", port=8000)
    out = capsys.readouterr().out
    document = json.loads(out)
    assert list(document) == ["organisations", "stations", "people"]
    organisations = document["organisations"]
    assert [o["name"] for o in organisations] == list(DEMO_ORGANISATION_NAMES)
    assert all(set(o) == {"name", "uuid", "token"} for o in organisations)
    assert not served
    first_passwords = {s["identity"]: s["password"] for s in document["stations"]}

    engine = make_engine(url)
    try:
        with Session(engine) as db:
            for organisation in organisations:
                principal = authenticate(db, f"Bearer {organisation['token']}")
                assert principal.organisation_name == organisation["name"]
                assert principal.scopes == {"usage", "sessions", "vehicles", "invoices"}
        # Every demo station has a password, and a new start replaces them.
        run_demo(url, sessions=60, serve=False, as_json=True, host="127.0.0.1", port=8000)
        stations = json.loads(capsys.readouterr().out)["stations"]
        passwords = {s["identity"]: s["password"] for s in stations}
        with Session(engine) as db:
            rows = db.execute(select(Station.ocpp_identity, Station.password_hash)).all()
            hashes = {identity: hashed for identity, hashed in rows if hashed is not None}
    finally:
        engine.dispose()
    assert passwords.keys() == first_passwords.keys() == hashes.keys()
    for identity, password in passwords.items():
        assert verify_password(password, hashes[identity])
        assert not verify_password(first_passwords[identity], hashes[identity])


def test_summary_shows_tokens_curl_lines_and_docs_then_serves(
    fresh_database: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
    served: list[dict[str, Any]],
) -> None:
    url = fresh_database("sqlite")
    run_demo(url, sessions=60, serve=True, as_json=False, host="0.0.0.0", port=8123)
    out = capsys.readouterr().out
    for name in DEMO_ORGANISATION_NAMES:
        assert name in out
    for endpoint in ("usage", "sessions", "vehicles", "invoices"):
        assert f'"http://127.0.0.1:8123/api/fleets/v1/{endpoint}' in out
    assert 'curl -s -H "Authorization: Bearer fct_' in out
    assert "sign in  admin@operator.example  password " in out
    assert "sign in  fleet@cybertron.example  password " in out
    assert "sign in  host@coastline-property-group.example  password " in out
    assert "| python3 -m json.tool | head -n 40" in out
    assert "FLEETCHARGE_RATE_LIMITS_ENABLED=false" in out
    assert "http://127.0.0.1:8123/api/fleets/v1/docs" in out
    assert "fleetcharge simulate --url ws://127.0.0.1:8123/ocpp --station " in out
    assert served == [{"url": url, "host": "0.0.0.0", "port": 8123}]

    # A second run finds the data, loads nothing, and still hands out fresh tokens.
    run_demo(url, sessions=60, serve=False, as_json=True, host="127.0.0.1", port=8000)
    assert len(json.loads(capsys.readouterr().out)["organisations"]) == 4


def test_a_second_start_replaces_the_demo_tokens(
    fresh_database: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
    served: list[dict[str, Any]],
) -> None:
    url = fresh_database("sqlite")
    tokens = []
    for _ in range(2):
        run_demo(url, sessions=60, serve=False, as_json=True, host="127.0.0.1", port=8000)
        tokens.append([o["token"] for o in json.loads(capsys.readouterr().out)["organisations"]])
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            for old, new in zip(*tokens, strict=True):
                with pytest.raises(Unauthorized):
                    authenticate(db, f"Bearer {old}")
                authenticate(db, f"Bearer {new}")
            active = select(func.count()).where(ApiToken.revoked_at.is_(None))
            assert db.scalar(active.select_from(ApiToken)) == len(DEMO_ORGANISATION_NAMES)
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", [["demo"], ["serve"]])
def test_a_taken_port_is_named_before_anything_is_done(command: list[str], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        database = f"sqlite:///{tmp_path / 'demo.db'}"
        result = CliRunner().invoke(
            app, [*command, "--port", str(port), "--database-url", database]
        )
    assert result.exit_code == 1, result.output
    assert f"127.0.0.1:{port} is already in use" in result.output and "--port" in result.output
    assert not (tmp_path / "demo.db").exists()  # nothing loaded, nothing issued


def test_each_start_prints_people_who_sign_in_with_new_passwords(
    fresh_database: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
    served: list[dict[str, Any]],
) -> None:
    url = fresh_database("sqlite")
    starts = []
    for _ in range(2):
        run_demo(url, sessions=60, serve=False, as_json=True, host="127.0.0.1", port=8000)
        starts.append(json.loads(capsys.readouterr().out)["people"])
    first, second = starts
    assert [(p["email"], p["role"], p["organisation"]) for p in second] == [
        ("admin@operator.example", "admin", None),
        ("fleet@cybertron.example", "fleet_manager", "Cybertron"),
        ("host@coastline-property-group.example", "site_host", "Coastline Property Group"),
        ("fleet@outback-freight-co.example", "fleet_manager", "Outback Freight Co."),
        ("fleet@green-wheels-car-share.example", "fleet_manager", "Green Wheels Car Share"),
    ]
    engine = make_engine(url)
    throttle = SignInThrottle()
    try:
        with unit_of_work(engine) as db:
            for old, new in zip(first, second, strict=True):
                assert old["email"] == new["email"] and old["password"] != new["password"]
                with pytest.raises(SignInRefused):
                    sign_in(db, throttle, old["email"], old["password"], f"192.0.2.{len(old)}")
                _, who = sign_in(db, throttle, new["email"], new["password"], "127.0.0.1")
                assert who.actor.role == new["role"]
                assert who.organisation_name == new["organisation"]
            assert db.scalar(select(func.count()).select_from(Account)) == len(second)
    finally:
        engine.dispose()
