"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware on every request)."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
