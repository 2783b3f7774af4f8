"""Each wire format's SQL form gives what its Python form gives, byte for byte in JSON."""

from datetime import UTC, datetime
from decimal import Decimal

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    DateTime,
    Engine,
    Integer,
    Numeric,
    Text,
    bindparam,
    func,
    literal_column,
    select,
)

from fleetcharge.kit.formats import LOCAL_ISO, NUMBER, TEXT, WHOLE_MINUTES_IN_SECONDS

# Offsets east and west, in half and quarter hours, with and without daylight saving.
ZONES = [
    "UTC",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Australia/Eucla",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/St_Johns",
    "America/Los_Angeles",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
# Offsets with seconds (local mean time before 1900) render differently; none are that old.
INSTANTS = st.datetimes(datetime(1970, 1, 1), datetime(2037, 12, 31), timezones=st.just(UTC))
AMOUNTS = st.decimals(min_value=-(10**11), max_value=10**11, places=4, allow_nan=False)


def _json_of_sql(engine: Engine, expression: object, values: dict[str, object]) -> bytes:
    """`expression` as PostgreSQL writes it into a JSON document, re-serialised."""
    document = func.json_build_object(literal_column("'v'"), expression)
    with engine.connect() as connection:
        text = connection.scalar(select(func.cast(document, Text)), values)
    assert text is not None
    return orjson.dumps(orjson.loads(text))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    instant=INSTANTS,
    timezone=st.sampled_from(ZONES),
    amount=AMOUNTS,
    seconds=st.integers(0, 10**7),
)
def test_the_sql_forms_equal_the_python_forms(
    engine: Engine, instant: datetime, timezone: str, amount: Decimal, seconds: int
) -> None:
    at = bindparam("at", type_=DateTime(timezone=True))
    zone = bindparam("zone", type_=Text())
    cases = [
        (LOCAL_ISO, (at, zone), (instant, timezone)),
        (NUMBER, (bindparam("amount", type_=Numeric()),), (amount,)),
        (WHOLE_MINUTES_IN_SECONDS, (bindparam("seconds", type_=Integer()),), (seconds,)),
        (TEXT, (bindparam("seconds", type_=Integer()),), (seconds,)),
    ]
    values = {"at": instant, "zone": timezone, "amount": amount, "seconds": seconds}
    for rule, columns, arguments in cases:
        expected = orjson.dumps({"v": rule.python(*arguments)})
        assert _json_of_sql(engine, rule.sql(*columns), values) == expected, rule
