"""What console forms share: body models filled from form fields, refusals shown next to
their field, and times typed in the organisation's zone."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.console.forms import (
    CHANGED_MEANWHILE,
    WHOLE_FORM,
    body,
    local_input,
    local_moment,
    refusal,
    version,
)
from fleetcharge.console.forms import given as filled
from fleetcharge.errors import Conflict, InvalidField, NotFound, PreconditionFailed
from fleetcharge.fleets.admin_schemas import VehicleCreate, VehicleUpdate

ZONES = ("Australia/Sydney", "Australia/Perth", "Australia/Adelaide", "Australia/Lord_Howe")
FLEET = "0b6f5c1e-2d4a-4f7b-8e19-6a2c3d4e5f60"


def test_blank_fields_are_left_out_cleared_or_sent_for_the_service_to_refuse() -> None:
    update = body(
        VehicleUpdate,
        filled(
            {"registration_number": "", "contract_number": "", "max_ac_power_kw": "7.4"},
            clear=("contract_number",),
        ),
    )
    assert update.model_fields_set == {"contract_number", "max_ac_power_kw"}
    assert update.contract_number is None and str(update.max_ac_power_kw) == "7.4"
    required = body(
        VehicleUpdate, filled({"registration_number": ""}, required=("registration_number",))
    )
    assert required.registration_number == ""  # the service refuses it with its own message
    with pytest.raises(InvalidField) as missing:
        body(VehicleCreate, {"fleet_uuid": FLEET, "vin": "1HGBH41JXMN109186"})
    assert missing.value.field == "registration_number"
    with pytest.raises(InvalidField) as bad_day:
        body(VehicleUpdate, {"effective_to": "2026-02-30"})
    assert bad_day.value.field == "effective_to"
    assert bad_day.value.message.startswith("effective_to: ")


def test_a_refusal_goes_next_to_the_field_it_names() -> None:
    assert refusal(InvalidField("bad", field="scopes[2]")) == {"scopes": "bad"}
    assert refusal(Conflict("taken", field="vin")) == {"vin": "taken"}
    assert refusal(PreconditionFailed("old")) == {WHOLE_FORM: CHANGED_MEANWHILE}
    with pytest.raises(NotFound):
        refusal(NotFound("no vehicle"))  # for the error page


def test_the_version_a_form_was_made_from() -> None:
    assert version("12") == 12
    assert version(" 12 ") == 12
    assert version("") is None
    assert version("-1") is None
    assert version("9" * 13) is None


def test_worked_examples_of_local_times() -> None:
    # Melbourne's summer (UTC+11) and winter (UTC+10); Perth has no daylight saving.
    summer = local_moment("2027-01-15T09:30", "Australia/Melbourne", "expires_at")
    assert summer == datetime(2027, 1, 14, 22, 30, tzinfo=UTC)
    winter = local_moment("2027-06-30T17:00", "Australia/Melbourne", "expires_at")
    assert winter == datetime(2027, 6, 30, 7, 0, tzinfo=UTC)
    assert local_input(winter, "Australia/Perth") == "2027-06-30T15:00"
    assert local_moment("", "Australia/Perth", "expires_at") is None
    assert local_input(None, "Australia/Perth") == ""
    with pytest.raises(InvalidField) as error:
        local_moment("30/06/2027 5pm", "Australia/Perth", "expires_at")
    assert error.value.field == "expires_at"


@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 366 * 30),
    timezone=st.sampled_from(ZONES),
)
def test_a_time_shown_in_a_form_reads_back_as_the_same_wall_time(
    minutes: int, timezone: str
) -> None:
    instant = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    shown = local_input(instant, timezone)
    read = local_moment(shown, timezone, "expires_at")
    assert read is not None
    assert local_input(read, timezone) == shown
    # The same instant, except in the hour a clock repeats when daylight saving ends: there
    # a wall time names two instants, and the first is taken.
    early = instant - read
    assert timedelta(0) <= early <= timedelta(hours=1)
    if early:
        assert read.replace(fold=1).astimezone(UTC) != read.astimezone(UTC)
