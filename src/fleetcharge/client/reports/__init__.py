"""Fleet reports computed from Fleets API records: pure functions, no I/O.

- `reconcile`: usage sessions against the invoices that billed them.
- `site_host_revenue`: a site host's energy, revenue, cost and margin per station and day.
- `vehicle_audit`: the vehicle register against who actually charged.
"""

from fleetcharge.client.reports.reconcile import Reconciliation, reconcile
from fleetcharge.client.reports.site_host_revenue import RevenueRow, site_host_revenue
from fleetcharge.client.reports.table import Table, table_of
from fleetcharge.client.reports.vehicle_audit import AuditRow, vehicle_audit

__all__ = [
    "AuditRow",
    "Reconciliation",
    "RevenueRow",
    "Table",
    "reconcile",
    "site_host_revenue",
    "table_of",
    "vehicle_audit",
]
