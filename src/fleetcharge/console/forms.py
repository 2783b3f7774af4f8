"""What every console form shares: the fields as sent, the admin API's body models filled
from them, and a refused change turned into messages next to the fields it names."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from fleetcharge.errors import DomainError, InvalidField, PreconditionFailed
from fleetcharge.timezones import zone

M = TypeVar("M", bound=BaseModel)

# The key of a message about the whole form rather than one field.
WHOLE_FORM = "_form"
CHANGED_MEANWHILE = (
    "Someone else changed this while you were editing: the page now shows what is current. "
    "Check your change and send it again."
)


def form_values(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The named fields as sent (missing ones empty; a file upload is not a value)."""
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    return values


def body(
    model: type[M],
    values: Mapping[str, Any],
    *,
    clear: Iterable[str] = (),
    required: Iterable[str] = (),
) -> M:
    """`model` filled from form values. A blank field is left out (the model's default),
    except those to `clear` (sent as None: the change clears them) and those `required`
    (sent blank, for the service to refuse with its own message). A value the model refuses
    is an InvalidField naming the field, as a service's would be."""
    cleared, kept = set(clear), set(required)
    given = {
        name: None if value == "" and name in cleared else value
        for name, value in values.items()
        if value != "" or name in cleared or name in kept
    }
    try:
        return model.model_validate(given)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else WHOLE_FORM
        raise InvalidField(f"{field}: {_plain(first['msg'])}", field=field) from None


def version(values: Mapping[str, str]) -> int | None:
    """The version of the object the form was made from (its hidden `version` field), so
    that a change made meanwhile by someone else is not overwritten unseen."""
    text = values.get("version", "")
    return int(text) if text.isdigit() and len(text) <= 12 else None


def local_moment(text: str, timezone: str, field: str) -> datetime | None:
    """A browser's `datetime-local` value (`2027-06-30T17:00`) in `timezone`; None if blank."""
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
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


def refusal(error: DomainError) -> dict[str, str]:
    """What a form shows for a refused change: the message under the field it names, or at
    the top for a change to something changed meanwhile. Any other error (not found, not
    allowed) is raised again, for the error page."""
    if isinstance(error, PreconditionFailed):
        return {WHOLE_FORM: CHANGED_MEANWHILE}
    if error.field is None:
        raise error
    # `scopes[1]`, `connectors[0].name`: the form's field is the first name.
    name = error.field.split(".")[0].split("[")[0]
    return {name: error.message}


def _plain(message: str) -> str:
    """pydantic's message without its `Value error, ` prefix."""
    return message.removeprefix("Value error, ")
