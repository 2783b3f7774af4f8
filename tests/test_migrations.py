"""The migrations build exactly the schema the ORM models describe, on both databases."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from fleetcharge.db import unit_of_work
from fleetcharge.migrate import downgrade, upgrade
from fleetcharge.models import Account, Base
from fleetcharge.models.base import utcnow
from tests import factories as f


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "user_module_prefix": "fleetcharge.models.types."},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_people_migration_downgrades_and_upgrades_again(engine: Engine) -> None:
    """0016 (people who sign in) comes off and back on; a new-role member goes with it."""
    with unit_of_work(engine) as db:
        organisation_id = f.organisation(db, "Harbour Car Park").id
        db.add(Account(name="Host", role="site_host", organisation_id=organisation_id))
    downgrade(engine, "0014")
    assert "console_sessions" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        roles = connection.execute(text("SELECT role FROM accounts")).scalars().all()
        assert roles == []
        with pytest.raises(IntegrityError):  # the old check is back
            connection.execute(
                text(
                    "INSERT INTO accounts (name, role, organisation_id, uuid, created_at)"
                    " VALUES ('x', 'read_only', :org, :uuid, :at)"
                ),
                {"org": organisation_id, "uuid": uuid.uuid4().hex, "at": utcnow()},
            )
    upgrade(engine)
    assert {"console_sessions", "password_reset_tokens"} <= set(inspect(engine).get_table_names())
    with unit_of_work(engine) as db:
        db.add(
            Account(
                name="Reader", role="read_only", organisation_id=organisation_id, email="r@x.io"
            )
        )
