"""The console's form pattern: a POST runs a domain service in its own unit of work and
answers 303 to the object's page; an error naming a field re-renders the form with what
the member typed and the message next to that field; any other domain error is the error
page. Lists page with the admin API's cursors."""

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError, InvalidField, InvalidParameter
from fleetcharge.kit.cursors import Page, PageRequest, parse_page_request

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

LIST_PAGE_SIZE = "50"
# What a page says after a change it was sent to with `?done=...`.
DONE = {
    "created": "created",
    "saved": "saved",
    "approved": "approved",
    "password": "has a new password: the station must send it from its next connection",
    "fleet_added": "has a new fleet",
    "fleet_renamed": "fleet renamed",
}
# Offered for time zone fields (any IANA zone is accepted).
TIMEZONE_CHOICES = (
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Brisbane",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Perth",
    "Australia/Hobart",
    "Australia/Canberra",
    "Australia/Broken_Hill",
    "Australia/Lord_Howe",
    "Australia/Eucla",
    "Pacific/Auckland",
)
_FIELD_ROOT = re.compile(r"[^.\[]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_SEARCH = 200


def texts(form: FormData, *names: str) -> dict[str, str]:
    """The named fields as the member typed them ("" for a field not sent)."""
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def given(values: Mapping[str, str]) -> dict[str, str]:
    """Only the fields filled in (an empty optional field means: leave it as it is)."""
    return {name: value for name, value in values.items() if value.strip()}


def body(model: type[M], data: Mapping[str, Any]) -> M:
    """The service's request body from form fields; a value pydantic refuses is that
    field's error, as the admin API would name it."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        issue = error.errors(include_url=False)[0]
        path = ".".join(str(part) for part in issue["loc"]) or "form"
        message = str(issue["msg"]).removeprefix("Value error, ")
        raise InvalidField(f"{path}: {message}", field=path) from None


def form_field(error: DomainError) -> str | None:
    """The form field an error is about: `connectors[1].name` is the `connectors` field."""
    named = error.field or error.parameter
    if not named:
        return None
    match = _FIELD_ROOT.match(named)
    return match.group(0) if match else None


def submit(
    request: Request,
    change: Callable[[Session], str],
    form_again: Callable[[dict[str, str]], Response],
) -> Response:
    """Run `change` (it answers where to go next) in one unit of work. A domain error about
    a field rolls it back and answers `form_again` with {field: message}, with the error's
    status (400 for a bad value, 409 for a name taken); others go to the error page."""
    try:
        with unit_of_work(request.app.state.engine) as db:
            location = change(db)
    except DomainError as error:
        field = form_field(error)
        if field is None or error.status_code not in (400, 409, 422):
            raise
        response = form_again({field: error.message})
        response.status_code = error.status_code
        return response
    return RedirectResponse(location, status_code=303)


def done_notice(done: str | None, subject: str) -> str | None:
    """`Vehicle 1ABC234 saved` for `?done=saved`; None without (or with an unknown) `done`."""
    if done not in DONE:
        return None
    return f"{subject} {DONE[done]}"


def page_request(cursor: str | None) -> PageRequest:
    return parse_page_request(cursor, LIST_PAGE_SIZE)


def next_page_url(request: Request, page: Page[T]) -> str | None:
    """This list's next page (same filters), or None on the last."""
    if page.next_cursor is None:
        return None
    query = {k: v for k, v in request.query_params.items() if k not in ("cursor", "done")}
    query["cursor"] = page.next_cursor
    return f"{request.url.path}?{urlencode(query)}"


def first_page_url(request: Request, cursor: str | None) -> str | None:
    """Back to the first page of this list (same filters), when on a later one."""
    if not cursor:
        return None
    query = {k: v for k, v in request.query_params.items() if k not in ("cursor", "done")}
    return f"{request.url.path}?{urlencode(query)}" if query else request.url.path


def search(q: str | None) -> str | None:
    """A list's search box: trimmed, None when empty; control characters (which no name
    holds, and PostgreSQL refuses in text) are the parameter's error."""
    if q is None or not q.strip():
        return None
    if _CONTROL.search(q) or len(q) > MAX_SEARCH:
        raise InvalidParameter(
            f"q must be up to {MAX_SEARCH} characters without control characters", parameter="q"
        )
    return q.strip()


def version(text: str) -> int | None:
    """The version of the object the form was shown with: a change made since makes the
    service refuse this one (412) instead of overwriting it."""
    cleaned = text.strip()
    return int(cleaned) if cleaned.isdigit() and len(cleaned) <= 12 else None
