"""An organisation's own rate limits: changes in the CLI's `endpoint=limit` form."""

import pytest

from fleetcharge.errors import InvalidField
from fleetcharge.organisations.service import rate_limit_changes


def test_assignments_as_changes() -> None:
    assert rate_limit_changes(["usage=5/Hour "]) == {"usage": "5/hour"}
    assert rate_limit_changes(["usage=5/hour", "usage=default"]) == {"usage": None}
    with pytest.raises(InvalidField, match="ENDPOINT=LIMIT"):
        rate_limit_changes(["usage"])
    with pytest.raises(InvalidField, match="invalid rate limit 'lots'") as raised:
        rate_limit_changes(["usage=lots", "usage=off"])
    assert raised.value.field == "rate_limits.usage"
