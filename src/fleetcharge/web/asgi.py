"""ASGI entry point: `uvicorn fleetcharge.web.asgi:app`."""

from fleetcharge.web.app import create_app, served

app = served(create_app())
