"""Where webhooks may be sent: a guard against server-side request forgery.

A target must be https:// (unless webhooks_allow_http), and its host must not be, or
resolve to, a loopback, private, link-local (cloud metadata), multicast or reserved address
(unless webhooks_allow_private_targets). Checked when a subscription is created and again
at each delivery: the host is resolved once, checked, and the request connects to that very
address (the host name still used for TLS SNI and the certificate check), so no DNS answer
changed in between (rebinding) can point a delivery inside the network."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from fleetcharge.errors import InvalidField
from fleetcharge.settings import Settings, get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2000


class TargetRefused(InvalidField):
    """A URL webhooks must not be sent to."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to (None: let the client resolve it)."""

    url: str
    host: str
    address: IPAddress | None


def forbidden(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_url(url: str, *, field: str = "url", settings: Settings | None = None) -> SplitResult:
    """The URL's parts if its form is acceptable (scheme, host, no credentials)."""
    settings = settings or get_settings()
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"{field} is longer than {MAX_URL_LENGTH} characters", field=field)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as error:
        raise TargetRefused(f"{field} is not a valid URL: {error}", field=field) from error
    schemes = ("https", "http") if settings.webhooks_allow_http else ("https",)
    if parts.scheme not in schemes:
        raise TargetRefused(f"{field} must be an https:// URL", field=field)
    if not parts.hostname:
        raise TargetRefused(f"{field} has no host", field=field)
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(f"{field} must not contain credentials", field=field)
    if parts.fragment:
        raise TargetRefused(f"{field} must not contain a fragment (#...)", field=field)
    return parts


def resolve_target(url: str, *, field: str = "url", settings: Settings | None = None) -> Target:
    """Check `url` and resolve its host once; TargetRefused if it is not allowed."""
    settings = settings or get_settings()
    parts = check_url(url, field=field, settings=settings)
    host = parts.hostname
    assert host is not None
    if settings.webhooks_allow_private_targets:
        return Target(url, host, None)
    addresses = _addresses(host, parts.port or (443 if parts.scheme == "https" else 80), field)
    refused = [address for address in addresses if forbidden(address)]
    if refused:
        raise TargetRefused(
            f"{field} resolves to {refused[0]}, a loopback, private, link-local or reserved "
            "address webhooks are not sent to",
            field=field,
        )
    return Target(url, host, addresses[0])


def _addresses(host: str, port: int, field: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(f"{field}: host {host!r} cannot be resolved", field=field) from error
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(f"{field}: host {host!r} has no address", field=field)
    return addresses
