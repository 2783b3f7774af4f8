"""Bulk insertion of generated sessions: COPY on PostgreSQL, batched executemany on SQLite.

Session ids are assigned here (a reserved block of the table's sequence on PostgreSQL,
the next free ids on SQLite) so periods can carry their session_id without reading
anything back. Rows come only from `session_rows`, the same builder the central system
uses, so demo amounts are what the pricing module says.
"""

import json
import multiprocessing
import os
import random
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from sqlalchemy import Connection, insert, text

from fleetcharge.charging.recording import session_rows
from fleetcharge.demo.identifiers import random_uuid
from fleetcharge.demo.sessions import Chunk, SessionPlan, generate_chunk
from fleetcharge.models import Base

SESSIONS_TABLE = Base.metadata.tables["charge_sessions"]
PERIODS_TABLE = Base.metadata.tables["charging_periods"]

SESSION_COLUMNS = (
    "id", "uuid", "auth_id", "card_id", "vehicle_id", "fleet_id", "payer_organisation_id",
    "connector_id", "location_id", "host_organisation_id", "start_date_time", "stop_date_time",
    "stop_local_date", "total_time_s", "total_parking_time_s", "consumption_kwh", "currency",
    "cost_to_driver", "gst_to_driver", "total_revenue", "gst_on_total_revenue", "total_cost",
    "gst_on_total_cost", "tariff_id", "tariff_snapshot", "created_at",
)  # fmt: skip
# Period ids come from the table's own sequence, in insertion order.
PERIOD_COLUMNS = (
    "session_id", "seq", "start_date_time", "duration_s", "consumption_kwh", "dimension",
    "unit_price", "amount", "gst", "currency",
)  # fmt: skip
# Below this many sessions, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 50_000

Rows = tuple[list[dict[str, Any]], list[dict[str, Any]]]
Progress = Callable[[int], None]


def chunk_rows(plan: SessionPlan, chunk: Chunk, first_id: int) -> Rows:
    """The charge_sessions and charging_periods rows of one chunk, ids included."""
    uuids = random.Random(f"{plan.seed}:uuid:{chunk.index}")
    sessions: list[dict[str, Any]] = []
    periods: list[dict[str, Any]] = []
    for offset, demo in enumerate(generate_chunk(plan, chunk.index)):
        session, session_periods = session_rows(
            demo.attribution,
            demo.tariff,
            demo.timeline,
            tariff_id=demo.tariff_id,
            session_uuid=random_uuid(uuids),
        )
        session["id"] = first_id + chunk.first + offset
        # Recorded when it completed, as the central system would have.
        session["created_at"] = session["stop_date_time"]
        for period in session_periods:
            period["session_id"] = session["id"]
        sessions.append(session)
        periods.extend(session_periods)
    return sessions, periods


# --- SQLite --------------------------------------------------------------------------


