"""Who may see a console page, and forms that prove they come from our own pages.

Every page goes through `current_member` (not signed in: to the sign-in page). Every POST
goes through `checked_form`: its `csrf_token` field must be the member's session token and
a browser's Origin, when sent, must be ours.
"""

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from fleetcharge.accounts.sign_in import SESSION_COOKIE, signed_in
from fleetcharge.console.member import Member, member_for
from fleetcharge.console.pages import MEMBER
from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError, NotFound
from fleetcharge.settings import get_settings

# A form of ours has a few dozen fields; a bigger one is not ours.
MAX_FORM_FIELDS = 200
MAX_FORM_PART_BYTES = 64 * 1024


class SignInRequired(DomainError):
    status_code = 303
    code = "sign_in_required"

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in to see this page")
        self.next_path = next_path


class FormRefused(DomainError):
    status_code = 403
    code = "form_refused"


def signed_in_member(db: Session, secret: str | None) -> Member | None:
    """The member whose console session `secret` is (None: nobody)."""
    who = signed_in(db, secret)
    if who is None:
        return None
    return member_for(db, who.actor, name=who.name, email=who.email, csrf_token=who.csrf_token)


def secure_cookies(request: Request) -> bool:
    """Cookies only over HTTPS when the console is served (or proxied) over HTTPS."""
    base = get_settings().public_base_url or ""
    return request.url.scheme == "https" or base.startswith("https://")


def optional_member(request: Request) -> Member | None:
    """The signed-in member, if any (left on the request state for the page's menu)."""
    with unit_of_work(request.app.state.engine) as db:
        member = signed_in_member(db, request.cookies.get(SESSION_COOKIE))
    setattr(request.state, MEMBER, member)
    return member


def current_member(
    request: Request, member: Annotated[Member | None, Depends(optional_member)]
) -> Member:
    if member is None:
        raise SignInRequired(_here(request))
    return member


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{request.url.path}{query}"


def safe_next(path: str | None) -> str | None:
    """A path of ours to go on to after signing in; anything else (another site) is dropped."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 0x20 or c == "\\" for c in path):
        return None
    return path


def sign_in_url(next_path: str | None) -> str:
    return f"/?next={quote(next_path, safe='/')}" if next_path else "/"


CurrentMember = Annotated[Member, Depends(current_member)]
OptionalMember = Annotated[Member | None, Depends(optional_member)]


def fleet_member(member: CurrentMember) -> Member:
    if not member.is_fleet:
        raise NotFound("no such page")
    return member


def host_member(member: CurrentMember) -> Member:
    if not member.is_host:
        raise NotFound("no such page")
    return member


def operator_member(member: CurrentMember) -> Member:
    if not member.is_operator:
        raise NotFound("no such page")
    return member


FleetMember = Annotated[Member, Depends(fleet_member)]
HostMember = Annotated[Member, Depends(host_member)]
OperatorMember = Annotated[Member, Depends(operator_member)]


async def read_form(request: Request) -> FormData:
    try:
        return await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART_BYTES)
    except Exception as error:  # python-multipart's and Starlette's parse errors alike
        raise FormRefused(f"the form could not be read: {error}") from None


def same_origin(request: Request) -> None:
    """A browser sends Origin on every POST; another site's page is refused."""
    origin = request.headers.get("origin")
    if origin is None:  # not a browser, or one that does not say: the token still decides
        return
    base = get_settings().public_base_url
    ours = {str(request.base_url).rstrip("/")}
    if base:
        ours.add(base.rstrip("/"))
    if origin not in ours:
        raise FormRefused("the form was sent from another site")


async def checked_form(request: Request, member: CurrentMember) -> FormData:
    same_origin(request)
    form = await read_form(request)
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(
        token.encode(), member.csrf_token.encode()
    ):
        raise FormRefused("the form has expired or did not come from this site: reload the page")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
