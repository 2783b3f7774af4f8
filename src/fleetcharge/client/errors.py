"""What the SDK raises. Messages name the status, the endpoint and the server's own error
body, never the request headers: the bearer token cannot leak through an exception."""

import httpx
from pydantic import ValidationError

from fleetcharge.client.models import ErrorDetail


class FleetsApiError(Exception):
    """Base class of every SDK error."""


class ApiResponseError(FleetsApiError):
    """The server answered with an error status."""

    def __init__(self, status_code: int, url: str, detail: ErrorDetail) -> None:
        self.status_code = status_code
        self.url = url
        self.detail = detail
        super().__init__(self._describe())

    @property
    def code(self) -> str:
        return self.detail.code

    @property
    def parameter(self) -> str | None:
        return self.detail.parameter

    def _describe(self) -> str:
        text = f"{self.status_code} {self.detail.code} from {self.url}"
        if self.detail.message:
            text += f": {self.detail.message}"
        return text

    @classmethod
    def from_response(cls, response: httpx.Response) -> "ApiResponseError":
        status = response.status_code
        error_class = _BY_STATUS.get(status, ServerError if status >= 500 else ApiResponseError)
        return error_class(status, _public_url(response.request.url), error_detail(response))


class InvalidParameterError(ApiResponseError):
    """400: the server rejected a query parameter (named in `parameter`)."""

    def _describe(self) -> str:
        named = f" (parameter {self.parameter})" if self.parameter else ""
        return super()._describe() + named


class AuthenticationError(ApiResponseError):
    """401: the token is missing, malformed, unknown, revoked or expired. Never retried."""


class PermissionDeniedError(ApiResponseError):
    """403: the token is valid but not entitled to this endpoint. Never retried."""


class RateLimitedError(ApiResponseError):
    """429 that could not be waited out (too many times, or a reset too far away)."""


class ServerError(ApiResponseError):
    """5xx, after the retries the policy allows for 502/503/504."""


_BY_STATUS: dict[int, type[ApiResponseError]] = {
    400: InvalidParameterError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    429: RateLimitedError,
}


class ConnectionFailedError(FleetsApiError):
    """The server could not be reached (connection error or timeout) after every retry."""

    def __init__(self, url: str, cause: httpx.TransportError, attempts: int) -> None:
        self.url = url
        self.attempts = attempts
        kind = type(cause).__name__
        super().__init__(f"could not reach {url} after {attempts} attempt(s): {kind}: {cause}")


class UnexpectedResponseError(FleetsApiError):
    """A 200 whose body is not a Fleets API page (not JSON, wrong envelope, bad record)."""


def error_detail(response: httpx.Response) -> ErrorDetail:
    """The server's JSON error body, or a stand-in when it sent something else."""
    try:
        body = response.json()
        return ErrorDetail.model_validate(body["error"])
    except (ValueError, KeyError, TypeError, ValidationError):
        return ErrorDetail(code=f"http_{response.status_code}", message=response.reason_phrase)


def _public_url(url: httpx.URL) -> str:
    """The URL without any user:password part."""
    return str(url.copy_with(userinfo=b""))
