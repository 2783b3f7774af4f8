"""The network page's live updates: a Server-Sent Events stream.

Every POLL_SECONDS the stream asks the database which stations' status history grew since
its cursor (an index-backed "changed since", `csms.network_view.changes_since`) and the
router which stations are connected (this process's own registry, or every process's
through Redis), so a station connected to any process shows up. Each changed station is
sent as a `station` event with its current state, then the counts as a `counts` event
whose id is the cursor: a browser that reconnects (EventSource does by itself, after
STREAM_SECONDS or a network hiccup) sends it back as Last-Event-ID and misses nothing.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.console.formatting import local_datetime
from fleetcharge.csms import network_view
from fleetcharge.csms.network_view import Changes, NetworkCounts, StationState
from fleetcharge.csms.routing import StationRouter
from fleetcharge.db import unit_of_work

POLL_SECONDS = 2.0
# A stream ends after this long; the browser reconnects with the last event id.
STREAM_SECONDS = 300.0
KEEP_ALIVE_SECONDS = 15.0
RECONNECT_MS = 2000

T = TypeVar("T")


async def _in_thread(engine: Engine, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with unit_of_work(engine) as db:
            return work(db)

    return await anyio.to_thread.run_sync(run)


async def online_station_ids(router: StationRouter) -> set[int]:
    return {presence.station_id for presence in await router.connected()}


def parse_cursor(raw: str | None) -> int | None:
    """A Last-Event-ID of ours (a history id), else None: start from now."""
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


async def network_events(
    engine: Engine, router: StationRouter, after: int | None, closing: Callable[[], bool]
) -> AsyncIterator[str]:
    online = await online_station_ids(router)
    if after is None:
        changes = await _in_thread(engine, network_view.watch_changes)
    else:
        changes = Changes(after, set(), frozenset())
    yield f"retry: {RECONNECT_MS}\nid: {changes.cursor}\n\n"
    started = quiet_since = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS and not closing():
        now_online = await online_station_ids(router)
        since = partial(network_view.changes_since, after=changes.cursor, seen=changes.seen)
        changes = await _in_thread(engine, since)
        changed = changes.station_ids | (online ^ now_online)
        online = now_online
        if changed:
            states, counts = await _in_thread(
                engine, partial(_changed, online=now_online, ids=changed)
            )
            for state in states:
                yield _event("station", station_json(state))
            yield _event("counts", counts_json(counts), event_id=changes.cursor)
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= KEEP_ALIVE_SECONDS:
            yield ": still here\n\n"
            quiet_since = time.monotonic()
        await asyncio.sleep(POLL_SECONDS)


def _changed(
    db: Session, online: set[int], ids: set[int]
) -> tuple[list[StationState], NetworkCounts]:
    return network_view.station_states(db, online, sorted(ids)), network_view.network_counts(
        db, online
    )


def _event(kind: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def station_json(state: StationState) -> dict[str, Any]:
    return {
        "uuid": str(state.uuid),
        "online": state.online,
        "connectors": [
            {
                "number": c.number,
                "name": c.name,
                "status": c.status,
                "error_code": c.error_code,
                "since": local_datetime(c.status_at, state.timezone),
            }
            for c in state.connectors
        ],
    }


def counts_json(counts: NetworkCounts) -> dict[str, Any]:
    return {
        "stations": counts.stations,
        "online": counts.online,
        "offline": counts.offline,
        "statuses": counts.statuses,
    }
