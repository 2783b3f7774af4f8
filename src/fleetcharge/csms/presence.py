"""The shared station registry in Redis: which process holds which station's socket.

Keys (under the configured prefix):
    {prefix}:ocpp:nodes                  sorted set: process id -> Unix time it expires
    {prefix}:ocpp:node:{node}:stations   hash: station identity -> JSON Presence

Each process writes only its own hash. Connects and disconnects are written at once;
last_seen is written at most every `refresh` seconds, for the stations heard from since,
in one round trip however many stations there are (never one per heartbeat). The same
round trip renews the process: its hash expires, and readers ignore it, three periods
after a process dies without saying goodbye.
"""

import asyncio
import contextlib
import json
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from fleetcharge.csms.registry import ConnectionRegistry, LiveConnection
from fleetcharge.csms.routing import Presence

logger = logging.getLogger(__name__)

MISSED_REFRESHES = 3
RETRY_SECONDS = 1.0
# Everything is rewritten this often anyway, should Redis have lost or evicted the hash.
REWRITE_ALL_SECONDS = 300.0


class SharedPresence:
    def __init__(
        self,
        client: Redis,
        prefix: str,
        node: str,
        registry: ConnectionRegistry,
        refresh_seconds: float,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.node = node
        self.registry = registry
        self.refresh_seconds = refresh_seconds
        self.ttl_seconds = max(1, round(refresh_seconds * MISSED_REFRESHES))
        self.nodes_key = f"{prefix}:ocpp:nodes"
        # identity -> its live connection to write, or None to delete; since the last write.
        self._pending: dict[str, LiveConnection | None] = {}
        self._wake = asyncio.Event()
        self._wake.set()  # announce this process at once
        self._written_at = 0.0
        self._rewritten_at = 0.0
        self._rewrite_all = True  # first write, and after Redis was unreachable

    def stations_key(self, node: str) -> str:
        return f"{self.prefix}:ocpp:node:{node}:stations"

    def attached(self, live: LiveConnection) -> None:
        self._pending[live.identity] = live
        self._wake.set()

    def detached(self, live: LiveConnection) -> None:
        self._pending[live.identity] = None
        self._wake.set()

    async def keep_published(self) -> None:
        """Write changes as they come, and refresh every period; forever."""
        healthy = True
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.refresh_seconds):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.publish()
            except RedisError as error:
                if healthy:
                    logger.warning("cannot update the station registry in Redis: %s", error)
                healthy = False
                self._rewrite_all = True
                await asyncio.sleep(RETRY_SECONDS)
                self._wake.set()
                continue
            if not healthy:
                logger.info("the station registry in Redis is up to date again")
            healthy = True

    async def publish(self) -> None:
        started = time.time()
        key = self.stations_key(self.node)
        pending, self._pending = self._pending, {}
        rewrite_all = (
            self._rewrite_all
            # The hash may have expired (this process stalled) or been lost.
            or started - self._written_at >= self.ttl_seconds
            or started - self._rewritten_at >= REWRITE_ALL_SECONDS
        )
        self._rewrite_all = False
        if rewrite_all:
            current = {live.identity: live for live in self.registry}
            removed: list[str] = []
        else:
            current = {
                live.identity: live for live in self.registry if live.last_seen >= self._written_at
            }
            current.update({identity: live for identity, live in pending.items() if live})
            removed = [identity for identity, live in pending.items() if live is None]
            removed = [identity for identity in removed if identity not in current]
        # One transaction: readers never see the hash half rewritten.
        pipe = self.client.pipeline(transaction=True)
        if rewrite_all:
            pipe.delete(key)
        if removed:
            pipe.hdel(key, *removed)
        if current:
            entries = {
                identity: json.dumps(Presence.of(live, self.node).to_json())
                for identity, live in current.items()
            }
            pipe.hset(key, mapping=entries)  # type: ignore[arg-type]
        pipe.expire(key, self.ttl_seconds)
        pipe.zadd(self.nodes_key, {self.node: started + self.ttl_seconds})
        pipe.zremrangebyscore(self.nodes_key, "-inf", started)
        try:
            await pipe.execute()
        except BaseException:
            # Written again next time (a newer state of a station wins over this one).
            self._pending = {**pending, **self._pending}
            raise
        self._written_at = started
        if rewrite_all:
            self._rewritten_at = started

    async def withdraw(self) -> None:
        """This process is going away: forget it and its stations."""
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(self.stations_key(self.node))
        pipe.zrem(self.nodes_key, self.node)
        await pipe.execute()

    async def live_nodes(self) -> list[str]:
        nodes = await self.client.zrangebyscore(self.nodes_key, time.time(), "+inf")
        return [str(node) for node in nodes]

    async def everywhere(self) -> list[Presence]:
        """The stations connected to any live process; a station found on two (it has just
        moved) is where it connected last."""
        nodes = await self.live_nodes()
        pipe = self.client.pipeline(transaction=False)
        for node in nodes:
            pipe.hgetall(self.stations_key(node))
        found: dict[str, Presence] = {}
        for entries in await pipe.execute():
            for identity, text in entries.items():
                presence = Presence.from_json(str(identity), json.loads(text))
                known = found.get(presence.identity)
                if known is None or presence.connected_since > known.connected_since:
                    found[presence.identity] = presence
        return list(found.values())

    async def holder(self, identity: str) -> Presence | None:
        """Where the station is connected, if anywhere else than here."""
        nodes = [node for node in await self.live_nodes() if node != self.node]
        if not nodes:
            return None
        pipe = self.client.pipeline(transaction=False)
        for node in nodes:
            pipe.hget(self.stations_key(node), identity)
        found = [
            Presence.from_json(identity, json.loads(text))
            for text in await pipe.execute()
            if text is not None
        ]
        return max(found, key=lambda p: p.connected_since, default=None)
