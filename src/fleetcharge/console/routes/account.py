"""The sign-in page, and the page of a member whose organisation has nothing else to show."""

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.console.navigation import home
from fleetcharge.console.pages import render
from fleetcharge.console.security import CurrentMember, OptionalMember, safe_next

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def sign_in_page(request: Request, member: OptionalMember, next: str | None = None) -> Response:
    if member is None:
        return render(request, "sign_in.html", {"next": safe_next(next) or ""})
    return RedirectResponse(safe_next(next) or home(member), status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, member: CurrentMember) -> Response:
    return render(request, "account.html", {"title": "Your account"})
