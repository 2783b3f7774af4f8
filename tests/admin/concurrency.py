"""Racing admin requests on PostgreSQL: held at a lock until all wait on it, then released
together, so that they really overlap."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import Connection, Engine, text

WAITING_ON_LOCKS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    " AND wait_event_type = 'Lock'"
)


def race(
    engine: Engine, hold: Callable[[Connection], None], *requests: Callable[[], httpx.Response]
) -> list[httpx.Response]:
    """Send the requests at once while `hold` keeps a lock; release it when all wait on it."""
    with engine.connect() as holder, engine.connect() as watcher:
        hold(holder)
        with ThreadPoolExecutor(len(requests)) as pool:
            futures = [pool.submit(request) for request in requests]
            deadline = time.monotonic() + 30
            waiting = 0
            while waiting < len(requests) and time.monotonic() < deadline:
                time.sleep(0.05)
                waiting = watcher.execute(WAITING_ON_LOCKS).scalar_one()
                watcher.rollback()  # activity statistics are a snapshot per transaction
            holder.rollback()
            responses = [future.result(timeout=30) for future in futures]
    assert waiting == len(requests), "the requests did not all wait on the held lock"
    return responses
