"""The console's stylesheet and script, served by us under a path naming their content:
a browser keeps them for a year and fetches them again only when they change."""

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.responses import Response
from starlette.staticfiles import StaticFiles

DIRECTORY = Path(str(resources.files("fleetcharge.console") / "static"))


@cache
def assets_path() -> str:
    digest = hashlib.sha256()
    for path in sorted(DIRECTORY.iterdir()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"/static/console/{digest.hexdigest()[:12]}"


def asset_url(name: str) -> str:
    return f"{assets_path()}/{name}"


class ConsoleAssets(StaticFiles):
    def __init__(self) -> None:
        super().__init__(directory=str(DIRECTORY))

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
