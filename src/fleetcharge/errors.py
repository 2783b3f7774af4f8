"""Domain errors: each carries its HTTP status and a machine-readable code.

Services raise these; one handler in `fleetcharge.api.errors` turns them into the
JSON error body, so no service knows about HTTP.
"""


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, parameter: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        # A body field's path, e.g. `connectors[1].name` (admin API); `parameter` names a
        # query parameter.
        self.field = field


class InvalidParameter(DomainError):
    status_code = 400
    code = "invalid_parameter"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidField(DomainError):
    """A request body field (or CSV cell) that is wrong; `field` names it."""

    status_code = 400
    code = "invalid_field"


class PreconditionFailed(DomainError):
    status_code = 412
    code = "precondition_failed"
