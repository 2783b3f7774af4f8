"""People's passwords: argon2id hashes (memory-hard, salted; argon2-cffi's defaults), the
policy a new password must meet, and generated ones for the demo."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fleetcharge.errors import InvalidField

MIN_LENGTH, MAX_LENGTH = 12, 1024
GENERATED_BYTES = 18  # 24 URL-safe characters

_hasher = PasswordHasher()
# Checked against when no account has the email, so that an unknown email costs what a
# wrong password does (and the answer does not tell which it was).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(GENERATED_BYTES))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(encoded: str | None, password: str) -> bool:
    """Whether `password` matches `encoded`; with no hash, one is checked all the same."""
    try:
        return _hasher.verify(encoded or _DUMMY_HASH, password) and encoded is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """Whether the hash was made with other parameters than today's (rehashed on sign-in)."""
    try:
        return _hasher.check_needs_rehash(encoded)
    except InvalidHashError:
        return True


def check_password(password: str, email: str | None) -> str:
    """The password if it meets the policy, else InvalidField naming `password`."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidField(
            f"password must be {MIN_LENGTH} to {MAX_LENGTH:,} characters, got {len(password):,}",
            field="password",
        )
    if len(set(password)) == 1:
        raise InvalidField("password must not be one character repeated", field="password")
    if email is not None and password.strip().lower() == email.lower():
        raise InvalidField("password must not be the email address", field="password")
    return password


def generate_password() -> str:
    return secrets.token_urlsafe(GENERATED_BYTES)
