"""Token secrets: their shape, their stored hash, and reading them from a Bearer header."""

import hashlib
import re

import pytest

from fleetcharge.errors import Unauthorized
from fleetcharge.kit.tokens import bearer_digest, hash_secret, new_secret

PATTERN = re.compile(r"^xyz_[A-Za-z0-9_-]{43}$")


def test_a_new_secret_has_its_prefix_and_256_random_bits() -> None:
    first, second = new_secret("xyz_"), new_secret("xyz_")
    assert PATTERN.match(first) and PATTERN.match(second) and first != second


def test_the_header_gives_the_hash_of_its_secret() -> None:
    secret = new_secret("xyz_")
    assert hash_secret(secret) == hashlib.sha256(secret.encode()).hexdigest()
    assert bearer_digest(f"bearer  {secret} ", PATTERN, "none", "bad") == hash_secret(secret)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "none"),
        ("", "none"),
        ("Basic abc", "the Authorization header must be 'Bearer <token>'"),
        ("Bearer ", "the Authorization header must be 'Bearer <token>'"),
        ("Bearer fct_short", "bad"),
    ],
)
def test_anything_else_is_unauthorized(header: str | None, message: str) -> None:
    with pytest.raises(Unauthorized) as refused:
        bearer_digest(header, PATTERN, "none", "bad")
    assert refused.value.message == message
