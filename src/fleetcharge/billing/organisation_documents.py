"""An organisation's own documents as its members see them (the web console): fleet
invoices, site-host invoices, RCTIs and their adjustment notes, once issued. A draft is
not a document yet: to a member it is not found, as another organisation's are.

Every member of an organisation reads what is addressed to it, whatever the role, so no
role permission is asked; operator staff see every organisation's, drafts too.
"""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import InvalidParameter, NotFound
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.lookup import visible_by_uuid
from fleetcharge.models import Invoice
from fleetcharge.models.invoice import INVOICE_KINDS, VISIBLE_STATUSES
from fleetcharge.permissions import Actor

DOCUMENT_STATUSES: tuple[str, ...] = tuple(VISIBLE_STATUSES)


def list_documents(
    db: Session,
    actor: Actor,
    page: PageRequest,
    *,
    kind: str | None = None,
    status: str | None = None,
) -> Page[Invoice]:
    """The actor's organisation's issued documents, newest first."""
    query = select(Invoice)
    if actor.organisation_id is not None:
        query = query.where(
            Invoice.organisation_id == actor.organisation_id,
            Invoice.status.in_(VISIBLE_STATUSES),
        )
    if kind is not None:
        if kind not in INVOICE_KINDS:
            raise InvalidParameter(
                f"kind must be one of {', '.join(INVOICE_KINDS)}, got {kind!r}", parameter="kind"
            )
        query = query.where(Invoice.kind == kind)
    if status is not None:
        if status not in DOCUMENT_STATUSES:
            raise InvalidParameter(
                f"status must be one of {', '.join(DOCUMENT_STATUSES)}, got {status!r}",
                parameter="status",
            )
        query = query.where(Invoice.status == status)
    return page_of(db, query, Invoice.id, page, newest_first=True)


def get_document(db: Session, actor: Actor, uuid: UUID) -> Invoice:
    invoice = visible_by_uuid(db, actor, Invoice, uuid, "invoice")
    if actor.organisation_id is not None and invoice.status not in VISIBLE_STATUSES:
        raise NotFound(f"no invoice {uuid}")
    return invoice
