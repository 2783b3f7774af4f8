"""Creating, changing and finding organisations (flush only; the caller commits).

Fees are GST-inclusive. The network fee is applied when a session is recorded, so a change
affects sessions from then on, never those already recorded. An organisation's own Fleets
API rate limits override the deployment's, by endpoint.
"""

from decimal import Decimal
from operator import attrgetter
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fleetcharge.abn import format_abn
from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, DomainError, InvalidField, InvalidParameter
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.lookup import by_name_or_uuid, visible_by_uuid
from fleetcharge.models import Organisation
from fleetcharge.models.organisation import MAX_PAYMENT_TERMS_DAYS
from fleetcharge.models.token import ENDPOINT_SCOPES
from fleetcharge.organisations.schemas import (
    MAX_BILLING_EMAILS,
    OrganisationCreate,
    OrganisationFields,
    OrganisationUpdate,
)
from fleetcharge.permissions import Actor
from fleetcharge.ratelimit.policy import parse_limits

# Far above any real fee, and within what the columns hold.
MAX_FEE = Decimal(1_000_000)
# field -> decimal places
_FEES = {"network_fee_per_kwh": 4, "vehicle_fee": 2, "station_subscription_fee": 2}
_TEXTS = {
    "address": 500,
    "contact_name": 200,
    "contact_phone": 40,
    "legal_name": 200,
    "purchase_order": 200,
}
# A rate limit of this text drops the organisation's own: the deployment's applies again.
DEFAULT_LIMIT = "default"


def organisation_view(organisation: Organisation) -> dict[str, Any]:
    return {
        "uuid": str(organisation.uuid),
        "name": organisation.name,
        "abn": organisation.abn,
        "abn_display": format_abn(organisation.abn) if organisation.abn else None,
        "billing_timezone": organisation.billing_timezone,
        "vehicle_fee": str(organisation.vehicle_fee),
        "station_subscription_fee": str(organisation.station_subscription_fee),
        "network_fee_per_kwh": str(organisation.network_fee_per_kwh),
        "address": organisation.address,
        "contact_name": organisation.contact_name,
        "contact_email": organisation.contact_email,
        "contact_phone": organisation.contact_phone,
        "rate_limits": organisation.rate_limits or {},
        "legal_name": organisation.legal_name,
        "billing_emails": list(organisation.billing_emails or []),
        "purchase_order": organisation.purchase_order,
        "payment_terms_days": organisation.payment_terms_days,
        "created_at": organisation.created_at.isoformat(),
        "version": organisation.version,
    }


def find_organisation(db: Session, name_or_uuid: str, field: str | None = None) -> Organisation:
    """Look an organisation up by exact name or UUID (the CLI's way); its errors name
    `field` when given."""
    try:
        return by_name_or_uuid(db, Organisation, name_or_uuid, "organisation")
    except DomainError as error:
        error.field = field
        raise


def all_organisations(db: Session) -> list[Organisation]:
    """Every organisation, oldest first."""
    return list(db.scalars(select(Organisation).order_by(Organisation.id)))


def visible_organisation(
    db: Session, actor: Actor, uuid: UUID, *, field: str | None = None, parameter: str | None = None
) -> Organisation:
    """An organisation named in a body or filter; another organisation's is not found."""
    return visible_by_uuid(
        db,
        actor,
        Organisation,
        uuid,
        "organisation",
        attrgetter("id"),
        field=field,
        parameter=parameter,
    )


def get_organisation(db: Session, actor: Actor, uuid: UUID) -> Organisation:
    actor.require("organisations", "read")
    return visible_organisation(db, actor, uuid)


def list_organisations(
    db: Session, actor: Actor, page: PageRequest, q: str | None = None
) -> Page[Organisation]:
    actor.require("organisations", "read")
    query = select(Organisation)
    if actor.organisation_id is not None:
        query = query.where(Organisation.id == actor.organisation_id)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(Organisation.name.ilike(pattern), Organisation.abn == q.strip()))
    return page_of(db, query, Organisation.id, page)


def create_organisation(db: Session, actor: Actor, data: OrganisationCreate) -> Organisation:
    actor.require("organisations", "create")
    organisation = Organisation(name=_name(db, data.name))
    _apply(organisation, data)
    db.add(organisation)
    _flush(db, data.name)
    record(
        db,
        actor,
        "create",
        "organisation",
        organisation.uuid,
        organisation.id,
        None,
        organisation_view(organisation),
    )
    return organisation


def update_organisation(
    db: Session,
    actor: Actor,
    organisation: Organisation,
    data: OrganisationUpdate,
    expected_version: int | None = None,
) -> Organisation:
    actor.require("organisations", "update")
    actor.visible_to(organisation.id, "organisation", organisation.uuid)
    claim_version(db, organisation, expected_version)
    before = organisation_view(organisation)
    if data.name is not None and data.name.strip() != organisation.name:
        organisation.name = _name(db, data.name)
    _apply(organisation, data)
    _flush(db, organisation.name)
    after = organisation_view(organisation)
    record(db, actor, "update", "organisation", organisation.uuid, organisation.id, before, after)
    return organisation


