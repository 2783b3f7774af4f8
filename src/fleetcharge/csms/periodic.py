"""Work a serving process repeats in the background: a round every `interval_s` seconds
until stopped. A round that fails is logged and the next one runs all the same (the
database may be back by then)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class Periodic:
    def __init__(
        self, interval_s: float, round: Callable[[], Awaitable[object]], failure: str
    ) -> None:
        self.interval_s = interval_s  # 0 or less: never
        self.round = round
        self.failure = failure  # logged, with the exception, when a round fails
        # By event loop: tests serve one application from two loops at once (a test client
        # and a real server), each starting and stopping its own rounds.
        self._tasks: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.interval_s > 0 and loop not in self._tasks:
            self._tasks[loop] = loop.create_task(self._repeat())

    async def stop(self) -> None:
        task = self._tasks.pop(asyncio.get_running_loop(), None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _repeat(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.round()
            except Exception:
                logger.exception(self.failure)
