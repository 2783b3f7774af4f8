"""Billing tests reuse the shared `engine` fixture (fresh migrated SQLite and PostgreSQL)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """One open transaction; billing services only flush, so nothing is committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()
