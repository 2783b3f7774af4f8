"""Foreign keys and secondary indexes set aside during a large PostgreSQL bulk load.

Building an index once and validating a foreign key in one pass is several times
cheaper than maintaining them row by row. Everything happens in the loader's
transaction, so an interrupted load leaves the schema exactly as it was; the
definitions are read from the catalogue, so whatever the migrations made is restored.
"""

from sqlalchemy import Connection, text

BULK_LOADED_TABLES = ("charge_sessions", "charging_periods")
# Below this many sessions, row-by-row maintenance is cheaper than rebuilding.
DEFER_THRESHOLD = 50_000


class DeferredConstraints:
    def __init__(self, connection: Connection, tables: tuple[str, ...]) -> None:
        self.connection = connection
        regclasses = ", ".join(f"'{table}'::regclass" for table in tables)
        # Unique constraints ('u') before foreign keys ('f'), hence DESC.
        self.constraints = [
            (str(table), str(name), str(definition))
            for table, name, definition in connection.execute(
                text(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                    f" FROM pg_constraint WHERE conrelid IN ({regclasses})"
                    " AND contype IN ('f', 'u') ORDER BY contype DESC, conname"
                )
            )
        ]
        self.indexes = [
            (str(name), str(definition))
            for name, definition in connection.execute(
                text(
                    "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                    f" WHERE indrelid IN ({regclasses}) AND NOT EXISTS"
                    " (SELECT 1 FROM pg_constraint c WHERE c.conindid = pg_index.indexrelid)"
                    " ORDER BY 1"
                )
            )
        ]

    def drop(self) -> None:
        for table, name, _ in self.constraints:
            self.connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _ in self.indexes:
            self.connection.execute(text(f"DROP INDEX {name}"))

    def restore(self) -> None:
        self.connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for _, definition in self.indexes:
            self.connection.execute(text(definition))
        for table, name, definition in self.constraints:
            self.connection.execute(
                text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            )


def defer_constraints(connection: Connection, sessions: int) -> DeferredConstraints | None:
    """Set the constraints aside when the load is large and outweighs what is already there."""
    if sessions < DEFER_THRESHOLD:
        return None
    existing = connection.scalar(
        text("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'charge_sessions'::regclass")
    )
    if int(existing or 0) >= sessions:
        return None
    deferred = DeferredConstraints(connection, BULK_LOADED_TABLES)
    deferred.drop()
    return deferred
