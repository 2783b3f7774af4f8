"""The catalogue of standard configuration keys and its value checks: every value a check
lets through is one of the key's type, normalised, and checked again the same; every value
it refuses is not."""

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.configuration.catalogue import (
    KEYS,
    MAX_VALUE_LENGTH,
    KeyType,
    Profile,
    check_value,
    is_write_only,
    spec,
)

WRITABLE = sorted(name for name, known in KEYS.items() if not known.readonly)
BOOLEANS = [name for name in WRITABLE if KEYS[name].type is KeyType.BOOLEAN]
INTEGERS = [name for name in WRITABLE if KEYS[name].type is KeyType.INTEGER]
LISTS = [name for name in WRITABLE if KEYS[name].type is KeyType.CSL and KEYS[name].members]


def test_the_catalogue_holds_each_profiles_keys() -> None:
    assert len(KEYS) >= 50
    assert {known.profile for known in KEYS.values()} == set(Profile)
    assert spec("HeartbeatInterval") == KEYS["HeartbeatInterval"]
    assert KEYS["HeartbeatInterval"].unit == "seconds"
    assert KEYS["NumberOfConnectors"].readonly
    assert KEYS["LocalAuthListMaxLength"].profile is Profile.LOCAL_AUTH_LIST
    assert KEYS["ChargeProfileMaxStackLevel"].profile is Profile.SMART_CHARGING
    assert KEYS["ReserveConnectorZeroSupported"].profile is Profile.RESERVATION
    assert is_write_only("AuthorizationKey") and not is_write_only("CpoName")
    assert [name for name in KEYS if is_write_only(name)] == ["AuthorizationKey"]
    assert spec("VendorSpecific") is None
    # Keys are case-insensitive: a secret is one whatever its case.
    assert spec("heartbeatinterval") == KEYS["HeartbeatInterval"]
    assert is_write_only("AUTHORIZATIONKEY")
    with pytest.raises(ValueError, match="read-only"):
        check_value("numberOfConnectors", "3")


@given(st.sampled_from(BOOLEANS), st.sampled_from(["true", "false", "TRUE", "False"]))
def test_booleans_are_true_or_false_in_lower_case(key: str, value: str) -> None:
    assert check_value(key, value) == value.lower()


@given(st.sampled_from(BOOLEANS), st.text(max_size=8))
def test_anything_else_is_no_boolean(key: str, value: str) -> None:
    if value.lower() in ("true", "false"):
        return
    with pytest.raises(ValueError, match="boolean"):
        check_value(key, value)


@given(st.sampled_from(INTEGERS), st.integers(-(10**12), 10**12))
def test_integers_within_their_bounds_pass_normalised(key: str, number: int) -> None:
    known = KEYS[key]
    low = known.minimum if known.minimum is not None else -(10**13)
    high = known.maximum if known.maximum is not None else 10**13
    if low <= number <= high:
        assert check_value(key, f" {number} ") == str(number)
        assert check_value(key, str(number)) == str(number)
    else:
        with pytest.raises(ValueError, match=key):
            check_value(key, str(number))


@given(st.sampled_from(INTEGERS), st.text(alphabet=string.printable, min_size=1, max_size=6))
def test_text_is_no_integer(key: str, value: str) -> None:
    if re.fullmatch(r"-?[0-9]+", value.strip()):
        return
    with pytest.raises(ValueError, match="integer"):
        check_value(key, value)


@given(st.sampled_from(LISTS), st.data())
def test_lists_hold_only_their_members(key: str, data: st.DataObject) -> None:
    members = sorted(KEYS[key].members or ())
    chosen = data.draw(st.lists(st.sampled_from(members), min_size=1, max_size=5))
    assert check_value(key, " , ".join(chosen)) == ",".join(chosen)
    stranger = data.draw(st.text(alphabet=string.ascii_letters, min_size=1, max_size=10))
    if stranger not in members:
        with pytest.raises(ValueError, match="cannot hold"):
            check_value(key, ",".join([*chosen, stranger]))


@given(st.binary(min_size=16, max_size=40))
def test_the_authorization_key_is_16_to_40_bytes_in_hex(secret: bytes) -> None:
    assert check_value("AuthorizationKey", secret.hex()) == secret.hex()
    with pytest.raises(ValueError):
        check_value("AuthorizationKey", secret.hex()[:-1])  # half a byte
    with pytest.raises(ValueError):
        check_value("AuthorizationKey", secret.hex()[:30])  # 15 bytes


@given(st.text(max_size=MAX_VALUE_LENGTH))
def test_a_vendor_key_takes_any_value_of_its_length(value: str) -> None:
    assert check_value("VendorKey", value) == value


def test_read_only_keys_and_long_values_are_refused() -> None:
    for odd in ("--5", "1e3", "٣", "9" * 19):
        with pytest.raises(ValueError, match="HeartbeatInterval is an integer"):
            check_value("HeartbeatInterval", odd)
    with pytest.raises(ValueError, match="read-only"):
        check_value("NumberOfConnectors", "2")
    with pytest.raises(ValueError, match="at most 500"):
        check_value("VendorKey", "x" * (MAX_VALUE_LENGTH + 1))
