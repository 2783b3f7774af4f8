"""Alembic environment: the URL comes from the caller (fleetcharge.migrate) or Settings."""

from alembic import context
from sqlalchemy import Connection

from fleetcharge.db import make_engine
from fleetcharge.models import Base
from fleetcharge.settings import get_settings

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild tables that other tables reference, which SQLite's
        # foreign keys refuse: they are off while migrating (the pragma only takes effect
        # outside a transaction) and every reference is checked before committing.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            user_module_prefix="fleetcharge.models.types.",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()  # after a failure: the pragma is ignored in a transaction
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")


run_migrations()
