"""transactionIds for StartTransactions answered while the database is unavailable.

Each process reserves a block of ids from the sequence the database numbers transactions
with (which then never hands them out, to this process or another), before it needs them
and again whenever the block runs low; during an outage an id is taken from it without a
round trip. Ids are never reused: those a process has not used when it stops stay a gap.
"""

import threading
from collections import deque

from sqlalchemy import Engine

from fleetcharge.csms import repository
from fleetcharge.db import unit_of_work


class ReservedIds:
    def __init__(self, engine: Engine, size: int) -> None:
        self.engine = engine
        self.size = size  # 0: none reserved (StartTransaction then fails during an outage)
        self._ids: deque[int] = deque()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def low(self) -> bool:
        return len(self._ids) < (self.size + 1) // 2

    def take(self) -> int | None:
        with self._lock:
            return self._ids.popleft() if self._ids else None

    def refill(self) -> None:
        """Reserve up to `size` ids, when half or more are used (one round trip; raises what
        the database raised)."""
        if not self.low:
            return
        with unit_of_work(self.engine) as db:
            ids = repository.reserve_transaction_ids(db, self.size - len(self._ids))
        with self._lock:
            self._ids.extend(ids)
