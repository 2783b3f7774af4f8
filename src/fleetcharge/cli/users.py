"""`fleetcharge users create | list | reset-password | disable`: the people who sign in to
the web console. There is no mail server: a person gets a one-time link, printed here, to
choose their password."""

import sys
from typing import Annotated

import typer
from rich.table import Table

from fleetcharge.accounts import people
from fleetcharge.accounts.reset_tokens import reset_link
from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    fail,
    print_json,
    print_table,
)
from fleetcharge.cli.records import Options
from fleetcharge.models.account import OPERATOR_ROLES, ORGANISATION_ROLES
from fleetcharge.organisations.service import find_organisation
from fleetcharge.settings import get_settings

DEFAULT_BASE_URL = "http://127.0.0.1:8000"  # what `fleetcharge serve` answers by default

app = typer.Typer(
    help="People who sign in to the web console: create them, print a one-time link to "
    "choose a password, list and disable them.",
    no_args_is_help=True,
)

_OPTIONS = Options({"email": "EMAIL", "password": "--password-stdin", "organisation": "--org"})


def _link(token: str) -> str:
    return reset_link(get_settings().public_base_url or DEFAULT_BASE_URL, token)


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise fail("--password-stdin: standard input holds no password (one line expected)")
    return password


def _print_link(view: dict[str, object], link: str, as_json: bool) -> None:
    if as_json:
        print_json({**view, "password_link": link})
        return
    console.print(f"{view['email']} ({view['name']}, {view['role']})", soft_wrap=True)
    console.print("One-time link to choose a password (valid for 1 hour, used once):")
    print(link)


@app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The person's email; they sign in with it.")],
    name: Annotated[str, typer.Option("--name", help="The person's name, as shown.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help=f"Operator staff: {', '.join(OPERATOR_ROLES)}; with --org: "
            f"{', '.join(ORGANISATION_ROLES)}.",
        ),
    ],
    org: Annotated[
        str | None,
        typer.Option("--org", help="Make them a member of this organisation (name or UUID)."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Set the password from the first line of standard input (for scripts) "
            "instead of printing a link.",
        ),
    ] = False,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a person and print their one-time link to choose a password."""
    password = _password_from_stdin() if password_stdin else None
    with command_session(database_url) as db, _OPTIONS.named():
        organisation = find_organisation(db, org, "organisation") if org else None
        account, token = people.create_person(db, cli_actor(), email, name, role, organisation)
        if password is not None:
            people.set_password(db, cli_actor(), account, password)
        view = people.person_view(account)
    if password is None:
        _print_link(view, _link(token), as_json)
    elif as_json:
        print_json(view)
    else:
        console.print(f"{view['email']} ({view['name']}, {view['role']}) can sign in.")


@app.command("list")
def list_people(as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """List the people (never their passwords)."""
    with command_session(database_url) as db:
        views = [people.person_view(a) for a in people.list_people(db, cli_actor())]
    if as_json:
        print_json(views)
        return
    table = Table("email", "name", "role", "organisation", "created", "state")
    for view in views:
        organisation = view["organisation"]
        if view["disabled_at"]:
            state = "disabled"
        else:
            state = "active" if view["has_password"] else "no password yet"
        table.add_row(
            view["email"],
            view["name"],
            view["role"],
            organisation["name"] if organisation else "(operator)",
            view["created_at"][:19],
            state,
        )
    print_table(table)


Person = Annotated[str, typer.Argument(help="The person's email or account UUID.")]


@app.command("reset-password")
def reset_password(
    person: Person, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Print a new one-time link to choose a password (earlier links stop working; the
    current password works until the link is used)."""
    with command_session(database_url) as db, _OPTIONS.named():
        account = people.find_person(db, person)
        token = people.issue_reset_token(db, cli_actor(), account)
        view = people.person_view(account)
    _print_link(view, _link(token), as_json)


@app.command("disable")
def disable(person: Person, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Disable a person: signed out everywhere now, and refused from then on."""
    with command_session(database_url) as db:
        account = people.disable_person(db, cli_actor(), people.find_person(db, person))
        view = people.person_view(account)
    if as_json:
        print_json(view)
    else:
        console.print(f"{view['email']} is disabled and signed out everywhere.")
