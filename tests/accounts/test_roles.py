"""What the organisation roles site_host and read_only may do (the permission table)."""

import pytest

from fleetcharge.permissions import FLEET_MANAGER, PERMISSIONS, READ_ONLY, SITE_HOST, allowed

ORGANISATION_RESOURCES = (
    "organisations",
    "fleets",
    "vehicles",
    "cards",
    "api_tokens",
    "audit_events",
)
FLEET_RESOURCES = ("fleets", "vehicles", "cards")


def _actions(role: str) -> set[tuple[str, str]]:
    return {
        (resource, action)
        for resource, actions in PERMISSIONS.items()
        for action in actions
        if allowed(role, resource, action)
    }


def test_read_only_reads_what_a_fleet_manager_reads_and_changes_nothing() -> None:
    reads = {(r, a) for r, a in _actions(FLEET_MANAGER) if a == "read"}
    assert _actions(READ_ONLY) == reads
    assert {r for r, _ in reads} >= set(ORGANISATION_RESOURCES)


@pytest.mark.parametrize("resource", ORGANISATION_RESOURCES)
def test_a_site_host_reads_its_organisations_records(resource: str) -> None:
    assert allowed(SITE_HOST, resource, "read")


def test_a_site_host_changes_nothing_of_a_fleets() -> None:
    changes = {(r, a) for r, a in _actions(SITE_HOST) if a != "read"}
    assert not {(r, a) for r, a in changes if r in FLEET_RESOURCES}
    assert changes == set()
    assert not allowed(SITE_HOST, "cards", "block")
    assert not allowed(SITE_HOST, "api_tokens", "create")


@pytest.mark.parametrize("role", [SITE_HOST, READ_ONLY])
def test_members_read_no_network_wide_records(role: str) -> None:
    for resource in ("locations", "stations", "tariffs", "accounts"):
        assert not allowed(role, resource, "read")
