"""Stations' configuration keys: what a GetConfiguration answer or a ChangeConfiguration
answer means for the stored keys (flush only; the caller's unit of work commits).

ChangeConfiguration answered Accepted or RebootRequired stores the new value (with
RebootRequired, `reboot_required` until the station's next BootNotification); Rejected and
NotSupported change nothing.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.configuration import catalogue, repository
from fleetcharge.configuration.catalogue import MAX_KEY_LENGTH
from fleetcharge.errors import InvalidField
from fleetcharge.models import Station, StationConfigurationKey
from fleetcharge.permissions import Actor

CHANGED = frozenset({"Accepted", "RebootRequired"})
HIDDEN = "********"  # a write-only key's value in the audit log


def checked_change(key: str, value: str) -> str:
    """The value to send for the key; 400 naming `key` (read-only) or `value` (not of the
    key's type) when it cannot be set."""
    known = catalogue.spec(key)
    if known is not None and known.readonly:
        raise InvalidField(
            f"{key} is read-only: the station does not let it be changed", field="key"
        )
    try:
        return catalogue.check_value(key, value)
    except ValueError as error:
        raise InvalidField(str(error), field="value") from None


def record_report(
    db: Session,
    station: Station,
    keys: list[dict[str, Any]],
    unknown: list[str],
    at: datetime,
    *,
    complete: bool,
) -> None:
    """Store a GetConfiguration answer. `complete`: it answered for every key it has (no
    keys asked), so keys it no longer reports are dropped."""
    # Longer keys are no OCPP keys (the schema refuses them before this); never stored.
    reported = {str(entry["key"]): entry for entry in keys if _storable_key(str(entry["key"]))}
    named_unknown = [
        key for key in dict.fromkeys(unknown) if key not in reported and _storable_key(key)
    ]
    if complete:
        repository.forget_keys_except(db, station.id, [*reported, *named_unknown])
    for key, entry in reported.items():
        row = _row(db, station.id, key)
        row.known = True
        row.readonly = bool(entry.get("readonly", False))
        value = entry.get("value")
        # A NUL is no character a value holds (and PostgreSQL text cannot store it).
        shown = None if value is None else str(value).replace("\x00", "\ufffd")
        row.value = None if catalogue.is_write_only(key) else shown
        row.reported_at = at
    for key in named_unknown:
        row = _row(db, station.id, key)
        row.known, row.readonly, row.value, row.reported_at = False, None, None, at
        row.reboot_required_since = None
    db.flush()


def record_change(
    db: Session,
    actor: Actor,
    station: Station,
    key: str,
    value: str,
    status: str,
    at: datetime,
) -> StationConfigurationKey | None:
    """Store what the station's ChangeConfiguration answer changed, audited; the key as
    stored now (None if it never was)."""
    row = repository.stored_key(db, station.id, key)
    shown = HIDDEN if catalogue.is_write_only(key) else value
    record(
        db,
        actor,
        "configure",
        "station",
        station.uuid,
        None,
        None if row is None else {"key": key, "value": _audited(row)},
        {"key": key, "value": shown, "status": status},
    )
    if status not in CHANGED:
        db.flush()
        return row
    if row is None:
        row = _row(db, station.id, key)
        known = catalogue.spec(key)
        row.readonly = False if known is None else known.readonly
    row.known = True
    row.value = None if catalogue.is_write_only(key) else value
    row.reported_at = at
    row.reboot_required_since = at if status == "RebootRequired" else None
    db.flush()
    return row


def reboot_required(row: StationConfigurationKey, last_boot_at: datetime | None) -> bool:
    since = row.reboot_required_since
    return since is not None and (last_boot_at is None or last_boot_at <= since)


def key_view(row: StationConfigurationKey, last_boot_at: datetime | None) -> dict[str, Any]:
    known = catalogue.spec(row.key)
    return {
        "key": row.key,
        "value": row.value,
        "readonly": row.readonly,
        "known": row.known,
        "write_only": known is not None and known.write_only,
        "standard": None
        if known is None
        else {"type": known.type.value, "unit": known.unit, "profile": known.profile.value},
        "reported_at": row.reported_at.isoformat(),
        "reboot_required": reboot_required(row, last_boot_at),
    }


def station_keys(db: Session, station: Station) -> list[dict[str, Any]]:
    return [key_view(row, station.last_boot_at) for row in repository.stored_keys(db, station.id)]


def _storable_key(key: str) -> bool:
    """Longer keys, or keys holding a NUL, are no OCPP keys: never stored."""
    return len(key) <= MAX_KEY_LENGTH and "\x00" not in key


def _row(db: Session, station_id: int, key: str) -> StationConfigurationKey:
    row = repository.stored_key(db, station_id, key)
    if row is None:
        row = StationConfigurationKey(station_id=station_id, key=key, known=True)
        db.add(row)
    return row


def _audited(row: StationConfigurationKey) -> str | None:
    return HIDDEN if catalogue.is_write_only(row.key) else row.value
