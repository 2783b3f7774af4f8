"""Refused station handshakes, logged so that a flood cannot write a line each: of each kind
(the HTTP status) the first few of a minute are logged as they come, the others counted, and
the count logged with the next refusal of that kind after the minute."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LINES_PER_WINDOW = 10
WINDOW_S = 60.0


@dataclass
class _Window:
    start: float
    logged: int = 0
    unlogged: int = 0


@dataclass
class RefusalLog:
    logger: logging.Logger
    clock: Callable[[], float] = time.monotonic
    _windows: dict[int, _Window] = field(default_factory=dict)

    def warning(self, status: int, message: str, *args: object) -> None:
        now = self.clock()
        window = self._windows.get(status)
        if window is None or now - window.start >= WINDOW_S:
            if window is not None and window.unlogged:
                self.logger.warning(
                    "%d more handshakes refused with %d in %.0f s (not logged one by one)",
                    window.unlogged,
                    status,
                    now - window.start,
                )
            window = self._windows[status] = _Window(now)
        if window.logged < LINES_PER_WINDOW:
            window.logged += 1
            self.logger.warning(message, *args)
            if window.logged == LINES_PER_WINDOW:
                self.logger.warning(
                    "further handshakes refused with %d are counted, not logged, for %.0f s",
                    status,
                    WINDOW_S - (now - window.start),
                )
        else:
            window.unlogged += 1
