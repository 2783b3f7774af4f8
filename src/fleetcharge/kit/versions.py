"""Optimistic concurrency for the admin API: every change bumps the object's `version`
(its ETag), and a change made against a version that is no longer current is refused."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from fleetcharge.errors import PreconditionFailed


def claim_version(db: Session, obj: Any, expected: int | None) -> None:
    """Bump `obj.version`, only if it is still `expected` (when given).

    The conditional UPDATE takes the row lock first: of two concurrent writers holding the
    same version, the second waits for the first to commit, then matches no row (412).
    The object is refreshed afterwards, so the change applies to what is now current.
    """
    model = type(obj)
    conditions = [model.id == obj.id]
    if expected is not None:
        conditions.append(model.version == expected)
    result = db.execute(
        update(model)
        .where(*conditions)
        .values(version=model.version + 1)
        .returning(model.version)
        .execution_options(synchronize_session=False)
    )
    bumped = result.scalar_one_or_none()
    if bumped is None:
        raise PreconditionFailed(
            f"the {model.__tablename__.rstrip('s')} has changed since version {expected} "
            "(If-Match): read it again and reapply your change"
        )
    db.refresh(obj)
    set_committed_value(obj, "version", bumped)


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match header names; None when absent or `*` (any version)."""
    if header is None or header.strip() in ("", "*"):
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit() or len(value) > 12:
        raise PreconditionFailed(f"If-Match {header!r} is not an ETag this server issued")
    return int(value)
