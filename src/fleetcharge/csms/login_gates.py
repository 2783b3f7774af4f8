"""Logins checked a few at a time per address and per station identity, in each process: a
flood of concurrent guesses waits in line, each seeing the failures recorded before it,
instead of all passing the throttle before the first failure counts. Two at a time: as many
as password hashes run at once anyway. A refused login leaves its line at once, so however
many guessers queue for a station, the station itself waits at most for the guesses still
free at it (login_throttle), then for a hash or two. With several processes, each lets two
through."""

from dataclasses import dataclass, field

import anyio

CHECKS_AT_ONCE = 2


@dataclass
class _Gate:
    checks: anyio.Semaphore = field(default_factory=lambda: anyio.Semaphore(CHECKS_AT_ONCE))
    users: int = 0  # holding or waiting


class CheckGates:
    """Each task holds the gates of one login at most (keys taken in the order given)."""

    def __init__(self) -> None:
        self._gates: dict[str, _Gate] = {}
        self._held: dict[int, list[str]] = {}  # task -> keys

    def __len__(self) -> int:
        return len(self._gates)

    async def enter(self, keys: list[str]) -> None:
        self.leave()
        task = anyio.get_current_task().id
        held = self._held[task] = []
        for key in keys:
            gate = self._gates.setdefault(key, _Gate())
            gate.users += 1
            try:
                await gate.checks.acquire()
            except BaseException:  # cancelled in line
                self._left(key, gate)
                self.leave()
                raise
            held.append(key)

    def leave(self) -> None:
        """Release what the current task holds (nothing: no change)."""
        for key in self._held.pop(anyio.get_current_task().id, ()):
            gate = self._gates[key]
            gate.checks.release()
            self._left(key, gate)

    def _left(self, key: str, gate: _Gate) -> None:
        gate.users -= 1
        if not gate.users:
            del self._gates[key]
