"""An in-process hook: a list of callbacks that `publish` calls in turn, so that whoever
announces something does not know who listens. A callback that raises is logged and does not
stop the others or the announcer."""

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Hook(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[Callable[[T], None]] = []

    def subscribe(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Call `callback` with everything published from now on; returns the unsubscribe."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, value: T) -> None:
        for callback in list(self._subscribers):
            try:
                callback(value)
            except Exception:
                logger.exception("a subscriber of %s failed on %r", self.name, value)
