"""Finding a named record the way operators refer to it on the command line: name or UUID."""

import uuid as uuid_module
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.errors import Conflict, NotFound


class _Named(Protocol):
    uuid: Any
    name: Any


T = TypeVar("T", bound=_Named)


def by_name_or_uuid(db: Session, model: type[T], reference: str, what: str) -> T:
    """The one record of `model` whose UUID or exact name is `reference`."""
    try:
        column: InstrumentedAttribute[Any] = model.uuid
        value: Any = uuid_module.UUID(reference)
    except ValueError:
        column, value = model.name, reference
    found = list(db.scalars(select(model).where(column == value).limit(2)))
    if not found:
        raise NotFound(f"no {what} named or with UUID {reference!r}")
    if len(found) > 1:
        raise Conflict(f"more than one {what} is named {reference!r}: use its UUID")
    return found[0]
