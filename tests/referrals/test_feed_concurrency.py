"""Concurrent writers and pollers on a real server: the feed never skips or repeats a change."""

import threading
from typing import Any

import httpx
from sqlmodel import select

from app.referrals.models import Referral
from tests.conftest import World

WRITERS = 4
INTAKES_PER_WRITER = 12
POLLERS = 3


def _writer(base: str, world: World, errors: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=30) as c:
        for i in range(INTAKES_PER_WRITER):
            r = c.post(
                "/api/v1/intakes",
                json={
                    "question": f"Lekkage in de badkamer ({i})",
                    "channel": "telefoon",
                    "consent": True,
                    "domains": ["wonen"],
                },
                headers=world.thuiszorg.headers,
            )
            if r.status_code != 201:
                errors.append(r.text)
                continue
            rid = r.json()["referrals"][0]["id"]
            # Move half of them on, so the feed carries updates as well as creations.
            for step in ["received", "accepted"][: i % 3]:
                s = c.post(
                    f"/api/v1/referrals/{rid}/status",
                    json={"status": step},
                    headers=world.corporatie.headers,
                )
                if s.status_code != 200:
                    errors.append(s.text)


def _poll_once(
    c: httpx.Client, headers: dict[str, str], cursor: str | None
) -> tuple[list[Any], str]:
    params: dict[str, Any] = {"limit": 7}
    if cursor:
        params["cursor"] = cursor
    r = c.get("/api/v1/referrals", params=params, headers=headers)
    r.raise_for_status()
    body = r.json()
    return body["data"], body["next_cursor"]


def _poller(base: str, world: World, stop: threading.Event, seen: list[tuple[str, int]]) -> None:
    cursor: str | None = None
    with httpx.Client(base_url=base, timeout=30) as c:
        while not stop.is_set():
            items, cursor = _poll_once(c, world.corporatie.headers, cursor)
            seen.extend((x["id"], x["version"]) for x in items)
        # Writers are done: drain what is left.
        while True:
            items, cursor = _poll_once(c, world.corporatie.headers, cursor)
            seen.extend((x["id"], x["version"]) for x in items)
            if not items:
                return


def test_concurrent_pollers_never_miss_or_repeat_a_change(live_server, world, session):
    errors: list[str] = []
    stop = threading.Event()
    seen: list[list[tuple[str, int]]] = [[] for _ in range(POLLERS)]
    pollers = [
        threading.Thread(target=_poller, args=(live_server, world, stop, seen[i]))
        for i in range(POLLERS)
    ]
    writers = [
        threading.Thread(target=_writer, args=(live_server, world, errors)) for _ in range(WRITERS)
    ]
    for t in pollers + writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    stop.set()
    for t in pollers:
        t.join(timeout=60)

    assert errors == []
    final = {str(r.id): r.version for r in session.exec(select(Referral))}
    assert len(final) == WRITERS * INTAKES_PER_WRITER
    for observed in seen:
        assert len(observed) == len(set(observed)), "a change was delivered twice"
        last: dict[str, int] = {}
        for rid, version in observed:
            assert version > last.get(rid, 0), "a poller saw a referral go back in time"
            last[rid] = version
        assert last == final, "a poller missed a change"
