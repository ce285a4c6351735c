"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware on every request)."""

import random

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import (
    RETRY_TRANSACTION,
    PayloadTooLarge,
    UnsupportedMediaType,
    domain_problem,
)
from app.core.headers import API_CSP, SECURITY_HEADERS, over_tls


class APIVersionMiddleware:
    """Adds ``API-Version`` to every HTTP response (NL GOV ADR /core/version-header)."""

    def __init__(self, app: ASGIApp, version: str) -> None:
        self.app = app
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "api-version" not in headers:
                    headers.append("API-Version", self.version)
            await send(message)

        await self.app(scope, receive, send_with_version)


class SecurityHeadersMiddleware:
    """OWASP's headers for APIs on every response; HSTS only for requests that came over TLS.

    ``Cache-Control: no-store`` goes on every response to a request with credentials, so no
    browser or proxy keeps personal data. Pages that need more than the strict API policy (the
    Swagger UI) get their own Content-Security-Policy by path; paths outside ``api_prefix`` (the
    staff pages) get ``pages_policy`` when one is given.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts_max_age_seconds: int,
        page_policies: dict[str, str] | None = None,
        api_prefix: str = "/api/",
        pages_policy: str | None = None,
    ) -> None:
        self.app = app
        self.hsts = (
            f"max-age={hsts_max_age_seconds}; includeSubDomains" if hsts_max_age_seconds else None
        )
        self.page_policies = page_policies or {}
        self.api_prefix = api_prefix
        self.pages_policy = pages_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        credentials = "authorization" in request_headers
        # Trusting X-Forwarded-Proto blindly is harmless here: browsers ignore HSTS received
        # over plain HTTP.
        tls = over_tls(scope.get("scheme"), request_headers.get("x-forwarded-proto"))
        path = scope["path"]
        csp = self.page_policies.get(path) or (
            self.pages_policy
            if self.pages_policy and not path.startswith(self.api_prefix)
            else API_CSP
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                headers["Content-Security-Policy"] = csp
                if credentials and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
                if self.hsts and tls:
                    headers["Strict-Transport-Security"] = self.hsts
            await send(message)

        await self.app(scope, receive, send_with_headers)


class OpenAPICorsMiddleware:
    """CORS for the OpenAPI document only (NL GOV ADR /core/publish-openapi: readable from any
    origin). Every other path answers no CORS at all, so browsers keep other sites out."""

    def __init__(self, app: ASGIApp, *, openapi_path: str) -> None:
        self.app = app
        self.openapi_path = openapi_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.openapi_path:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            # The preflight a browser may send; the document needs no credentials.
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "GET, HEAD",
                    "Access-Control-Max-Age": "86400",
                    "Allow": "GET, HEAD, OPTIONS",
                },
            )
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = "*"
            await send(message)

        await self.app(scope, receive, send_with_cors)


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """413 problem+json for a body above the limit: by Content-Length before anything is read,
    and by counting for a chunked body. Either way the route never runs, so nothing is stored."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self, scope: Scope) -> Response:
        return domain_problem(
            PayloadTooLarge(
                f"The request body is larger than {self.max_body_bytes} bytes, the most this API "
                "accepts. Nothing was stored.",
                max_body_bytes=self.max_body_bytes,
            ),
            scope.get("path"),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._too_large(scope)(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own answer to the aborted read (FastAPI says 400) is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # However the app passed the aborted read on, the answer is 413.
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(scope)(scope, receive, send)


class TransactionRetryMiddleware:
    """Run a request again when its transaction met a deadlock or serialization failure.

    Such a transaction was rolled back whole, so running the request again is safe; the database
    chose it as the one to give way, and a second run usually finds the other one done. The error
    handler marks the request (`RETRY_TRANSACTION` in its state) and answers 503; here that answer
    is dropped and the request runs again with the same body, up to `attempts` runs in all. The
    last run's answer goes out whatever it is. Inside the rate limit: a retry costs no tokens.
    """

    def __init__(self, app: ASGIApp, *, attempts: int) -> None:
        self.app = app
        self.attempts = attempts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.attempts <= 1:
            await self.app(scope, receive, send)
            return
        # The body as the app read it, for the next run; nothing is read ahead of the app.
        recorded: list[Message] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                recorded.append(message)
            return message

        for attempt in range(1, self.attempts + 1):
            sent = await self._run(
                scope, recorded, recording_receive, send, last=attempt == self.attempts
            )
            if sent:
                return
            # Apart a little, at random, so two requests that met each other do not meet again.
            await anyio.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311

    async def _run(
        self,
        scope: Scope,
        recorded: list[Message],
        receive: Receive,
        send: Send,
        *,
        last: bool,
    ) -> bool:
        """One run of the request; False when its answer was dropped for another run."""
        state: dict[str, object] = dict(scope.get("state") or {})
        replay = iter(list(recorded))
        dropped = False

        async def run_receive() -> Message:
            for message in replay:
                return message
            return await receive()

        async def run_send(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start" and state.get(RETRY_TRANSACTION):
                dropped = not last
            if not dropped:
                await send(message)

        await self.app({**scope, "state": state}, run_receive, run_send)
        return not dropped


class JSONBodyMiddleware:
    """415 for an API request body that is not sent as `application/json`.

    Left to itself FastAPI reads any `*/*+json` body (`application/json-patch+json`, whose
    meaning is a list of operations) and a body without a Content-Type as plain JSON; a client
    that meant something else would have it taken as something it did not say. The API documents
    `application/json` only, so that is what it reads; in UTF-8, the only charset JSON has.
    """

    def __init__(self, app: ASGIApp, *, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in {"GET", "HEAD", "OPTIONS"}
            or not scope["path"].startswith(self.api_prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        has_body = "transfer-encoding" in headers or (length is not None and length != "0")
        problem = _not_json(headers.get("content-type")) if has_body else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        await domain_problem(UnsupportedMediaType(problem), scope["path"])(scope, receive, send)


def _not_json(content_type: str | None) -> str | None:
    """Why a body of this Content-Type is not read as JSON, or None when it is."""
    if not content_type:
        return (
            "The request has a body but no Content-Type; send it as JSON with "
            "Content-Type: application/json. Nothing was stored."
        )
    media, _, params = content_type.partition(";")
    if media.strip().lower() != "application/json":
        return (
            f"This API reads request bodies as application/json only, not {media.strip()[:100]}. "
            "Nothing was stored."
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in {
            "utf-8",
            "utf8",
        }:
            return (
                "JSON is read in UTF-8 only; send charset=utf-8 or no charset. Nothing was stored."
            )
    return None
