"""The APIs' Swagger UI and ReDoc pages, their scripts, styles and icon served by us (from
the pinned fastapi-offline package) instead of a CDN: the pages work without internet."""

from importlib import metadata, resources
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

# The version is in the path, so a URL's content never changes: browsers may keep it.
ASSETS_PATH = f"/static/docs/{metadata.version('fastapi-offline')}"


class DocsAssets(StaticFiles):
    """swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js and favicon.png."""

    def __init__(self) -> None:
        super().__init__(directory=str(resources.files("fastapi_offline") / "static"))

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def add_docs_pages(app: FastAPI, prefix: str = "") -> None:
    """`{prefix}/docs` (Swagger UI) and `{prefix}/redoc` for the app's OpenAPI document; the
    app is made with `docs_url=None, redoc_url=None`. Plain routes: no dependency of the app
    (the admin API's authentication) applies to them."""
    openapi_path = app.openapi_url
    assert openapi_path is not None

    def urls(request: Request) -> tuple[str, str]:
        # A mounted app's root_path includes its mount; the assets are the main app's.
        root = request.scope.get("root_path", "").rstrip("/")
        app_root = request.scope.get("app_root_path", root).rstrip("/")
        return root + openapi_path, app_root + ASSETS_PATH

    async def swagger_ui(request: Request) -> HTMLResponse:
        openapi_url, assets = urls(request)
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    async def redoc(request: Request) -> HTMLResponse:
        openapi_url, assets = urls(request)
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )

    app.add_route(f"{prefix}/docs", swagger_ui, include_in_schema=False)
    app.add_route(f"{prefix}/redoc", redoc, include_in_schema=False)
