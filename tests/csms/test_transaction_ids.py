"""transactionIds reserved for an outage: never one the database hands out, nor one another
allocator (another process) holds, however reservations, takes and ordinary starts mix."""

import subprocess
import sys
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from fleetcharge.csms import service
from fleetcharge.csms.clock import ClockPolicy, StationTime
from fleetcharge.csms.schemas import StartRequest, StationRef
from fleetcharge.csms.transaction_ids import ReservedIds
from fleetcharge.db import make_engine, unit_of_work
from tests.csms.conftest import NOW, Network

OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["refill", "take", "start"]), st.integers(0, 1)),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS, sizes=st.tuples(st.integers(1, 5), st.integers(1, 5)))
def test_ids_are_unique_across_allocators_and_the_database(
    engine: Engine,
    database_url: str,
    network: Network,
    operations: list[tuple[str, int]],
    sizes: tuple[int, int],
) -> None:
    station = StationRef(network.station_id, network.identity, "Australia/Sydney")
    engines = [engine, make_engine(database_url)]  # as two processes connect
    allocators = [ReservedIds(e, size) for e, size in zip(engines, sizes, strict=True)]
    handed_out: list[int] = []  # by either allocator, or by the database itself
    try:
        for operation, who in operations:
            ids = allocators[who]
            if operation == "refill":
                before = len(ids)
                ids.refill()
                assert len(ids) == (before if before >= (ids.size + 1) // 2 else ids.size)
            elif operation == "take":
                taken = ids.take()
                if taken is not None:
                    handed_out.append(taken)
            else:
                with unit_of_work(engines[who]) as db:
                    moment = NOW + timedelta(seconds=len(handed_out))
                    request = StartRequest(1, f"T{len(handed_out)}", 0, StationTime(moment, moment))
                    result = service.start_transaction(db, station, request, NOW, ClockPolicy())
                handed_out.append(result.transaction_id)
        for ids in allocators:  # and what they still hold
            while (taken := ids.take()) is not None:
                handed_out.append(taken)
        assert len(handed_out) == len(set(handed_out))
    finally:
        engines[1].dispose()


RESERVE = """
import sys
from fleetcharge.csms.transaction_ids import ReservedIds
from fleetcharge.db import make_engine
ids = ReservedIds(make_engine(sys.argv[1]), 20)
for _ in range(30):
    ids.refill()
    while len(ids) > 5:
        print(ids.take())
"""


def test_processes_reserving_at_once_get_different_ids(database_url: str) -> None:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", RESERVE, database_url], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=60)[0].split() for child in children]
    assert all(child.returncode == 0 for child in children)
    first, second = ({int(n) for n in output} for output in outputs)
    assert len(first) == len(second) == 30 * 15
    assert not first & second
