"""Vendors' DataTransfer handlers found through the `fleetcharge.data_transfer` entry point
group, as an operator's package declares them."""

import asyncio
from importlib.metadata import EntryPoint
from typing import Any

import pytest

from fleetcharge.data_transfer import registry
from fleetcharge.data_transfer.registry import (
    ENTRY_POINT_GROUP,
    DataTransferReply,
    DataTransferRequest,
    Vendor,
    VendorRegistry,
)


def led_state(request: DataTransferRequest) -> DataTransferReply:
    return DataTransferReply("Accepted", '{"led": "green"}')


# What an operator's package would name in its entry point.
EXAMPLE = Vendor("com.example", {"GetLedState": led_state})
NOT_A_VENDOR = object()


def test_vendors_of_installed_packages_are_registered_and_broken_ones_skipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    declared = [
        EntryPoint("example", f"{__name__}:EXAMPLE", ENTRY_POINT_GROUP),
        EntryPoint("missing", "no_such_package:VENDOR", ENTRY_POINT_GROUP),
        EntryPoint("wrong", f"{__name__}:NOT_A_VENDOR", ENTRY_POINT_GROUP),
        EntryPoint("twice", f"{__name__}:EXAMPLE", ENTRY_POINT_GROUP),
    ]

    def entry_points(group: str) -> list[EntryPoint]:
        return declared if group == ENTRY_POINT_GROUP else []

    monkeypatch.setattr(registry, "entry_points", entry_points)
    vendors = VendorRegistry()
    vendors.load_entry_points()
    assert vendors.vendor_ids() == ["com.example"]
    for name in ("missing", "wrong", "twice"):
        assert f"DataTransfer vendor {name!r} could not be loaded" in caplog.text

    def ask(vendor_id: str, message_id: str | None) -> Any:
        request = DataTransferRequest("CP-1", vendor_id, message_id, None)
        return asyncio.run(vendors.handle(request))

    assert ask("COM.Example", "GetLedState") == DataTransferReply("Accepted", '{"led": "green"}')
    assert ask("com.example", None) == DataTransferReply("UnknownMessageId")
    assert ask("com.example", "getledstate") == ask("COM.Example", "GetLedState")
    assert ask("com.example", "SetLedState") == DataTransferReply("UnknownMessageId")
    assert ask("org.other", "GetLedState") == DataTransferReply("UnknownVendorId")
