"""The console's menu: what a member sees depends on what their organisation does and
what their role may do."""

from collections.abc import Callable
from dataclasses import dataclass

from fleetcharge.console.member import Member


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    shown_to: Callable[[Member], bool]


def _fleet(member: Member) -> bool:
    return member.is_fleet


def _host(member: Member) -> bool:
    return member.is_host


def _organisation(member: Member) -> bool:
    return not member.is_operator


def _operator(member: Member) -> bool:
    return member.is_operator


MENU = (
    Link("Overview", "/fleet", _fleet),
    Link("Sessions", "/fleet/sessions", _fleet),
    Link("Vehicles", "/fleet/vehicles", _fleet),
    Link("Cards", "/fleet/cards", _fleet),
    Link("Site", "/site", _host),
    Link("Site sessions", "/site/sessions", _host),
    Link("Invoices", "/invoices", _organisation),
    Link("API tokens", "/tokens", lambda m: _organisation(m) and m.may("api_tokens", "read")),
    Link("Network", "/network", _operator),
    Link("Stations", "/network/stations", _operator),
    Link("Locations", "/network/locations", _operator),
    Link("Organisations", "/network/organisations", _operator),
    Link("Tariffs", "/network/tariffs", _operator),
    Link("Billing", "/billing", lambda m: _operator(m) and m.may("billing", "read")),
)


@dataclass(frozen=True)
class MenuEntry:
    label: str
    href: str
    current: bool


def menu(member: Member | None, path: str) -> list[MenuEntry]:
    """The member's links; the one for the page shown (the longest matching) marked current."""
    if member is None:
        return []
    links = [link for link in MENU if link.shown_to(member)]
    matching = [
        link.href for link in links if path == link.href or path.startswith(f"{link.href}/")
    ]
    current = max(matching, key=len, default=None)
    return [MenuEntry(link.label, link.href, link.href == current) for link in links]


def home(member: Member) -> str:
    """Where a member lands after signing in: the first page of their menu."""
    entries = menu(member, "/")
    return entries[0].href if entries else "/account"
