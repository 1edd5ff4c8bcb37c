"""Domain errors. ``portfolio.api.errors`` maps each to its HTTP status and JSON body; the
rules raise them and never think about HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of the errors a request can end in."""


class InvalidFilters(DomainError):
    """One or more filter parameters do not parse (django-filter's form errors).

    ``errors`` maps each bad parameter to its messages, in the filterset's field order.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(f"invalid filter parameters: {', '.join(errors)}")
        self.errors = errors


class InvalidSearch(DomainError):
    """The ``search`` parameter fails DRF's CharField validation (a NUL character)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class PortfolioNotFound(DomainError):
    """No portfolio with this id matches the request (DRF: "No Portfolio matches the given
    query.")."""


class InvalidLookup(DomainError):
    """The id in the URL is not an integer (DRF answers a bare "Not found.")."""


class ServiceUnavailable(DomainError):
    """A dependency (DynamoDB) failed after bounded retries; the client may retry later."""

    def __init__(
        self, message: str = "The service is temporarily unavailable.", *, retry_after_s: int = 1
    ) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class MalformedBody(DomainError):
    """A request body that is not JSON (DRF: 400 ``{"detail": "JSON parse error - ..."}``)."""


class UnsupportedMediaType(DomainError):
    """A request body of a type the route does not parse (DRF: 415)."""

    def __init__(self, media_type: str) -> None:
        super().__init__(f'Unsupported media type "{media_type}" in request.')


class PermissionDenied(DomainError):
    """The caller may not do this (DRF: 403 "You do not have permission to perform this
    action.")."""


class InvalidUploadRequest(DomainError):
    """An upload request's fields that do not validate, each with its messages (DRF's 400
    body; ``portfolio.domain.upload_requests``)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(f"invalid upload request: {', '.join(errors)}")
        self.errors = errors


class UploadNotFound(DomainError):
    """No upload with this id, or one the caller may not see (404 either way)."""
