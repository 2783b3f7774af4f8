"""The entries of a local list and the SendLocalList updates carrying them (pure)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fleetcharge.errors import Conflict

FULL = "Full"
DIFFERENTIAL = "Differential"
# OCPP 1.6 IdToken: at most 20 characters; a card with a longer id_tag cannot be listed.
MAX_ID_TAG = 20


def wire_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Entry:
    """One idTag with its idTagInfo."""

    id_tag: str
    status: str  # Accepted | Blocked | Expired
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None

    def id_tag_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {"status": self.status}
        if self.expiry_date is not None:
            info["expiryDate"] = wire_time(self.expiry_date)
        if self.parent_id_tag is not None:
            info["parentIdTag"] = self.parent_id_tag
        return info


@dataclass(frozen=True)
class Change:
    """An idTag to add or change (`entry`), or to remove (None) in a Differential update."""

    id_tag: str
    entry: Entry | None

    def to_wire(self) -> dict[str, Any]:
        if self.entry is None:
            return {"idTag": self.id_tag}
        return {"idTag": self.id_tag, "idTagInfo": self.entry.id_tag_info()}


@dataclass(frozen=True)
class Update:
    """One SendLocalList."""

    list_version: int
    update_type: str
    changes: tuple[Change, ...]

    def payload(self) -> dict[str, Any]:
        return {
            "listVersion": self.list_version,
            "localAuthorizationList": [change.to_wire() for change in self.changes],
            "updateType": self.update_type,
        }


class ListTooLong(Conflict):
    code = "local_list_too_long"


def differences(held: Mapping[str, Entry], desired: Mapping[str, Entry]) -> list[Change]:
    """What turns `held` into `desired`, by idTag."""
    changes = [Change(tag, entry) for tag, entry in desired.items() if held.get(tag) != entry]
    changes += [Change(tag, None) for tag in held if tag not in desired]
    return sorted(changes, key=lambda change: change.id_tag)


def updates(
    version: int,
    changes: Sequence[Change],
    *,
    full: bool,
    list_size: int,
    max_length: int | None,
    per_message: int | None,
) -> list[Update]:
    """The SendLocalLists making the station's list `list_size` entries long, numbered from
    `version` + 1: at most `per_message` entries each (SendLocalListMaxLength); a full list
    is a Full update of the first entries and Differential ones for the rest. A list longer
    than `max_length` (LocalAuthListMaxLength) is refused."""
    if max_length is not None and list_size > max_length:
        raise ListTooLong(
            f"the local list would hold {list_size} idTags; the station holds at most "
            f"{max_length} (LocalAuthListMaxLength)"
        )
    size = per_message if per_message is not None and per_message > 0 else max(len(changes), 1)
    chunks = [tuple(changes[start : start + size]) for start in range(0, len(changes), size)]
    if full and not chunks:
        chunks = [()]  # an empty Full update empties the station's list
    return [
        Update(version + n, FULL if full and n == 1 else DIFFERENTIAL, chunk)
        for n, chunk in enumerate(chunks, start=1)
    ]
