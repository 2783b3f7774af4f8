"""The app's wiring is tested through the Fleets API's client and settings."""

from tests.api.conftest import _links_use_the_request_url, client

__all__ = ["_links_use_the_request_url", "client"]
