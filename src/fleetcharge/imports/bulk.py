"""Writing many rows at once: multi-row INSERTs (ids returned in the rows' order), UPDATEs by
primary key as one executemany, and the audit events of an import."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from fleetcharge.accounts.permissions import Actor
from fleetcharge.logs import REQUEST_ID
from fleetcharge.models import AuditEvent

# Rows per statement: well under every driver's limit of bound parameters.
BATCH = 1000


def insert_returning_ids(
    db: Session, model: type[Any], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert `rows` into `model`'s table; their new ids, in the same order."""
    ids: list[int] = []
    table = model.__table__
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids.extend(db.execute(statement, list(batch)).scalars())
    return ids


def insert_rows(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    table = model.__table__
    for start in range(0, len(rows), BATCH):
        db.execute(insert(table), list(rows[start : start + BATCH]))


def update_rows(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Each row's columns set on the row whose `id` it names (every row the same keys)."""
    if rows:
        db.execute(update(model), list(rows))


class AuditTrail:
    """An import's audit events, written together at the end."""

    def __init__(self, actor: Actor, at: datetime) -> None:
        self.actor = actor
        self.at = at
        self.events: list[dict[str, Any]] = []

    def add(
        self,
        action: str,
        resource: str,
        resource_uuid: UUID,
        organisation_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.events.append(
            {
                "uuid": uuid4(),
                "at": self.at,
                "actor_uuid": self.actor.account_uuid,
                "actor_name": self.actor.name,
                "actor_role": self.actor.role,
                "action": action,
                "resource": resource,
                "resource_uuid": resource_uuid,
                "organisation_id": organisation_id,
                "before": before,
                "after": after,
                "request_id": REQUEST_ID.get(None),
            }
        )

    def write(self, db: Session) -> None:
        insert_rows(db, AuditEvent, self.events)
        self.events = []
