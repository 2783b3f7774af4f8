"""`fleetcharge users create | list | reset-password | disable` against a real database: the
printed link and the piped password let the person sign in; bad input is one line, exit 2."""

import json

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import Result

from fleetcharge.accounts.reset_tokens import RESET_PATH
from fleetcharge.accounts.sign_in import (
    SignInRefused,
    SignInThrottle,
    reset_password,
    sign_in,
    signed_in,
)
from fleetcharge.db import unit_of_work
from fleetcharge.errors import NotFound
from fleetcharge.settings import get_settings
from tests import factories as f
from tests.cli.conftest import Cli
from tests.cli.test_tokens import assert_clean_failure

PASSWORD = "a long enough passphrase"


def _link_token(result: Result) -> str:
    assert result.exit_code == 0, result.output
    link = result.stdout.splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000" + RESET_PATH), link
    return link.rsplit("/", 1)[1]


def _sign_in(engine: Engine, email: str, password: str = PASSWORD) -> str:
    with unit_of_work(engine) as db:
        return sign_in(db, SignInThrottle(), email, password, "127.0.0.1")[0]


def test_create_prints_a_link_that_sets_the_password(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        f.organisation(db, "Acme Logistics")
    result = cli(
        "users",
        "create",
        "Ann@Acme.example",
        "--name",
        "Ann",
        "--role",
        "fleet_manager",
        "--org",
        "Acme Logistics",
    )
    assert "ann@acme.example (Ann, fleet_manager)" in result.stdout
    assert "valid for 1 hour" in result.stdout
    token = _link_token(result)
    with pytest.raises(SignInRefused):
        _sign_in(engine, "ann@acme.example")
    with unit_of_work(engine) as db:
        reset_password(db, token, PASSWORD)
    secret = _sign_in(engine, "ann@acme.example")
    with Session(engine) as db:
        who = signed_in(db, secret)
        assert who is not None and who.organisation_name == "Acme Logistics"


def test_create_with_password_stdin_and_json(cli: Cli, engine: Engine) -> None:
    result = cli(
        "users",
        "create",
        "ops@operator.example",
        "--name",
        "Ops",
        "--role",
        "admin",
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert view["email"] == "ops@operator.example"
    assert view["has_password"] is True and "password_link" not in view
    _sign_in(engine, "ops@operator.example")


def test_list_reset_password_and_disable(cli: Cli, engine: Engine) -> None:
    first = _link_token(
        cli("users", "create", "ops@operator.example", "--name", "Ops", "--role", "support")
    )
    listed = cli("users", "list")
    assert listed.exit_code == 0, listed.output
    assert "ops@operator.example" in listed.stdout and "no password yet" in listed.stdout

    again = cli("users", "reset-password", "OPS@operator.example", "--json")
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout)["password_link"].rsplit("/", 1)[1]
    with unit_of_work(engine) as db, pytest.raises(NotFound):
        reset_password(db, first, PASSWORD)  # the newer link ended it
    with unit_of_work(engine) as db:
        reset_password(db, second, PASSWORD)
    secret = _sign_in(engine, "ops@operator.example")
    (row,) = json.loads(cli("users", "list", "--json").stdout)
    assert row["has_password"] is True and row["disabled_at"] is None

    disabled = cli("users", "disable", "ops@operator.example")
    assert disabled.exit_code == 0, disabled.output
    assert "disabled" in disabled.stdout
    with Session(engine) as db:
        assert signed_in(db, secret) is None
    with pytest.raises(SignInRefused):
        _sign_in(engine, "ops@operator.example")
    assert "disabled" in cli("users", "list").stdout
    assert_clean_failure(cli("users", "reset-password", "ops@operator.example"), "is disabled")


@pytest.mark.parametrize(
    ("args", "stdin", "fragments"),
    [
        (["create", "not-an-email", "--name", "X", "--role", "admin"], None, ["EMAIL:", "email"]),
        (["create", "a@b.example", "--name", "X", "--role", "owner"], None, ["--role:", "owner"]),
        (["create", "a@b.example", "--name", "X", "--role", "site_host"], None, ["--role:"]),
        (
            ["create", "a@b.example", "--name", "X", "--role", "read_only", "--org", "Nope"],
            None,
            ["--org:", "Nope"],
        ),
        (
            ["create", "a@b.example", "--name", "X", "--role", "admin", "--password-stdin"],
            "short\n",
            ["--password-stdin:", "12 to 1,024 characters"],
        ),
        (
            ["create", "a@b.example", "--name", "X", "--role", "admin", "--password-stdin"],
            "",
            ["--password-stdin:", "no password"],
        ),
        (["create", "a@b.example", "--role", "admin"], None, ["--name"]),
        (["reset-password", "nobody@b.example"], None, ["no person", "nobody@b.example"]),
        (["disable", "nobody@b.example"], None, ["no person"]),
    ],
)
def test_bad_input_is_one_line_naming_it(
    cli: Cli, args: list[str], stdin: str | None, fragments: list[str]
) -> None:
    assert_clean_failure(cli("users", *args, stdin=stdin), *fragments)


def test_a_second_person_with_the_same_email_is_refused(cli: Cli) -> None:
    _link_token(cli("users", "create", "a@b.example", "--name", "A", "--role", "admin"))
    assert_clean_failure(
        cli("users", "create", "A@B.example", "--name", "A2", "--role", "admin"),
        "EMAIL:",
        "already exists",
    )


def test_the_link_uses_the_public_base_url(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEETCHARGE_PUBLIC_BASE_URL", "https://charge.example.com/")
    get_settings.cache_clear()
    try:
        result = cli("users", "create", "a@b.example", "--name", "A", "--role", "admin")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith(
        "https://charge.example.com/reset-password/fcr_"
    )
