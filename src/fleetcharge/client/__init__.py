"""Fleet-side SDK for any Fleets API v1 server: typed records, paging, rate limits, retries.

```python
from fleetcharge.client import FleetsClient

with FleetsClient("http://127.0.0.1:8000", token="fct_...") as fleets:
    usage = fleets.usage(date_from="2024-06-01", date_to="2024-06-30")
    usage.first_page()
    print(usage.total_entries, "sessions")
    for session in usage:
        print(session.stop_date_time, session.cost_to_driver)
```
"""

from fleetcharge.client.async_client import AsyncFleetsClient, AsyncListing
from fleetcharge.client.errors import (
    ApiResponseError,
    AuthenticationError,
    ConnectionFailedError,
    FleetsApiError,
    InvalidParameterError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
)
from fleetcharge.client.models import (
    ChargingPeriod,
    Invoice,
    InvoiceSession,
    LineItem,
    SiteHostSession,
    UsageSession,
    Vehicle,
)
from fleetcharge.client.paging import DEFAULT_BASE_URL, ENDPOINTS, Page, Resource
from fleetcharge.client.policy import RetryPolicy, Wait
from fleetcharge.client.sync_client import FleetsClient, Listing
from fleetcharge.client.webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "DEFAULT_BASE_URL",
    "ENDPOINTS",
    "ApiResponseError",
    "AsyncFleetsClient",
    "AsyncListing",
    "AuthenticationError",
    "ChargingPeriod",
    "ConnectionFailedError",
    "FleetsApiError",
    "FleetsClient",
    "InvalidParameterError",
    "Invoice",
    "InvoiceSession",
    "LineItem",
    "Listing",
    "Page",
    "PermissionDeniedError",
    "RateLimitedError",
    "Resource",
    "RetryPolicy",
    "ServerError",
    "SiteHostSession",
    "UnexpectedResponseError",
    "UsageSession",
    "Vehicle",
    "Wait",
    "WebhookVerificationError",
    "verify_webhook",
]
