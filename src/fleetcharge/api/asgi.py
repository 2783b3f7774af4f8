"""ASGI entry point: `uvicorn fleetcharge.api.asgi:app`."""

from fleetcharge.api.app import create_app, served

app = served(create_app())
