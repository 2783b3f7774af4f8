"""A simulated station's Local Authorization List and reservations, and the central
system's calls about them (SendLocalList, GetLocalListVersion, ReserveNow,
CancelReservation).

The list is used while the central system does not answer Authorize (LocalAuthListEnabled),
and instead of asking it at all for a tag it accepts (LocalPreAuthorize). A reserved
connector shows Reserved, refuses other cards without asking anyone, and is released when
the reservation is used (its StartTransaction carries the reservationId), cancelled, or
past its expiryDate. A reservation of connector 0 (ReserveConnectorZeroSupported) is used
by its card on any connector and keeps no connector from the others.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import (
    Action,
    AuthorizationStatus,
    CancelReservationStatus,
    ChargePointStatus,
    ReservationStatus,
    UpdateStatus,
    UpdateType,
)

if TYPE_CHECKING:
    from fleetcharge.simulator.commands import Station


def now_utc() -> datetime:
    return datetime.now(UTC)


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _limit(values: dict[str, str], key: str) -> int | None:
    value = values.get(key, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


@dataclass(frozen=True)
class Held:
    """A reservation the station accepted."""

    reservation_id: int
    connector_id: int
    id_tag: str
    expires_at: datetime
    parent_id_tag: str | None = None

    def for_tag(self, id_tag: str) -> bool:
        return id_tag in (self.id_tag, self.parent_id_tag)


class LocalAuth:
    def __init__(self) -> None:
        self.version = 0
        self.entries: dict[str, dict[str, Any]] = {}  # idTag -> idTagInfo (camelCase)
        self.reservations: dict[int, Held] = {}  # by reservationId

    # -- the local list ------------------------------------------------------------------

    def update(
        self,
        version: int,
        update_type: str,
        items: list[dict[str, Any]],
        values: dict[str, str],
    ) -> UpdateStatus:
        """Apply a SendLocalList within the configured limits (all of it, or none)."""
        per_message = _limit(values, "SendLocalListMaxLength")
        max_length = _limit(values, "LocalAuthListMaxLength")
        if per_message is not None and len(items) > per_message:
            return UpdateStatus.failed
        if update_type == UpdateType.differential and version <= self.version:
            return UpdateStatus.version_mismatch
        entries = {} if update_type == UpdateType.full else dict(self.entries)
        for item in items:
            info = item.get("id_tag_info")
            if info is None:
                entries.pop(item["id_tag"], None)
            else:
                entries[item["id_tag"]] = {
                    "status": info["status"],
                    **({"expiryDate": info["expiry_date"]} if info.get("expiry_date") else {}),
                    **({"parentIdTag": info["parent_id_tag"]} if info.get("parent_id_tag") else {}),
                }
        if max_length is not None and len(entries) > max_length:
            return UpdateStatus.failed
        self.entries, self.version = entries, version
        return UpdateStatus.accepted

    def accepts(self, id_tag: str, at: datetime) -> bool:
        """Whether the list has the tag Accepted and not past its expiryDate."""
        info = self.entries.get(id_tag)
        if info is None or info["status"] != AuthorizationStatus.accepted:
            return False
        expiry = _moment(info.get("expiryDate"))
        return expiry is None or at < expiry

    # -- reservations --------------------------------------------------------------------

    def in_force(self, at: datetime) -> list[Held]:
        for held in [h for h in self.reservations.values() if h.expires_at <= at]:
            del self.reservations[held.reservation_id]
        return list(self.reservations.values())

    def reserved_for(self, connector_id: int, at: datetime) -> Held | None:
        """The reservation holding the connector (not one of connector 0)."""
        return next((h for h in self.in_force(at) if h.connector_id == connector_id), None)

    def reservation(self, connector_id: int, id_tag: str, at: datetime) -> Held | None:
        """The reservation a start of `id_tag` on the connector uses, if any."""
        for held in self.in_force(at):
            if held.connector_id in (connector_id, 0) and held.for_tag(id_tag):
                return held
        return None

    def refuses(self, connector_id: int, id_tag: str, at: datetime) -> bool:
        """A connector reserved for another card refuses this one."""
        held = self.reserved_for(connector_id, at)
        return held is not None and not held.for_tag(id_tag)

    def used(self, held: Held) -> None:
        self.reservations.pop(held.reservation_id, None)


class LocalAuthHandlers:
    """Mixed into the simulator's CommandHandler."""

    station: "Station"

    @on(Action.send_local_list)
    def on_send_local_list(
        self,
        list_version: int,
        update_type: str,
        local_authorization_list: list[dict[str, Any]] | None = None,
        **_: Any,
    ) -> Any:
        status = self.station.local_auth.update(
            list_version,
            update_type,
            local_authorization_list or [],
            self.station.configuration.values,
        )
        return call_result.SendLocalList(status=status)

    @on(Action.get_local_list_version)
    def on_get_local_list_version(self, **_: Any) -> Any:
        return call_result.GetLocalListVersion(list_version=self.station.local_auth.version)

    def _can_reserve(self, connector_id: int, reservation_id: int) -> ReservationStatus:
        values = self.station.configuration.values
        if connector_id == 0:
            allowed = values.get("ReserveConnectorZeroSupported") == "true"
            return ReservationStatus.accepted if allowed else ReservationStatus.rejected
        if not self.station.has_connector(connector_id):
            return ReservationStatus.rejected
        status = self.station.status(connector_id)
        if status == ChargePointStatus.faulted:
            return ReservationStatus.faulted
        if status == ChargePointStatus.unavailable:
            return ReservationStatus.unavailable
        held = self.station.local_auth.reserved_for(connector_id, now_utc())
        if held is not None and held.reservation_id != reservation_id:
            return ReservationStatus.occupied
        if status not in (ChargePointStatus.available, ChargePointStatus.reserved):
            return ReservationStatus.occupied
        return ReservationStatus.accepted

    @on(Action.reserve_now)
    def on_reserve_now(
        self,
        connector_id: int,
        expiry_date: str,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
        **_: Any,
    ) -> Any:
        status = self._can_reserve(connector_id, reservation_id)
        expires_at = _moment(expiry_date)
        if expires_at is None or expires_at <= now_utc():
            status = ReservationStatus.rejected
        if status == ReservationStatus.accepted:
            assert expires_at is not None
            # The same reservationId again replaces the reservation (OCPP 1.6, 5.13).
            self.station.local_auth.reservations[reservation_id] = Held(
                reservation_id, connector_id, id_tag, expires_at, parent_id_tag
            )
        return call_result.ReserveNow(status=status)

    @after(Action.reserve_now)
    def after_reserve_now(self, reservation_id: int, **_: Any) -> None:
        held = self.station.local_auth.reservations.get(reservation_id)
        if held is not None:
            self.station.announce_idle_statuses()
            self.station.spawn(self._release_at_expiry(held))

    async def _release_at_expiry(self, held: Held) -> None:
        await asyncio.sleep(max(0.0, (held.expires_at - now_utc()).total_seconds()))
        self.station.local_auth.in_force(now_utc())
        self.station.announce_idle_statuses()

    @on(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, **_: Any) -> Any:
        held = self.station.local_auth.reservations.pop(reservation_id, None)
        status = CancelReservationStatus.accepted if held else CancelReservationStatus.rejected
        return call_result.CancelReservation(status=status)

    @after(Action.cancel_reservation)
    def after_cancel_reservation(self, **_: Any) -> None:
        self.station.announce_idle_statuses()