def next_free_session_id(connection: Connection) -> int:
    return int(connection.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM charge_sessions")))


def insert_sqlite(
    connection: Connection, plan: SessionPlan, first_id: int, progress: Progress
) -> None:
    """executemany through SQLAlchemy Core, so the column types convert the values."""
    for chunk in plan.chunks():
        sessions, periods = chunk_rows(plan, chunk, first_id)
        if sessions:
            connection.execute(insert(SESSIONS_TABLE), sessions)
        if periods:
            connection.execute(insert(PERIODS_TABLE), periods)
        progress(chunk.size)


# --- PostgreSQL ----------------------------------------------------------------------


def reserve_session_ids(connection: Connection, count: int) -> int:
    """Take `count` consecutive ids from the sequence; returns the first one."""
    if count == 0:
        return next_free_session_id(connection)
    last = connection.scalar(
        text(
            "SELECT setval(seq, greatest(nextval(seq),"
            " (SELECT coalesce(max(id), 0) + 1 FROM charge_sessions)) + :count - 1)"
            " FROM (SELECT pg_get_serial_sequence('charge_sessions', 'id')::regclass AS seq) s"
        ),
        {"count": count},
    )
    return int(last) - count + 1


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _optional(value: int | None) -> str:
    return NULL if value is None else str(value)


# COPY text format, one f-string per row: this runs for every session and period, and
# datetimes, dates, decimals and UUIDs already print the way PostgreSQL reads them.
def session_copy_lines(rows: list[dict[str, Any]]) -> bytes:
    """charge_sessions rows in SESSION_COLUMNS order."""
    snapshots: dict[int | None, str] = {}
    lines = []
    for r in rows:
        tariff_id = r["tariff_id"]
        snapshot = snapshots.get(tariff_id)
        if snapshot is None:  # one tariff, one snapshot: encode it once per chunk
            snapshot = json.dumps(r["tariff_snapshot"], separators=(",", ":"))
            snapshot = snapshots[tariff_id] = _text(snapshot)
        lines.append(
            f"{r['id']}\t{r['uuid'].hex}\t{_text(r['auth_id'])}\t{_optional(r['card_id'])}\t"
            f"{_optional(r['vehicle_id'])}\t{_optional(r['fleet_id'])}\t"
            f"{_optional(r['payer_organisation_id'])}\t{r['connector_id']}\t{r['location_id']}\t"
            f"{r['host_organisation_id']}\t{r['start_date_time']}\t{r['stop_date_time']}\t"
            f"{r['stop_local_date']}\t{r['total_time_s']}\t{r['total_parking_time_s']}\t"
            f"{r['consumption_kwh']}\t{_text(r['currency'])}\t{r['cost_to_driver']}\t"
            f"{r['gst_to_driver']}\t{r['total_revenue']}\t{r['gst_on_total_revenue']}\t"
            f"{r['total_cost']}\t{r['gst_on_total_cost']}\t{_optional(tariff_id)}\t{snapshot}\t"
            f"{r['created_at']}\n"
        )
    return "".join(lines).encode()


def period_copy_lines(rows: list[dict[str, Any]]) -> bytes:
    """charging_periods rows in PERIOD_COLUMNS order."""
    return "".join(
        [
            f"{r['session_id']}\t{r['seq']}\t{r['start_date_time']}\t{r['duration_s']}\t"
            f"{r['consumption_kwh']}\t{_text(r['dimension'])}\t{r['unit_price']}\t"
            f"{r['amount']}\t{r['gst']}\t{_text(r['currency'])}\n"
            for r in rows
        ]
    ).encode()


def copy_chunk(plan: SessionPlan, chunk: Chunk, first_id: int) -> tuple[int, bytes, bytes]:
    sessions, periods = chunk_rows(plan, chunk, first_id)
    # The COPY lines name every column by hand; fail loudly if the row builder changes.
    if sessions and set(sessions[0]) != set(SESSION_COLUMNS):
        raise RuntimeError("session_rows changed its columns; update SESSION_COLUMNS")
    if periods and set(periods[0]) != set(PERIOD_COLUMNS):
        raise RuntimeError("session_rows changed its period columns; update PERIOD_COLUMNS")
    return chunk.size, session_copy_lines(sessions), period_copy_lines(periods)


_worker_plan: SessionPlan | None = None


def _start_worker(plan: SessionPlan) -> None:
    global _worker_plan
    _worker_plan = plan


def _copy_chunk_in_worker(chunk: Chunk, first_id: int) -> tuple[int, bytes, bytes]:
    assert _worker_plan is not None
    return copy_chunk(_worker_plan, chunk, first_id)


def _copy_chunks(
    plan: SessionPlan, first_id: int, workers: int
) -> Iterator[tuple[int, bytes, bytes]]:
    """Chunks in order; generated in worker processes when there is enough work."""
    chunks = plan.chunks()
    if workers <= 1 or plan.count < PARALLEL_THRESHOLD:
        for chunk in chunks:
            yield copy_chunk(plan, chunk, first_id)
        return
    # fork on Linux: spawn would re-run the caller's __main__ in every worker, breaking
    # scripts without a main guard; the workers only compute and never touch the inherited
    # database connection (and the progress bar runs no thread meanwhile). macOS and
    # Windows get spawn, the only safe choice there.
    start_method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(workers, context, _start_worker, (plan,)) as pool:
        # A bounded window of chunks in flight keeps memory flat however large the load.
        pending: deque[Future[tuple[int, bytes, bytes]]] = deque()
        queue = iter(chunks)
        for chunk in queue:
            pending.append(pool.submit(_copy_chunk_in_worker, chunk, first_id))
            if len(pending) >= 2 * workers:
                break
        while pending:
            yield pending.popleft().result()
            for chunk in queue:
                pending.append(pool.submit(_copy_chunk_in_worker, chunk, first_id))
                break


def copy_postgres(
    connection: Connection,
    plan: SessionPlan,
    first_id: int,
    progress: Progress,
    workers: int | None = None,
) -> None:
    """COPY in the connection's own transaction, through psycopg 3."""
    workers = workers or os.cpu_count() or 1
    raw: Any = connection.connection.dbapi_connection
    copy_sessions = f"COPY charge_sessions ({', '.join(SESSION_COLUMNS)}) FROM STDIN"
    copy_periods = f"COPY charging_periods ({', '.join(PERIOD_COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor:
        for size, sessions, periods in _copy_chunks(plan, first_id, workers):
            if size:
                with cursor.copy(copy_sessions) as copy:
                    copy.write(sessions)
                with cursor.copy(copy_periods) as copy:
                    copy.write(periods)
            progress(size)
