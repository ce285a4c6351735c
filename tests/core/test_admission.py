"""Bursts of requests queue for the database instead of failing."""

import asyncio
from collections import Counter

import anyio
import httpx
import pytest

from app.api import deps
from app.core.config import get_settings
from app.core.errors import ServiceUnavailable


def test_a_burst_of_intakes_all_succeed(live_server, world):
    async def burst(n: int) -> Counter[int]:
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        async with httpx.AsyncClient(base_url=live_server, timeout=60, limits=limits) as c:

            async def one(i: int) -> int:
                r = await c.post(
                    "/api/v1/intakes",
                    json={
                        "question": f"lekkage {i}",
                        "channel": "telefoon",
                        "consent": True,
                        "domains": ["wonen"],
                    },
                    headers=world.thuiszorg.headers,
                )
                return r.status_code

            return Counter(await asyncio.gather(*(one(i) for i in range(n))))

    # More requests than the thread pool (40) and the connection pool hold.
    assert asyncio.run(burst(90)) == Counter({201: 90})


def test_waiting_too_long_is_503_with_retry_after(monkeypatch):
    monkeypatch.setattr(get_settings(), "max_db_requests", 1)
    monkeypatch.setattr(get_settings(), "admission_timeout_seconds", 0.05)

    async def scenario() -> None:
        deps._admission.clear()
        holder = deps.admit()
        await holder.__anext__()  # takes the only slot
        waiter = deps.admit()
        with pytest.raises(ServiceUnavailable) as caught:
            await waiter.__anext__()
        assert caught.value.headers["Retry-After"] == "5"
        with pytest.raises(StopAsyncIteration):
            await holder.__anext__()  # gives the slot back

    anyio.run(scenario)
    deps._admission.clear()
