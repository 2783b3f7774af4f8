"""MeterValues stored in shared transactions: everything stored, each answer after its own
commit, and one failing message failing alone."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from fleetcharge.csms import meter_writer, service
from fleetcharge.csms.clock import ClockPolicy, StationTime
from fleetcharge.csms.copy_connections import CopyConnections
from fleetcharge.csms.meter_writer import MeterValuesWriter
from fleetcharge.csms.readings import ENERGY_REGISTER, Reading
from fleetcharge.csms.schemas import MeterValuesRequest, StartRequest, StationRef
from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppMeterValue, OcppTransaction
from tests import factories as f

NOW = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)
STATIONS = 5


def reading(wh: int, at: datetime) -> Reading:
    return Reading(
        reported_at=at,
        sampled_at=at,
        measurand=ENERGY_REGISTER,
        phase=None,
        unit="Wh",
        context="Sample.Periodic",
        location="Outlet",
        value_format=None,
        value_raw=str(wh),
        value=Decimal(wh) / 1000,
        normalised_unit="kWh",
    )


def open_transactions(engine: Engine) -> list[tuple[StationRef, int]]:
    """STATIONS stations at one site, each with a transaction open on connector 1."""
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        tariff = f.tariff(db)
        site = f.site(db, host, t=tariff)
        stations = [site.station] + [
            f.station(db, site.location, f"MW{n}", tariff)[0] for n in range(1, STATIONS)
        ]
        refs = [StationRef(s.id, s.ocpp_identity, site.location.timezone) for s in stations]
    opened = []
    for n, ref in enumerate(refs):
        with unit_of_work(engine) as db:
            start = StartRequest(1, f"UNKNOWN{n}", 0, StationTime(NOW, NOW))
            result = service.start_transaction(db, ref, start, NOW, ClockPolicy())
        opened.append((ref, result.transaction_id))
    return opened


def request(transaction_id: int | None, wh: int, at: datetime) -> MeterValuesRequest:
    return MeterValuesRequest(1, (reading(wh, at),), transaction_id)


def stored(engine: Engine) -> list[tuple[int | None, Decimal | None]]:
    with unit_of_work(engine) as db:
        rows = db.execute(
            select(OcppMeterValue.transaction_id, OcppMeterValue.value).order_by(
                OcppMeterValue.transaction_id, OcppMeterValue.value
            )
        )
        return [(t, v) for t, v in rows]


def test_concurrent_messages_share_batches_and_are_all_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_transactions(engine)
    batches: list[int] = []
    writer = MeterValuesWriter(engine)
    original = writer._write

    def counting(batch: list[Any]) -> list[BaseException | None]:
        batches.append(len(batch))
        return original(batch)

    monkeypatch.setattr(writer, "_write", counting)

    async def stations_sending() -> None:
        async def one_station(ref: StationRef, transaction_id: int) -> None:
            for n in range(1, 4):
                at = NOW + timedelta(minutes=n)
                await writer.store(ref, request(transaction_id, n * 1000, at), at)

        await asyncio.gather(*(one_station(ref, tx) for ref, tx in opened))

    asyncio.run(asyncio.wait_for(stations_sending(), 30))
    assert sum(batches) == STATIONS * 3
    assert max(batches) > 1  # stations waiting at the same time shared a transaction
    assert stored(engine) == sorted((tx, Decimal(n)) for _, tx in opened for n in range(1, 4))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_known_transactions_are_copied_and_a_failed_copy_is_stored_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_transactions(engine)
    in_session: list[int] = []
    original = service.meter_values_batch

    def counting(db: Any, messages: Sequence[Any], owners: dict[int, int]) -> None:
        in_session.append(len(messages))
        original(db, messages, owners)

    monkeypatch.setattr(meter_writer.service, "meter_values_batch", counting)
    writer = MeterValuesWriter(engine)
    copies = 0
    copy = CopyConnections.copy

    def failing_every_other_copy(self: CopyConnections, rows: Any) -> None:
        nonlocal copies
        copies += 1
        if copies % 2 == 0:
            raise RuntimeError("the connection broke")
        copy(self, rows)

    monkeypatch.setattr(CopyConnections, "copy", failing_every_other_copy)

    async def send(n: int) -> None:
        at = NOW + timedelta(minutes=n)
        await asyncio.gather(
            *(writer.store(ref, request(tx, n * 1000, at), at) for ref, tx in opened)
        )

    async def rounds() -> None:
        for n in range(1, 5):
            await send(n)

    try:
        asyncio.run(asyncio.wait_for(rounds(), 30))
    finally:
        writer.close()
    # The first round learns whose transactions they are; later rounds are copied, and the
    # copies that failed went through the session instead.
    assert copies == 3
    assert sum(in_session) == STATIONS * 2
    assert stored(engine) == sorted((tx, Decimal(n)) for _, tx in opened for n in range(1, 5))


def test_a_message_naming_no_transaction_of_its_station_is_reattached_in_a_batch(
    engine: Engine,
) -> None:
    (first, first_tx), (second, second_tx), *_ = open_transactions(engine)
    writer = MeterValuesWriter(engine)
    at = NOW + timedelta(minutes=5)

    async def together() -> None:
        await asyncio.gather(
            writer.store(first, request(first_tx, 2000, at), at),
            writer.store(second, request(first_tx, 3000, at), at),  # another station's id
            writer.store(second, request(None, 4000, at), at),
        )

    asyncio.run(asyncio.wait_for(together(), 30))
    assert stored(engine) == sorted(
        [(first_tx, Decimal(2)), (second_tx, Decimal(3)), (second_tx, Decimal(4))]
    )
    with unit_of_work(engine) as db:
        flags = db.scalar(select(OcppTransaction.flags).where(OcppTransaction.id == second_tx))
    assert flags == ["reattached_meter_values", "refused_start", "unknown_id_tag"]


def test_a_failing_message_fails_alone(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_transactions(engine)
    bad_tx = opened[0][1]
    original = service.meter_values

    def failing_batch(db: Any, messages: Sequence[Any], owners: dict[int, int]) -> None:
        raise RuntimeError("a batch that cannot be stored")

    def failing_one(db: Any, station: StationRef, req: MeterValuesRequest, at: datetime) -> None:
        if req.transaction_id == bad_tx:
            raise RuntimeError("this message cannot be stored")
        original(db, station, req, at)

    monkeypatch.setattr(meter_writer.service, "meter_values_batch", failing_batch)
    monkeypatch.setattr(meter_writer.service, "meter_values", failing_one)
    writer = MeterValuesWriter(engine)

    async def everyone() -> list[BaseException | None]:
        return await asyncio.gather(
            *(writer.store(ref, request(tx, 1000, NOW), NOW) for ref, tx in opened),
            return_exceptions=True,
        )

    outcomes = asyncio.run(asyncio.wait_for(everyone(), 30))
    assert isinstance(outcomes[0], RuntimeError)
    assert outcomes[1:] == [None] * (STATIONS - 1)
    with unit_of_work(engine) as db:
        count = db.scalar(select(func.count()).select_from(OcppMeterValue))
    assert count == STATIONS - 1
