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
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval_s > 0 and self._task is None:
            self._task = asyncio.create_task(self._repeat())

    async def stop(self) -> None:
        task, self._task = self._task, None
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
