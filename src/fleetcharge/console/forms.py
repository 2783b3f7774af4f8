"""The console's form pattern: a POST runs a domain service in its own unit of work and
answers 303 to the object's page; an error naming a field re-renders the form with what
the member typed and the message next to that field (a change made meanwhile by someone
else, above the form); any other domain error is the error page."""

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fleetcharge.db import unit_of_work
from fleetcharge.errors import (
    DomainError,
    Forbidden,
    InvalidField,
    InvalidParameter,
    PreconditionFailed,
)
from fleetcharge.sites.timing import WEEKDAYS
from fleetcharge.timezones import zone

M = TypeVar("M", bound=BaseModel)

# The key of a message about the whole form rather than one field.
WHOLE_FORM = "_form"
CHANGED_MEANWHILE = (
    "Someone else changed this while you were editing: the page now shows what is current. "
    "Check your change and send it again."
)
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


def given(
    values: Mapping[str, Any], *, clear: Iterable[str] = (), required: Iterable[str] = ()
) -> dict[str, Any]:
    """Only the fields filled in (an empty optional field means: leave it as it is), but
    those to `clear` (sent as None: the change clears them) and those `required` (sent
    blank, for the service to refuse with its own message)."""
    cleared, kept = set(clear), set(required)
    return {
        name: None if _blank(value) and name in cleared else value
        for name, value in values.items()
        if not _blank(value) or name in cleared or name in kept
    }


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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


def refusal(error: DomainError) -> dict[str, str]:
    """What a form shows for a refused change: the message under the field it names
    (`connectors[1].name` is the `connectors` field), or above the form for a change to
    something changed meanwhile. Any other error (not found, not allowed) is raised again,
    for the error page."""
    if isinstance(error, PreconditionFailed):
        return {WHOLE_FORM: CHANGED_MEANWHILE}
    named = error.field or error.parameter
    match = _FIELD_ROOT.match(named) if named else None
    if match is None or isinstance(error, Forbidden):
        raise error
    return {match.group(0): error.message}


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
    except PreconditionFailed:
        raise
    except DomainError as error:
        response = form_again(refusal(error))
        response.status_code = error.status_code
        return response
    return RedirectResponse(location, status_code=303)


def done_notice(done: str | None, subject: str) -> str | None:
    """`Vehicle 1ABC234 saved` for `?done=saved`; None without (or with an unknown) `done`."""
    if done not in DONE:
        return None
    return f"{subject} {DONE[done]}"


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


def local_moment(text: str, timezone: str, field: str) -> datetime | None:
    """A browser's `datetime-local` value (`2027-06-30T17:00`) in `timezone`; None if blank."""
    if not text.strip():
        return None
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidField(
            f"{field} must be a date and time such as 2027-06-30T17:00, got {text!r}", field=field
        ) from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zone(timezone))


def local_input(moment: datetime | None, timezone: str) -> str:
    """A stored instant as a `datetime-local` value in `timezone` (the inverse of
    `local_moment`, to the minute)."""
    if moment is None:
        return ""
    return moment.astimezone(zone(timezone)).strftime("%Y-%m-%dT%H:%M")


def departures(text: str) -> dict[str, str] | str:
    """Usual departures typed as `mon 05:30, tue 06:00` as the admin API's
    {"mon": "05:30", ...} (the service checks the days and times); blank stays blank."""
    if not text.strip():
        return ""
    out: dict[str, str] = {}
    for part in re.split(r"[,;\n]", text):
        if not part.strip():
            continue
        words = part.split()
        if len(words) != 2 or len(part) > 40:
            raise InvalidField(
                f"departure_times: write each as a weekday and a time, such as mon 05:30, "
                f"got {part.strip()[:40]!r}",
                field="departure_times",
            )
        out[words[0]] = words[1]
    return out


def departures_text(times: Mapping[str, str]) -> str:
    """The inverse of `departures`, in weekday order: `mon 05:30, tue 06:00`."""
    order = {day: i for i, day in enumerate(WEEKDAYS)}
    ordered = sorted(times.items(), key=lambda item: order.get(item[0], len(order)))
    return ", ".join(f"{day} {time}" for day, time in ordered)
