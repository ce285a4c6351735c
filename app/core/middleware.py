"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware on every request)."""

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PayloadTooLarge, domain_problem
from app.core.headers import API_CSP, SECURITY_HEADERS


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
        # Behind a TLS-terminating proxy the scheme arrives as X-Forwarded-Proto. Trusting it
        # blindly is harmless here: browsers ignore HSTS received over plain HTTP.
        forwarded = request_headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        over_tls = scope.get("scheme") == "https" or forwarded == "https"
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
                if self.hsts and over_tls:
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