def _name(db: Session, name: str) -> str:
    cleaned = fields.text(name, "name", max_length=200)
    if db.scalar(select(Organisation.id).where(Organisation.name == cleaned)) is not None:
        raise Conflict(f"an organisation is already named {cleaned!r}", field="name")
    return cleaned


def _flush(db: Session, name: str) -> None:
    try:
        db.flush()
    except IntegrityError:
        # Another request took the name between our check and our write.
        raise Conflict(f"an organisation is already named {name!r}", field="name") from None


def _apply(organisation: Organisation, data: OrganisationFields) -> None:
    """Validate and set the fields given (None: leave as is; "" clears optional text)."""
    given = data.model_fields_set
    for field, places in _FEES.items():
        value = getattr(data, field)
        if value is not None:
            amount = fields.decimal(value, field, places=places, below=MAX_FEE)
            setattr(organisation, field, amount)
    if data.abn is not None:
        organisation.abn = fields.abn(data.abn) if data.abn.strip() else None
    if data.billing_timezone is not None:
        organisation.billing_timezone = fields.timezone(data.billing_timezone, "billing_timezone")
    for field, length in _TEXTS.items():
        if field in given:
            setattr(
                organisation,
                field,
                fields.optional_text(getattr(data, field), field, max_length=length),
            )
    if "contact_email" in given:
        email = data.contact_email
        organisation.contact_email = fields.email(email, "contact_email") if email else None
    if data.rate_limits is not None:
        organisation.rate_limits = _rate_limits(organisation.rate_limits, data.rate_limits)
    if data.billing_emails is not None:
        organisation.billing_emails = billing_emails(data.billing_emails)
    if data.payment_terms_days is not None:
        organisation.payment_terms_days = _terms(data.payment_terms_days)


def billing_emails(addresses: list[str]) -> list[str]:
    """The addresses checked, in order, each once (compared without case)."""
    if len(addresses) > MAX_BILLING_EMAILS:
        raise InvalidField(
            f"at most {MAX_BILLING_EMAILS} billing emails, got {len(addresses)}",
            field="billing_emails",
        )
    cleaned: list[str] = []
    for index, address in enumerate(addresses):
        email = fields.email(address, f"billing_emails[{index}]")
        if email.lower() not in {known.lower() for known in cleaned}:
            cleaned.append(email)
    return cleaned


def _terms(days: int) -> int:
    if not 0 <= days <= MAX_PAYMENT_TERMS_DAYS:
        raise InvalidField(
            f"payment_terms_days must be 0 to {MAX_PAYMENT_TERMS_DAYS} days, got {days}",
            field="payment_terms_days",
        )
    return days


def rate_limit_changes(assignments: list[str]) -> dict[str, str | None]:
    """The rate-limit changes of `endpoint=limit` assignments (the CLI's form), checked in
    turn; `endpoint=default` (None) drops that endpoint's own limit."""
    changes: dict[str, str | None] = {}
    for assignment in assignments:
        endpoint, sep, text = assignment.partition("=")
        endpoint = endpoint.strip()
        if not sep or endpoint not in ENDPOINT_SCOPES:
            raise InvalidField(
                f"{assignment!r}: use ENDPOINT=LIMIT with an endpoint among "
                f"{', '.join(ENDPOINT_SCOPES)}, e.g. usage=100/hour, invoices=off or "
                f"usage={DEFAULT_LIMIT}",
                field="rate_limits",
            )
        changes[endpoint] = _limit(text, f"rate_limits.{endpoint}")
    return changes


def _rate_limits(
    current: dict[str, str] | None, changes: dict[str, str | None]
) -> dict[str, str] | None:
    overrides = dict(current or {})
    for endpoint, text in changes.items():
        field = f"rate_limits.{endpoint}"
        if endpoint not in ENDPOINT_SCOPES:
            raise InvalidField(
                f"rate limits are per endpoint: one of {', '.join(ENDPOINT_SCOPES)}, "
                f"got {endpoint!r}",
                field=field,
            )
        limit = _limit(text, field) if text is not None else None
        if limit is None:
            overrides.pop(endpoint, None)
        else:
            overrides[endpoint] = limit
    return overrides or None


def _limit(text: str, field: str) -> str | None:
    """A limit text as stored, checked; None for the deployment's."""
    cleaned = text.strip().lower()
    if cleaned == DEFAULT_LIMIT:
        return None
    try:
        parse_limits(text, parameter=field)
    except InvalidParameter as error:
        raise InvalidField(str(error), field=field) from None
    return cleaned
