"""station.online and station.offline for the site host (fleetcharge.webhooks): online when a
station's connection opens, unless it replaces one still open here; offline when it closes,
unless the station is connected again meanwhile, here or (with Redis) to another process.

Presence is not stored in the database, so each event is written in a transaction of its
own, off the event loop. A process killed without closing its sockets tells nothing: the
stations reconnect elsewhere, and that process's last word on them stands.
"""

import logging
from datetime import datetime

import anyio
import anyio.to_thread
from sqlalchemy import Engine

from fleetcharge.csms.routing import StationRouter
from fleetcharge.db import unit_of_work
from fleetcharge.webhooks import emitters

logger = logging.getLogger(__name__)


class PresenceEvents:
    def __init__(self, engine: Engine, router: StationRouter) -> None:
        self.engine = engine
        self.router = router

    async def online(self, station_id: int, at: datetime) -> None:
        await self._write(station_id, True, at)

    async def offline(self, identity: str, station_id: int, at: datetime) -> None:
        with anyio.CancelScope(shield=True):
            if await self.router.elsewhere(identity):
                return
        await self._write(station_id, False, at)

    async def _write(self, station_id: int, online: bool, at: datetime) -> None:
        # Shielded: a connection closing because the server stops still says so.
        with anyio.CancelScope(shield=True):
            try:
                await anyio.to_thread.run_sync(self._store, station_id, online, at)
            except Exception:
                state = "online" if online else "offline"
                logger.exception("could not record station %s %s for webhooks", station_id, state)

    def _store(self, station_id: int, online: bool, at: datetime) -> None:
        with unit_of_work(self.engine) as db:
            emitters.station_presence(db, station_id, online, at)
