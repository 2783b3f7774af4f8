"""The fail-safe each station of a smart-charged site is given: a TxDefaultProfile on
connector 0 (every connector) at 0 W. A vehicle that plugs in then waits for its allocation,
a TxProfile that overrides the default, instead of drawing its maximum until that arrives;
and while the central system cannot reach the station, new vehicles keep waiting while those
already charging keep their limits. So the site stays within its limit either way."""

from collections.abc import Collection

from fleetcharge.smart_charging.problem import Circuit

PROFILE_ID = 2_000_000_000  # far above any transaction id (the TxProfiles' ids)
STACK_LEVEL = 0
LIMIT_W = 0.0
CONNECTOR = 0
GIVEN = frozenset({"Accepted", "Rejected", "NotSupported"})  # answered: not sent again


def stations_of(site: Circuit) -> set[str]:
    return {station for _, circuit in site.walk() for station in circuit.stations}


def to_give(
    stations: Collection[str], online: Collection[str], given: Collection[str]
) -> list[str]:
    """The connected stations that have not answered our fail-safe since they connected."""
    return sorted(set(stations) & set(online) - set(given))
