"""Operator commands across processes sharing one Redis.

A command for a station held by another process is published on that process's command
channel; it calls the station and publishes the outcome on the asking process's reply
channel. Every process subscribes to its two channels on one connection:
    {prefix}:ocpp:node:{node}:commands    {"id", "reply_to", "identity", "action", "payload"}
    {prefix}:ocpp:node:{node}:replies     {"id", "answer": {...}} or {"id", "error": {...}}
"""

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from fleetcharge.csms.commands import (
    COMMAND_ERRORS,
    Command,
    CommandAnswer,
    RoutingUnavailable,
    StationTimeout,
)
from fleetcharge.csms.presence import RETRY_SECONDS, SharedPresence
from fleetcharge.csms.registry import ConnectionRegistry, LiveConnection
from fleetcharge.csms.routing import InProcessRouter, Presence, not_connected
from fleetcharge.errors import DomainError

logger = logging.getLogger(__name__)

# Beyond the station's own timeout: the holding process answers with a timeout of its own
# first, unless it died meanwhile.
REPLY_MARGIN_SECONDS = 5.0
SUBSCRIBE_WAIT_SECONDS = 5.0


class RedisRouter(InProcessRouter):
    def __init__(
        self,
        registry: ConnectionRegistry,
        command_timeout: float,
        redis_url: str,
        prefix: str,
        refresh_seconds: float,
    ) -> None:
        super().__init__(registry, command_timeout)
        self.client = Redis.from_url(
            redis_url, decode_responses=True, socket_connect_timeout=5, socket_timeout=10
        )
        self.presence = SharedPresence(self.client, prefix, self.node, registry, refresh_seconds)
        self.prefix = prefix
        self._replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._subscribed = asyncio.Event()

    def channel(self, node: str, kind: str) -> str:
        return f"{self.prefix}:ocpp:node:{node}:{kind}"

    async def start(self) -> None:
        self._spawn(self._listen())
        # Subscribed before this process says it holds stations, so no command goes amiss;
        # without Redis the process still serves its own stations and keeps retrying.
        try:
            await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_WAIT_SECONDS)
        except TimeoutError:
            logger.warning("Redis unreachable: operator commands reach local stations only")
        self._spawn(self.presence.keep_published())

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self.presence.withdraw()
        except RedisError as error:
            logger.warning("could not remove this process from the station registry: %s", error)
        await self.client.aclose()

    def attached(self, live: LiveConnection) -> None:
        self.presence.attached(live)

    def detached(self, live: LiveConnection) -> None:
        self.presence.detached(live)

    async def connected(self) -> list[Presence]:
        try:
            everywhere = await self.presence.everywhere()
        except RedisError as error:
            raise RoutingUnavailable(
                f"the station registry (Redis) is unavailable: {error}"
            ) from None
        # This process's own stations as they are now (the shared copy may lag a little).
        here = {p.identity: p for p in await super().connected()}
        others = [p for p in everywhere if p.identity not in here and p.node != self.node]
        return [*here.values(), *others]

    async def elsewhere(self, identity: str) -> bool:
        try:
            return await self.presence.holder(identity) is not None
        except RedisError:
            return False  # unknown: the station's last word here stands

    async def send(self, identity: str, command: Command) -> CommandAnswer:
        live = self.local(identity)
        if live is not None:
            return await self.send_here(live, command)
        try:
            holder = await self.presence.holder(identity)
            if holder is None:
                raise not_connected(identity)
            return await self._send_to(holder.node, identity, command)
        except RedisError as error:
            raise RoutingUnavailable(
                f"cannot reach the station registry (Redis): {error}"
            ) from None

    async def _send_to(self, node: str, identity: str, command: Command) -> CommandAnswer:
        request_id = uuid.uuid4().hex
        request = {
            "id": request_id,
            "reply_to": self.node,
            "identity": identity,
            "action": command.action,
            "payload": command.payload,
        }
        reply = self._replies[request_id] = asyncio.get_running_loop().create_future()
        try:
            receivers = await self.client.publish(
                self.channel(node, "commands"), json.dumps(request)
            )
            if receivers == 0:  # the process is gone; its entry has not expired yet
                raise not_connected(identity)
            timeout = self.command_timeout + REPLY_MARGIN_SECONDS
            try:
                outcome = await asyncio.wait_for(reply, timeout)
            except TimeoutError:
                raise StationTimeout(
                    f"no answer from the process holding charge station {identity!r}"
                ) from None
        finally:
            self._replies.pop(request_id, None)
        error = outcome.get("error")
        if error is not None:
            raise COMMAND_ERRORS.get(error["code"], DomainError)(error["message"])
        answer = outcome["answer"]
        return CommandAnswer(
            identity, command.action, answer["status"], answer["node"], answer["answer"]
        )

    async def _listen(self) -> None:
        """Subscribe to this process's channels and dispatch what arrives; resubscribe
        after a Redis outage."""
        commands, replies = self.channel(self.node, "commands"), self.channel(self.node, "replies")
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(commands, replies)
                self._subscribed.set()
                await self._dispatch(pubsub, commands)
            except RedisError as error:
                logger.warning("Redis subscription lost, retrying: %s", error)
            except Exception:
                logger.exception("operator command channel failed, resubscribing")
            finally:
                self._subscribed.clear()
                with contextlib.suppress(RedisError):
                    await pubsub.aclose()
            await asyncio.sleep(RETRY_SECONDS)

    async def _dispatch(self, pubsub: PubSub, commands: str) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None:
                continue
            try:
                data = json.loads(message["data"])
            except (TypeError, ValueError):
                logger.warning("ignored a malformed message on %s", message.get("channel"))
                continue
            if message["channel"] == commands:
                self._spawn(self._serve_command(data))
            else:
                waiting = self._replies.get(str(data.get("id")))
                if waiting is not None and not waiting.done():
                    waiting.set_result(data)

    async def _serve_command(self, request: dict[str, Any]) -> None:
        """Another process asks for a command to a station of ours."""
        reply: dict[str, Any] = {"id": request.get("id")}
        try:
            live = self.local(request["identity"])
            if live is None:
                raise not_connected(request["identity"])
            command = Command(request["action"], request["payload"])
            answer = await self.send_here(live, command)
            reply["answer"] = {
                "status": answer.status,
                "node": answer.node,
                "answer": answer.answer,
            }
        except DomainError as error:
            reply["error"] = {"code": error.code, "message": error.message}
        except (KeyError, TypeError, ValueError) as error:
            reply["error"] = {"code": "bad_request", "message": f"malformed command: {error}"}
        try:
            channel = self.channel(str(request.get("reply_to")), "replies")
            await self.client.publish(channel, json.dumps(reply))
        except RedisError as error:
            logger.warning("could not send a command's answer back: %s", error)

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
