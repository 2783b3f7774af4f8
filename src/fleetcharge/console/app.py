"""The web console, served by the main application: its pages, assets and error pages."""

from fastapi import FastAPI

from fleetcharge.accounts.sign_in import SignInThrottle
from fleetcharge.console.assets import ConsoleAssets, assets_path
from fleetcharge.console.errors import install_console_error_pages
from fleetcharge.console.routes import ROUTERS
from fleetcharge.settings import Settings


def add_console(app: FastAPI, settings: Settings) -> None:
    """Call after the APIs' error handlers are installed: console paths get HTML instead."""
    app.state.sign_in_throttle = SignInThrottle.from_settings(settings)
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.mount(assets_path(), ConsoleAssets())
    install_console_error_pages(app)
