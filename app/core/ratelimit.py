"""Rate limiting: a token bucket per API key, and one per client address for failed logins.

The buckets live in this process's memory. With several workers (``WIJKWINKEL_WORKERS``) or
replicas, each keeps its own, so a key may send up to that many times the rate in all; divide
the setting by the number of processes, or limit at the proxy, when that matters. A shared store
(Redis, the database) would make the limit exact at the price of a round trip per request.

Requests are counted before authentication, by a hash of the key, so a throttled caller costs
no database work at all.
"""

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import TooManyRequests, domain_problem


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    # The key authenticated on its last use: it passes even when its address is locked out
    # for failed attempts (a colleague behind the same NAT mistyping a key must not stop it).
    trusted: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class TokenBucketLimiter:
    """``burst`` requests at once, refilled at ``per_minute`` / 60 per second."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = 100_000,
    ) -> None:
        if per_minute <= 0 or burst <= 0:
            raise ValueError("per_minute and burst must be positive")
        self.rate = per_minute / 60.0
        self.capacity = float(burst)
        self.clock = clock
        self.max_buckets = max_buckets
        self._buckets: dict[str, _Bucket] = {}

    def _bucket(self, name: str, now: float) -> _Bucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            if len(self._buckets) >= self.max_buckets:
                self._prune(now)
            bucket = _Bucket(tokens=self.capacity, updated=now)
            self._buckets[name] = bucket
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        return bucket

    def _prune(self, now: float) -> None:
        # A full bucket is the same as none; keeps memory bounded under random keys.
        for name, b in list(self._buckets.items()):
            if b.tokens + (now - b.updated) * self.rate >= self.capacity:
                del self._buckets[name]
        if len(self._buckets) >= self.max_buckets:  # still full: forget the oldest half
            for name in list(self._buckets)[: self.max_buckets // 2]:
                del self._buckets[name]

    def _verdict(self, bucket: _Bucket, allowed: bool) -> Verdict:
        missing = max(0.0, 1.0 - bucket.tokens)
        return Verdict(
            allowed=allowed,
            limit=int(self.capacity),
            remaining=int(bucket.tokens),
            reset_seconds=math.ceil((self.capacity - bucket.tokens) / self.rate),
            retry_after_seconds=0 if allowed else max(1, math.ceil(missing / self.rate)),
        )

    def take(self, name: str) -> Verdict:
        """Spend one token if there is one."""
        bucket = self._bucket(name, self.clock())
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        return self._verdict(bucket, allowed)

    def peek(self, name: str) -> Verdict:
        """Whether a token is there, without spending it."""
        bucket = self._bucket(name, self.clock())
        return self._verdict(bucket, bucket.tokens >= 1.0)

    def is_trusted(self, name: str) -> bool:
        bucket = self._buckets.get(name)
        return bucket is not None and bucket.trusted

    def set_trusted(self, name: str, trusted: bool) -> None:
        bucket = self._buckets.get(name)
        if bucket is not None:
            bucket.trusted = trusted


def _bearer_token(scope: Scope) -> str | None:
    value = Headers(scope=scope).get("authorization", "")
    scheme, _, token = value.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class RateLimitMiddleware:
    """429 problem+json with Retry-After when a key sends too fast, or an address guesses keys."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_minute: int,
        burst: int,
        auth_failures_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.per_minute = per_minute
        self.burst = burst
        self.keys = (
            TokenBucketLimiter(per_minute=per_minute, burst=burst, clock=clock)
            if per_minute
            else None
        )
        self.failures = (
            TokenBucketLimiter(
                per_minute=auth_failures_per_minute, burst=auth_failures_per_minute, clock=clock
            )
            if auth_failures_per_minute
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _bearer_token(scope) if scope["type"] == "http" else None
        if token is None:
            # Without a key there is nothing to guess and nothing to count against.
            await self.app(scope, receive, send)
            return
        key = "key:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
        client = scope.get("client")
        address = client[0] if client else "unknown"

        if self.failures is not None and not (self.keys and self.keys.is_trusted(key)):
            locked = self.failures.peek(address)
            if not locked.allowed:
                wait = locked.retry_after_seconds
                await self._refuse(
                    scope,
                    receive,
                    send,
                    f"Too many failed authentication attempts from your address; "
                    f"please retry after {_plural(wait, 'second')}.",
                    {"Retry-After": str(wait)},
                )
                return

        verdict = self.keys.take(key) if self.keys is not None else None
        if verdict is not None and not verdict.allowed:
            wait = verdict.retry_after_seconds
            await self._refuse(
                scope,
                receive,
                send,
                f"Too many requests with this API key: at most {self.per_minute} a minute, "
                f"{self.burst} at once. Nothing was done; please retry after "
                f"{_plural(wait, 'second')}.",
                {"Retry-After": str(wait), **verdict.headers()},
            )
            return

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                failed = message["status"] == 401
                if failed and self.failures is not None:
                    self.failures.take(address)
                if self.keys is not None:
                    self.keys.set_trusted(key, not failed)
                if verdict is not None:
                    headers = MutableHeaders(scope=message)
                    for name, value in verdict.headers().items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_counted)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, detail: str, headers: dict[str, str]
    ) -> None:
        response = domain_problem(TooManyRequests(detail, headers=headers), scope.get("path"))
        await response(scope, receive, send)
