import base64

from fleetcharge.csms.auth import basic_credentials, hash_password, verify_password


def test_passwords_are_salted_and_verified() -> None:
    encoded = hash_password("correct horse")
    assert encoded.startswith("scrypt$") and "correct horse" not in encoded
    assert encoded != hash_password("correct horse")
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct hors", encoded)
    assert not verify_password("correct horse", "pbkdf2$1$2$3$abc$def")
    assert not verify_password("correct horse", "garbage")


def test_basic_credentials_are_parsed() -> None:
    def header(text: str) -> str:
        return "Basic " + base64.b64encode(text.encode()).decode()

    assert basic_credentials(header("CP1:pa:ss")) == ("CP1", "pa:ss")
    assert basic_credentials(header("CP1:")) == ("CP1", "")
    assert basic_credentials(header("no-colon")) is None
    assert basic_credentials("Basic %%%") is None
    assert basic_credentials("Bearer abc") is None
    assert basic_credentials(None) is None
