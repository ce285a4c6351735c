"""A real HTTP receiver on loopback that verifies every delivery with `standardwebhooks`."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any]


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give, then 204
    hang_seconds: float = 0.0
    retry_after: str | None = None
    received: list[Received] = field(default_factory=list)
    in_flight: int = 0
    rejected: list[str] = field(default_factory=list)
    url: str = ""

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.in_flight += 1
                if receiver.hang_seconds:
                    time.sleep(receiver.hang_seconds)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                if status < 300:
                    errors = []
                    for secret in receiver.secrets:
                        try:
                            Webhook(secret).verify(body, headers)
                            break
                        except Exception as exc:
                            errors.append(str(exc))
                    else:
                        receiver.rejected.append("; ".join(errors))
                        status = 401
                if status < 300:
                    receiver.received.append(Received(headers, body, json.loads(body)))
                self.send_response(status)
                if receiver.retry_after and status in (429, 502, 503, 504):
                    self.send_header("Retry-After", receiver.retry_after)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def server_busy(self) -> bool:
        return self.in_flight > 0

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
