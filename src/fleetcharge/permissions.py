"""Who may do what on the admin API: a pure table of role x resource x action.

Operator roles see the whole network; an organisation member's role reaches only its own
organisation's objects (services look objects up through `visible_to`, so another
organisation's uuid is simply not found).
"""

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from fleetcharge.errors import Forbidden, NotFound

ADMIN, SUPPORT, BILLING = "admin", "support", "billing"
FLEET_MANAGER, SITE_HOST, READ_ONLY = "fleet_manager", "site_host", "read_only"
_STAFF = frozenset({ADMIN, SUPPORT, BILLING})
# Every role reads its own organisation's organisation, fleets, vehicles, cards and audit
# rows; read_only and site_host change nothing of a fleet's (site_host: its locations are
# the operator's to change). Locations and stations are read by staff only: their services
# do not scope them to a host organisation.
_READERS = frozenset({ADMIN, SUPPORT, BILLING, FLEET_MANAGER, SITE_HOST, READ_ONLY})

# resource -> action -> roles allowed. `admin` may do everything listed.
PERMISSIONS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "organisations": {
        "read": _READERS,
        "create": frozenset({ADMIN}),
        "update": frozenset({ADMIN, BILLING}),
    },
    "fleets": {
        "read": _READERS,
        "create": frozenset({ADMIN, FLEET_MANAGER}),
        "update": frozenset({ADMIN, FLEET_MANAGER}),
    },
    "vehicles": {
        "read": _READERS,
        "create": frozenset({ADMIN, FLEET_MANAGER}),
        "update": frozenset({ADMIN, FLEET_MANAGER}),
        "import": frozenset({ADMIN, FLEET_MANAGER}),
    },
    "cards": {
        "read": _READERS,
        "create": frozenset({ADMIN, FLEET_MANAGER}),
        "update": frozenset({ADMIN, FLEET_MANAGER}),
        "block": frozenset({ADMIN, SUPPORT, FLEET_MANAGER}),
    },
    "locations": {
        "read": _STAFF,
        "create": frozenset({ADMIN}),
        "update": frozenset({ADMIN}),
        "import": frozenset({ADMIN}),
    },
    "stations": {
        "read": _STAFF,
        "create": frozenset({ADMIN}),
        "update": frozenset({ADMIN}),
        "approve": frozenset({ADMIN}),
        "command": frozenset({ADMIN, SUPPORT}),
    },
    "tariffs": {
        "read": _STAFF,
        "create": frozenset({ADMIN}),
        "update": frozenset({ADMIN}),
    },
    "api_tokens": {
        "read": frozenset({ADMIN, FLEET_MANAGER, SITE_HOST, READ_ONLY}),
        "create": frozenset({ADMIN, FLEET_MANAGER}),
        "revoke": frozenset({ADMIN, SUPPORT, FLEET_MANAGER}),
    },
    "accounts": {
        "read": frozenset({ADMIN}),
        "create": frozenset({ADMIN}),  # also a person's password (or link to choose it)
        "revoke": frozenset({ADMIN}),  # also disables a person
    },
    "audit_events": {"read": _READERS},
    # The monthly run: draft the documents, review them, approve (number) them.
    "billing": {
        "read": frozenset({ADMIN, BILLING}),
        "run": frozenset({ADMIN, BILLING}),
        "approve": frozenset({ADMIN, BILLING}),
    },
    # Issued documents: emailing them (and payment reminders) to organisations' billing
    # contacts, and the record of those sendings.
    "invoices": {
        "read": frozenset({ADMIN, BILLING}),
        "send": frozenset({ADMIN, BILLING}),
    },
    # An organisation's webhook subscriptions: like its API tokens, its fleet manager runs
    # its integrations (a host's station events included); its other members read them;
    # support reads the delivery log and redelivers, to help a receiver that was down.
    "webhooks": {
        "read": frozenset({ADMIN, SUPPORT, FLEET_MANAGER, SITE_HOST, READ_ONLY}),
        "create": frozenset({ADMIN, FLEET_MANAGER}),
        "update": frozenset({ADMIN, FLEET_MANAGER}),
        "redeliver": frozenset({ADMIN, SUPPORT, FLEET_MANAGER}),
    },
    # Sessions held as implausible: a fleet manager reads those of its own cards; what is
    # billed is decided by admin and billing.
    "session_reviews": {
        "read": _READERS,
        "review": frozenset({ADMIN, BILLING}),
    },
}


def allowed(role: str, resource: str, action: str) -> bool:
    return role in PERMISSIONS.get(resource, {}).get(action, frozenset())


@dataclass(frozen=True)
class Actor:
    """Who is making a change: an account (through its admin token), or the command line,
    which acts as an admin of the whole network (it holds the database credentials)."""

    name: str
    role: str
    account_id: int | None = None
    account_uuid: UUID | None = None
    organisation_id: int | None = None  # set for an organisation's members

    @classmethod
    def command_line(cls) -> "Actor":
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(name=f"cli:{user}", role=ADMIN)

    def require(self, resource: str, action: str) -> None:
        if not allowed(self.role, resource, action):
            raise Forbidden(f"the {self.role} role may not {action} {resource.replace('_', ' ')}")

    def sees(self, organisation_id: int | None) -> bool:
        """Whether an object of this organisation (None: network-wide) is visible."""
        return self.organisation_id is None or self.organisation_id == organisation_id

    def visible_to(self, organisation_id: int | None, what: str, reference: object) -> None:
        """NotFound, as if absent, for an object of another organisation."""
        if not self.sees(organisation_id):
            raise NotFound(f"no {what} {reference}")
