"""A PostgreSQL database holding the demo network, created and loaded when missing."""

import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fleetcharge.db import make_engine, normalise_url


def ensure_database(url: str, sessions: int) -> None:
    """Create the database if needed and load the demo data if it holds fewer sessions."""
    target = make_url(normalise_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = make_engine(url)
    with engine.connect() as conn:
        has_table = conn.scalar(text("SELECT to_regclass('charge_sessions') IS NOT NULL"))
        count = conn.scalar(text("SELECT count(*) FROM charge_sessions")) if has_table else 0
    if (count or 0) < sessions:
        from fleetcharge.demo.loader import load_demo

        print(f"loading {sessions:,} demo sessions (found {count:,}) ...", file=sys.stderr)
        started = time.perf_counter()
        load_demo(engine, sessions=sessions)
        print(f"loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    engine.dispose()
