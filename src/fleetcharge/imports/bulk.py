"""Writing many rows at once, and the audit events of an import.

On PostgreSQL rows go in with COPY, their ids drawn from the table's sequence beforehand:
large multi-row INSERTs cost the driver more to prepare than the server to run. Elsewhere
they are multi-row INSERTs (ids returned in the rows' order). UPDATEs by primary key are
one executemany."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Table, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.errors import Conflict
from fleetcharge.logs import REQUEST_ID
from fleetcharge.models import AuditEvent
from fleetcharge.permissions import Actor

# Rows per statement: well under every driver's limit of bound parameters.
BATCH = 1000


def insert_returning_ids(
    db: Session, model: type[Any], rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert `rows` into `model`'s table; their new ids, in the same order."""
    ids: list[int] = []
    table = model.__table__
    if _on_postgresql(db):
        if rows:
            sequence = text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id'))"
                " FROM generate_series(1, :count)"
            )
            ids = list(db.scalars(sequence, {"table": table.name, "count": len(rows)}))
            _copy(db, table, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids.extend(db.execute(statement, list(batch)).scalars())
    return ids


def insert_rows(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    table = model.__table__
    if _on_postgresql(db):
        _copy(db, table, rows)
        return
    for start in range(0, len(rows), BATCH):
        db.execute(insert(table), list(rows[start : start + BATCH]))


def update_rows(db: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Each row's columns set on the row whose `id` it names (every row the same keys)."""
    if rows:
        db.execute(update(model), list(rows))


def _on_postgresql(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _copy(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY `rows` (every one the same keys) into `table`, with the Python-side defaults of
    the columns they leave out, as an INSERT would have."""
    if not rows:
        return
    defaults = {
        column.name: column.default
        for column in table.columns
        if column.name not in rows[0] and column.default is not None
    }
    names = [*rows[0], *defaults]
    connection = db.connection().connection.driver_connection
    assert connection is not None
    quoted = ", ".join(f'"{name}"' for name in names)
    with (
        connection.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
    ):
        for row in rows:
            values = [*row.values()]
            for default in defaults.values():
                arg = default.arg  # type: ignore[attr-defined]
                values.append(arg(None) if callable(arg) else arg)
            copy.write_row([Jsonb(v) if isinstance(v, dict | list) else v for v in values])


@contextmanager
def taken_meanwhile(what: str) -> Iterator[None]:
    """A unique key written by someone else (not an import) after the import read what exists:
    409, the import rolled back, to be run again."""
    try:
        yield
    except (IntegrityError, psycopg.IntegrityError):
        raise Conflict(
            f"{what} of the file was created elsewhere while it was imported; nothing was "
            "imported: import the file again"
        ) from None


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
