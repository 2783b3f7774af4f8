"""Signing in and out, choosing a password through a one-time link, and the page of a member
whose organisation has nothing else to show.

The sign-in and password forms come before any session: they carry a token that must equal
the one in a short-lived cookie (double submit), so another site cannot sign a browser in.
"""

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.accounts.sign_in import (
    SESSION_COOKIE,
    SignInRefused,
    SignInThrottled,
    reset_password,
    reset_token_account,
    sign_in,
    sign_out,
)
from fleetcharge.console.navigation import home
from fleetcharge.console.pages import SIGN_IN_CSRF, render
from fleetcharge.console.security import (
    CheckedForm,
    CurrentMember,
    FormRefused,
    OptionalMember,
    read_form,
    safe_next,
    same_origin,
    secure_cookies,
)
from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidField, NotFound

router = APIRouter()
FORM_COOKIE = "fleetcharge_form"


def _form_token(request: Request) -> str:
    """The token of the cookie this browser already has, or a new one (set by `_page`)."""
    token = request.cookies.get(FORM_COOKIE)
    if not token or len(token) != 43:
        token = secrets.token_urlsafe(32)
    setattr(request.state, SIGN_IN_CSRF, token)
    return token


def _page(
    request: Request, template: str, context: dict[str, object], status: int = 200
) -> Response:
    token = _form_token(request)
    response = render(request, template, context, status=status)
    response.set_cookie(
        FORM_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
    )
    return response


async def before_session_form(request: Request) -> FormData:
    same_origin(request)
    form = await read_form(request)
    sent, kept = form.get("csrf_token"), request.cookies.get(FORM_COOKIE)
    if not (isinstance(sent, str) and kept and hmac.compare_digest(sent.encode(), kept.encode())):
        raise FormRefused("the form has expired: reload the page and try again")
    return form


BeforeSessionForm = Annotated[FormData, Depends(before_session_form)]


@router.get("/", response_class=HTMLResponse)
def sign_in_page(request: Request, member: OptionalMember, next: str | None = None) -> Response:
    if member is not None:
        return RedirectResponse(safe_next(next) or home(member), status_code=303)
    notice = "Your password is set: sign in with it." if request.query_params.get("done") else None
    return _page(request, "sign_in.html", {"next": safe_next(next) or "", "notice": notice})


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, form: BeforeSessionForm) -> Response:
    email, password = _text(form, "email"), _text(form, "password")
    next_path = safe_next(_text(form, "next"))
    address = request.client.host if request.client else "unknown"
    try:
        with unit_of_work(request.app.state.engine) as db:
            secret, _who = sign_in(db, request.app.state.sign_in_throttle, email, password, address)
    except (SignInRefused, SignInThrottled) as refused:
        headers = (
            {"Retry-After": str(refused.retry_after_s)}
            if isinstance(refused, SignInThrottled)
            else None
        )
        response = _page(
            request,
            "sign_in.html",
            {"next": next_path or "", "email": email, "error": refused.message},
            status=refused.status_code,
        )
        response.headers.update(headers or {})
        return response
    response = RedirectResponse(next_path or "/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    response.delete_cookie(FORM_COOKIE)
    return response


@router.post("/sign-out")
def sign_out_form(request: Request, form: CheckedForm) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        sign_out(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/reset-password/{token}", response_class=HTMLResponse)
def choose_password_page(request: Request, token: str) -> Response:
    try:
        with unit_of_work(request.app.state.engine) as db:
            account = reset_token_account(db, token)
            email = account.email
    except NotFound:
        return _page(request, "choose_password.html", {"expired": True}, status=404)
    return _page(request, "choose_password.html", {"email": email})


@router.post("/reset-password/{token}", response_class=HTMLResponse)
def choose_password_form(request: Request, token: str, form: BeforeSessionForm) -> Response:
    password, again = _text(form, "password"), _text(form, "password_again")
    try:
        if password != again:
            raise InvalidField("the two passwords differ", field="password_again")
        with unit_of_work(request.app.state.engine) as db:
            reset_password(db, token, password)
    except NotFound:
        return _page(request, "choose_password.html", {"expired": True}, status=404)
    except InvalidField as error:
        with unit_of_work(request.app.state.engine) as db:
            email = reset_token_account(db, token).email
        errors = {error.field or "password": error.message}
        return _page(request, "choose_password.html", {"email": email, "errors": errors}, 400)
    return RedirectResponse("/?done=password", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, member: CurrentMember) -> Response:
    return render(request, "account.html", {"title": "Your account"})


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
