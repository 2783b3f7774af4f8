"""Sealed secrets: opened only with the credential and context they were sealed with."""

from fleetcharge.kit.sealed import seal, unseal

SECRET = "fct_" + "s" * 43


def test_opens_with_the_same_credential_and_context_only() -> None:
    sealed = seal(SECRET, "fca_mine", "key\ndigest")
    assert SECRET not in sealed and "s" * 8 not in sealed
    assert unseal(sealed, "fca_mine", "key\ndigest") == SECRET
    assert unseal(sealed, "fca_other", "key\ndigest") is None
    assert unseal(sealed, "fca_mine", "key\nanother digest") is None


def test_tampering_and_garbage_are_refused() -> None:
    sealed = seal(SECRET, "fca_mine", "k")
    flipped = ("A" if sealed[5] != "A" else "B").join((sealed[:5], sealed[6:]))
    assert unseal(flipped, "fca_mine", "k") is None
    for garbage in ("", "not base64!", "QUJD"):
        assert unseal(garbage, "fca_mine", "k") is None


def test_two_seals_of_one_secret_under_different_keys_differ() -> None:
    assert seal(SECRET, "fca_a", "k") != seal(SECRET, "fca_b", "k")
    assert seal(SECRET, "fca_a", "k1") != seal(SECRET, "fca_a", "k2")
