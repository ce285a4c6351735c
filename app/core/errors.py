"""One error base for the whole service, mapped once to RFC 9457 problem details."""

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core import database
from app.core.config import API_VERSION
from app.core.headers import SECURITY_HEADERS

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# A restart of PostgreSQL takes seconds; asking clients to come back sooner only adds load.
UNAVAILABLE_RETRY_SECONDS = 10


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            # A message that quotes what the client sent can hold a lone surrogate, which no
            # UTF-8 can carry; as a JSON escape it still reaches the client.
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


class WijkwinkelError(Exception):
    """Base of every domain error. Subclasses set status, title and a problem type slug."""

    status: int = 400
    title: str = "Bad request"
    slug: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions


class NotFound(WijkwinkelError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(WijkwinkelError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class InvalidInput(WijkwinkelError):
    """Input that is well-formed but breaks a business rule."""

    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class Unauthenticated(WijkwinkelError):
    status = 401
    title = "Not authenticated"
    slug = "unauthenticated"


class Forbidden(WijkwinkelError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class PreconditionFailed(WijkwinkelError):
    status = 412
    title = "Precondition failed"
    slug = "precondition-failed"


class PayloadTooLarge(WijkwinkelError):
    status = 413
    title = "Request body too large"
    slug = "payload-too-large"


class UnsupportedMediaType(WijkwinkelError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class TooManyRequests(WijkwinkelError):
    status = 429
    title = "Too many requests"
    slug = "too-many-requests"


class ServiceUnavailable(WijkwinkelError):
    status = 503
    title = "Service unavailable"
    slug = "service-unavailable"


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extensions)
    # Set here as well as in the middleware: 500s are answered outside the middleware stack.
    all_headers = {"API-Version": API_VERSION, **SECURITY_HEADERS, **(headers or {})}
    return ProblemResponse(body, status_code=status, headers=all_headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        where, rest = parts[0], parts[1:]
        return f"{where} field '{'.'.join(rest)}'" if rest else f"the request {where}"
    return ".".join(parts)


# pydantic's words where plainer ones help: a JSON string with a lone surrogate ("\ud83d") is
# refused by the parser itself, before our own text check (app/core/schemas.py) sees it.
_PLAIN_MESSAGES = {
    "string_unicode": "contains a lone surrogate (half of a character that was cut in two), "
    "which cannot be stored; remove it and send again",
    "bool_type": "must be true or false",
}


def _message(err: dict[str, Any]) -> str:
    plain = _PLAIN_MESSAGES.get(str(err.get("type")))
    # Without a closing full stop: the messages are joined into one sentence that has its own.
    return plain or str(err.get("msg", "invalid value")).removeprefix("Value error, ").rstrip(".")


def _validation_message(err: dict[str, Any]) -> str:
    if err.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    if err.get("type") == "missing":
        return f"{_location(err['loc'])} is required"
    message = _message(err)
    if tuple(err["loc"]) == ("body",):
        return message  # a rule about the body as a whole
    return f"{_location(err['loc'])}: {message}"


def domain_problem(exc: WijkwinkelError, instance: str | None) -> ProblemResponse:
    """The problem response for a domain error (middleware answers with it directly)."""
    type_ = f"urn:wijkwinkel:problem:{exc.slug}" if exc.slug else "about:blank"
    return problem(
        exc.status,
        exc.detail,
        title=exc.title,
        type_=type_,
        instance=instance,
        headers=exc.headers,
        **exc.extensions,
    )


async def _handle_domain(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, WijkwinkelError)
    return domain_problem(exc, request.url.path)


async def _handle_http(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = str(exc.detail) if exc.detail and exc.detail != phrase else ""
    if exc.status_code == 404 and not detail:
        detail = f"There is no resource at {request.url.path}."
        if request.url.path.endswith("/") and request.url.path != "/":
            detail += " Paths have no trailing slash."
    elif exc.status_code == 405 and not detail:
        allowed = (exc.headers or {}).get("Allow", "")
        detail = f"{request.method} is not allowed on {request.url.path}. Allowed: {allowed}."
    return problem(
        exc.status_code,
        detail or phrase,
        instance=request.url.path,
        headers=dict(exc.headers or {}),
    )


async def _handle_validation(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "location": ".".join(str(p) for p in e["loc"]),
            "message": _message(e),
        }
        for e in exc.errors()
    ]
    messages = [_validation_message(e) for e in exc.errors()]
    detail = "The request is not valid: " + "; ".join(messages[:5])
    if len(messages) > 5:
        detail += f"; and {len(messages) - 5} more"
    return problem(
        422,
        detail + ".",
        title="Invalid request",
        instance=request.url.path,
        errors=errors,
    )


# Set on the request when its transaction met a deadlock or serialization failure; the retry
# middleware (app/core/middleware.py) runs such a request again instead of sending the 503.
RETRY_TRANSACTION = "retry_transaction"


async def _handle_database(request: Request, exc: Exception) -> ProblemResponse:
    failure = database.classify_failure(exc)
    if failure == database.Failure.conflict:
        setattr(request.state, RETRY_TRANSACTION, True)
        log.info("transaction conflict on %s %s", request.method, request.url.path)
        return problem(
            503,
            "Someone else changed the same record at the same moment; nothing was stored. "
            "Please send the request again.",
            instance=request.url.path,
            headers={"Retry-After": "1"},
        )
    if failure == database.Failure.unavailable:
        database.outage_began(exc)
        return problem(
            503,
            "The database cannot be reached at the moment; nothing was stored. "
            f"Please retry in {UNAVAILABLE_RETRY_SECONDS} seconds.",
            instance=request.url.path,
            headers={"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)},
        )
    if failure == database.Failure.busy:
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
        return problem(
            503,
            "The service is busy; nothing was stored. Please retry in a few seconds.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )
    return await _handle_unexpected(request, exc)


async def _handle_unexpected(request: Request, exc: Exception) -> ProblemResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "Something went wrong on our side. Nothing was stored; please try again later.",
        instance=request.url.path,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(WijkwinkelError, _handle_domain)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(sa_exc.SQLAlchemyError, _handle_database)
    app.add_exception_handler(Exception, _handle_unexpected)
