"""Finding a record: a named one the way operators refer to it on the command line (name or
UUID), or one by its UUID for an actor who may see only its own organisation's."""

import uuid as uuid_module
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.errors import Conflict, NotFound


class _Named(Protocol):
    uuid: Any
    name: Any


class _Public(Protocol):
    uuid: Any


class _Viewer(Protocol):
    def sees(self, organisation_id: int | None) -> bool: ...


T = TypeVar("T", bound=_Named)
P = TypeVar("P", bound=_Public)


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


def visible_by_uuid(
    db: Session,
    viewer: _Viewer,
    model: type[P],
    uuid: uuid_module.UUID,
    what: str,
    owner: Callable[[P], int | None] = attrgetter("organisation_id"),
    *,
    field: str | None = None,
    parameter: str | None = None,
) -> P:
    """The `model` record with this UUID; one whose organisation (`owner`, by default its
    `organisation_id`) the viewer does not see is not found, as if absent."""
    found = db.scalar(select(model).where(model.uuid == uuid))
    if found is None or not viewer.sees(owner(found)):
        raise NotFound(f"no {what} {uuid}", field=field, parameter=parameter)
    return found
