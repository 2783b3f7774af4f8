from fleetcharge.network.password_hashing import hash_password, verify_password


def test_passwords_are_salted_and_verified() -> None:
    encoded = hash_password("correct horse")
    assert encoded.startswith("scrypt$") and "correct horse" not in encoded
    assert encoded != hash_password("correct horse")
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct hors", encoded)
    assert not verify_password("correct horse", "pbkdf2$1$2$3$abc$def")
    assert not verify_password("correct horse", "garbage")
