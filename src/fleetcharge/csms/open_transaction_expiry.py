"""The periodic sweep that settles transactions nothing was heard of for too long
(FLEETCHARGE_OCPP_OPEN_TRANSACTION_EXPIRY_HOURS; 0: never), in every serving process.

Each process sweeps every SWEEP_SECONDS: what it settles is settled once however many
processes sweep at the same time (fleetcharge.csms.settling). A failed sweep (the database
away) is logged and tried again next time; the count settled is the metric
fleetcharge_ocpp_transactions_settled_total{why="expiry"}.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import Engine

from fleetcharge.csms import settling
from fleetcharge.csms.periodic import Periodic
from fleetcharge.db import unit_of_work

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 300.0
BATCH = 100


class OpenTransactionExpiry:
    def __init__(
        self,
        engine: Engine,
        expiry: timedelta | None,
        now: Callable[[], datetime],
        interval_s: float = SWEEP_SECONDS,
    ) -> None:
        self.engine = engine
        self.expiry = expiry
        self.now = now
        self.sweeps = Periodic(
            interval_s if expiry is not None else 0,
            lambda: anyio.to_thread.run_sync(self.sweep),
            "the sweep of expired open transactions failed",
        )

    def start(self) -> None:
        self.sweeps.start()

    async def stop(self) -> None:
        await self.sweeps.stop()

    def sweep(self) -> int:
        """Settle every transaction expired now, a batch per unit of work; how many."""
        if self.expiry is None:
            return 0
        now, settled = self.now(), 0
        after: settling.Key | None = None
        while True:
            with unit_of_work(self.engine) as db:
                swept = settling.expire_open(db, now, self.expiry, after, BATCH)
            settled, after = settled + swept.settled, swept.after
            if after is None:
                break
        if settled:
            logger.info("settled %d transactions with no news for %s", settled, self.expiry)
        return settled
