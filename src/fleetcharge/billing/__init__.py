"""Monthly billing: fleet invoices, site-host tax invoices and recipient-created tax invoices."""

from fleetcharge.billing.period import Period
from fleetcharge.billing.service import approve_invoices, draft_invoices

__all__ = ["Period", "approve_invoices", "draft_invoices"]
