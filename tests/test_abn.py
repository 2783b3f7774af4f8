import pytest

from fleetcharge.abn import abn_is_valid, format_abn, parse_abn
from fleetcharge.errors import InvalidParameter


def test_the_ato_checksum() -> None:
    assert abn_is_valid("51824753556")
    assert not abn_is_valid("51824753557")
    assert not abn_is_valid("5182475355")
    assert not abn_is_valid("\N{FULLWIDTH DIGIT FIVE}1824753556")


def test_parse_and_format() -> None:
    assert parse_abn(" 51 824 753 556 ") == "51824753556"
    assert format_abn("51824753556") == "51 824 753 556"
    with pytest.raises(InvalidParameter, match="not a valid ABN"):
        parse_abn("51 824 753 557")
