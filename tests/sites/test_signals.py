"""sites.signals, and changes announced only once committed."""

from decimal import Decimal

import pytest
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import Location
from fleetcharge.permissions import Actor
from fleetcharge.sites import service, signals
from tests import factories as f


def test_subscribers_hear_every_change_and_a_failing_one_does_not_stop_the_others() -> None:
    heard: list[int] = []

    def broken(location_id: int) -> None:
        raise RuntimeError("boom")

    off_broken = signals.subscribe(broken)
    off = signals.subscribe(heard.append)
    try:
        signals.site_changed(7)
        signals.site_changed(8)
    finally:
        off_broken()
        off()
    signals.site_changed(9)
    assert heard == [7, 8]


def test_a_change_is_announced_once_committed_and_not_if_rolled_back(engine: Engine) -> None:
    heard: list[int] = []
    off = signals.subscribe(heard.append)
    try:
        with unit_of_work(engine) as db:
            location = f.site(db, f.organisation(db)).location
            location_id = location.id
            service.set_limit(db, Actor.command_line(), location, Decimal(100))
            service.set_limit(db, Actor.command_line(), location, Decimal(120))
            assert heard == []
        assert heard == [location_id]
        with pytest.raises(RuntimeError), unit_of_work(engine) as db:
            again = db.get(Location, location_id)
            assert again is not None
            service.clear_limit(db, Actor.command_line(), again)
            raise RuntimeError("rolled back")
        assert heard == [location_id]
    finally:
        off()
