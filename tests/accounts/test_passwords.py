"""Password hashes (argon2id) and the policy a new password meets."""

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.accounts.passwords import (
    check_password,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from fleetcharge.errors import InvalidField


def test_a_hash_is_argon2id_salted_and_checks_only_its_password() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$")
    assert first != second  # salted
    assert verify_password(first, "correct horse battery")
    assert not verify_password(first, "correct horse batterY")
    assert not verify_password(None, "correct horse battery")
    assert not verify_password("not a hash", "correct horse battery")
    assert not needs_rehash(first)


def test_a_hash_with_weaker_parameters_needs_rehashing() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    assert verify_password(weak, "correct horse battery")
    assert needs_rehash(weak)
    assert needs_rehash("garbage")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "12 to 1,024 characters, got 10"),
        ("x" * 1025, "12 to 1,024 characters, got 1,025"),
        ("aaaaaaaaaaaaaaaa", "one character repeated"),
        ("Ann@Acme.example", "must not be the email"),
    ],
)
def test_the_policy_names_the_password_field(password: str, message: str) -> None:
    with pytest.raises(InvalidField) as raised:
        check_password(password, "ann@acme.example")
    assert raised.value.field == "password"
    assert message in raised.value.message


@given(st.text(min_size=12, max_size=40).filter(lambda p: len(set(p)) > 1))
def test_any_long_enough_varied_password_passes(password: str) -> None:
    assert check_password(password, "someone.else@acme.example") == password


def test_generated_passwords_pass_the_policy_and_differ() -> None:
    generated = {generate_password() for _ in range(20)}
    assert len(generated) == 20
    for password in generated:
        assert check_password(password, None) == password
