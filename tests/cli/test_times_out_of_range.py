"""Times past what UTC can hold are one-line errors naming the option, never an overflow."""

import pytest
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from tests import factories as f
from tests.cli.conftest import Cli

BEYOND = "9999-12-31T23:00:00-14:00"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["audit", "list", "--since", BEYOND], "--since: since must be between 1970 and 9998"),
        (
            ["cards", "create", "T-1", "--expires", BEYOND],
            "--expires must be between 1970 and 9998",
        ),
        (
            ["tariffs", "quote", "{tariff}", "--start", BEYOND, "--kwh", "1", "--minutes", "5"],
            "start must be between 1970 and 9998",
        ),
    ],
)
def test_a_time_past_utc_is_refused(
    cli: Cli, engine: Engine, args: list[str], expected: str
) -> None:
    with unit_of_work(engine) as db:
        tariff = str(f.tariff(db).uuid)
    result = cli(*[arg.replace("{tariff}", tariff) for arg in args])
    assert result.exit_code == 2, result.output
    assert expected in result.output.replace("\n", " ") and "Traceback" not in result.output
