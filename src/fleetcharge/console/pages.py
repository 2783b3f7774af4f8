"""Rendering a console page: Jinja2 templates (autoescaped), with the signed-in member, the
menu and the CSRF token every form needs, and the headers every page carries."""

from importlib import resources
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from fleetcharge.console.assets import asset_url
from fleetcharge.console.formatting import FILTERS
from fleetcharge.console.navigation import menu

TEMPLATES = Jinja2Templates(directory=str(resources.files("fleetcharge.console") / "templates"))
TEMPLATES.env.filters.update(FILTERS)
TEMPLATES.env.globals["asset"] = asset_url
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True

# No script but our own file; charts' SVG carries its own <style>. Pages are never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
MEMBER = "console_member"  # where `security.current_member` leaves the member, on request.state
SIGN_IN_CSRF = "console_sign_in_csrf"  # the sign-in form's token, on request.state


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    member = getattr(request.state, MEMBER, None)
    page = {
        "member": member,
        "menu": menu(member, request.url.path),
        "csrf_token": member.csrf_token if member else getattr(request.state, SIGN_IN_CSRF, ""),
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, template, page, status_code=status)
    response.headers.update({**PAGE_HEADERS, **(headers or {})})
    return response
