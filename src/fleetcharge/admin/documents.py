"""The admin API's OpenAPI document: what each route answers (bodies, errors, the headers
it reads), so that the document is a contract clients and the fuzz tests can hold it to.

Routes build plain dicts; the models named here only document them (strict: a view that
grows a field its model lacks fails the conformance tests)."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, create_model

from fleetcharge.kit.cursors import MAX_LIMIT


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        description="Machine-readable: invalid_field, invalid_parameter, unauthorized, "
        "forbidden, not_found, conflict, precondition_failed, idempotency_key_reused, ..."
    )
    message: str = Field(description="Human-readable explanation.")
    field: str | None = Field(
        None, description="The body field at fault, by its path, e.g. `connectors[1].name`."
    )
    parameter: str | None = Field(
        None, description="The query or path parameter or header at fault, e.g. `limit`."
    )


class ErrorBody(BaseModel):
    """The one body of every error status."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


def _error(text: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": text}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("Invalid field or parameter (named in the body)."),
    401: {
        **_error("Missing, malformed, unknown, revoked or expired admin token."),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string", "enum": ["Bearer"]}}},
    },
    403: _error("The token's role may not do this."),
    404: _error("No such object (or another organisation's)."),
    409: _error("Conflicts with an existing object (the field is named)."),
    412: _error("If-Match names a version that is no longer current."),
    503: _error("The database is briefly unavailable; retry after `Retry-After` seconds."),
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the create safe to retry: the same key (1 to 200 printable ASCII "
    "characters) with the same request answers as the first time did, and never creates a "
    "second object; with another request it is refused (422).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The object's `ETag` as read: the change is refused (412) if someone "
    "changed it since. Without it the change applies to whatever is current.",
    "schema": {"type": "string"},
}


class Pagination(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total_entries: int = Field(description="Exact number of records matching the filters.")
    next: str = Field(
        None,  # type: ignore[assignment]  # omitted on the last page, never null
        description="Absolute URL of the next page, keeping the filters; omitted on the last.",
    )


def _listing(model: type[BaseModel], paged: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {"data": (list[model], ...)}  # type: ignore[valid-type]
    if paged:
        fields["pagination"] = (Pagination, ...)
    return create_model(
        f"{model.__name__.removesuffix('View')}List",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )


# Keyword arguments of a route's decorator, by what the route does.


def lists(model: type[BaseModel], *, paged: bool = True) -> dict[str, Any]:
    return {"responses": {200: {"model": _listing(model, paged), "description": "One page."}}}


def shows(
    model: type[BaseModel], description: str = "The object; its version is the ETag."
) -> dict[str, Any]:
    return {"responses": {200: {"model": model, "description": description}}}


def changes(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "responses": {200: {"model": model, "description": "The object as changed."}},
        "openapi_extra": {"parameters": [IF_MATCH]},
    }


def creates(
    model: type[BaseModel], description: str = "Created.", status: int = 201
) -> dict[str, Any]:
    return {
        "status_code": status,
        "responses": {
            status: {"model": model, "description": description},
            422: _error("The Idempotency-Key was used before for a different request."),
        },
        "openapi_extra": {"parameters": [IDEMPOTENCY_KEY]},
    }


# Query parameters parsed by our code (400 for a bad value, never 422), as they are meant.
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
}


def documented(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's document without its 422 validation responses (bad input is a 400 here),
    with the bearer scheme and our parameters' schemas."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    _clean(operation)
            components = document.setdefault("components", {})
            for name in ("HTTPValidationError", "ValidationError"):
                components.get("schemas", {}).pop(name, None)
            components["securitySchemes"] = {
                "adminToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An admin token (fca_...); Fleets API tokens are refused.",
                }
            }
            document["security"] = [{"adminToken": []}]
            app.openapi_schema = document
        return app.openapi_schema

    return openapi


def _clean(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    default_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
    if "HTTPValidationError" in str(default_422.get("schema", {})):
        responses.pop("422")
    for parameter in operation.get("parameters", ()):
        declared = PARAMETER_SCHEMAS.get(parameter["name"])
        if declared is not None and parameter.get("in") == "query":
            parameter["schema"] = {**declared, "description": parameter.get("description")}
