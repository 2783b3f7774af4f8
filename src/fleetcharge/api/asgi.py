"""ASGI entry point: `uvicorn fleetcharge.api.asgi:app`."""

from fleetcharge.api.app import create_app
from fleetcharge.csms.fastpath import DirectOcpp

# Charge stations' WebSockets go straight to the central system (see csms.fastpath).
app = DirectOcpp(create_app())
