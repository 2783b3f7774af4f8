"""The organisation's Fleets API tokens: the list with their scopes, issuing one (its secret
shown on the answer page, once, and never again: only its hash is stored) and revoking one.
Through auth.service, as the admin API's routes; only roles with the api_tokens
permissions see the page."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.auth import service
from fleetcharge.auth.schemas import TOKEN_STATES, ApiTokenCreate
from fleetcharge.console.forms import body, given, refusal, texts
from fleetcharge.console.lists import first_url, next_url, page_request
from fleetcharge.console.member import Member
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, CurrentMember
from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError, NotFound
from fleetcharge.models.token import ENDPOINT_SCOPES

router = APIRouter()

STATES = (("", "Any state"), *((state, state.capitalize()) for state in TOKEN_STATES))
LIFETIMES = (("", "Never expires"), ("30d", "30 days"), ("90d", "90 days"), ("1y", "1 year"))


def token_member(member: CurrentMember) -> Member:
    """An organisation's member whose role may read its tokens (others: no such page)."""
    if member.is_operator or not member.may("api_tokens", "read"):
        raise NotFound("no such page")
    return member


TokenMember = Annotated[Member, Depends(token_member)]


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request,
    member: TokenMember,
    state: str | None = None,
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    return _tokens_page(request, member, state or "", cursor, revoked=done == "revoked")


@router.post("/tokens", response_class=HTMLResponse)
def issue_token(request: Request, member: TokenMember, form: CheckedForm) -> Response:
    values = texts(form, "name", "expires_in")
    values["scopes"] = ",".join(_scopes(form))
    try:
        with unit_of_work(request.app.state.engine) as db:
            typed = given({"name": values["name"], "expires_in": values["expires_in"]})
            data = body(ApiTokenCreate, {**typed, "scopes": _scopes(form)})
            issued = service.issue_api_token(db, member.actor, data)
            view = service.token_view(issued.token)
    except DomainError as error:
        errors = refusal(error)
        return _tokens_page(request, member, "", None, values=values, errors=errors, status=400)
    # The answer page is the only place the secret is ever shown.
    return render(
        request,
        "tokens/issued.html",
        {"title": "Token issued", "token": view, "record": issued.token, "secret": issued.secret},
    )


@router.post("/tokens/{uuid}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, member: TokenMember, uuid: UUID, form: CheckedForm) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        service.revoke_api_token(db, member.actor, uuid)
    return RedirectResponse("/tokens?done=revoked", status_code=303)


def _scopes(form: FormData) -> list[str]:
    return [value for value in form.getlist("scopes") if isinstance(value, str)]


def _tokens_page(
    request: Request,
    member: Member,
    state: str,
    cursor: str | None,
    *,
    revoked: bool = False,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        page = service.list_api_tokens(db, member.actor, page_request(cursor), state=state or None)
        tokens = [(service.token_view(token), token) for token in page.items]
    typed = values or {"name": "", "expires_in": "", "scopes": ",".join(ENDPOINT_SCOPES)}
    return render(
        request,
        "tokens/list.html",
        {
            "title": "Fleets API tokens",
            "page": page,
            "tokens": tokens,
            "state": state,
            "states": STATES,
            "lifetimes": LIFETIMES,
            "all_scopes": ENDPOINT_SCOPES,
            "chosen_scopes": typed["scopes"].split(","),
            "values": typed,
            "errors": errors or {},
            "revoked": revoked,
            "first_url": first_url(request),
            "next_url": next_url(request, page),
        },
        status=status,
    )
