"""The database away, and a transaction chosen to give way: what a client sees and what the log
says."""

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, func, select

from app.core import database
from app.referrals import changes, reading
from app.referrals.models import ReferralEvent
from tests.conftest import World
from tests.core.apps import app_with
from tests.helpers import assert_problem
from tests.referrals.helpers import set_status, wonen_referral


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes the connection and then never says a word (a hung server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield int(s.getsockname()[1])


@contextmanager
def _away(monkeypatch: pytest.MonkeyPatch, url: str, **settings: str) -> Iterator[TestClient]:
    """The app with its engine pointed at `url`; the suite's engine is back afterwards."""
    monkeypatch.setattr(database, "_outage", database._Outage())
    with app_with(monkeypatch, database_url=url, **settings) as app:
        monkeypatch.setattr(database, "_engine", database.make_engine(url))
        with TestClient(app) as c:
            yield c
        database._engine.dispose()  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_database_away_is_503_with_retry_after_and_one_log_line(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    make_party,  # type: ignore[no-untyped-def]
    silent_port: int,
    kind: str,
) -> None:
    party = make_party()  # made while the database is there
    port = _closed_port() if kind == "refused" else silent_port
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/wijkwinkel"
    caplog.set_level(logging.INFO)
    with _away(monkeypatch, url, db_connect_timeout_seconds="1") as c:
        assert c.get("/api/v1/health").status_code == 200
        ready = assert_problem(c.get("/api/v1/ready"), 503)
        assert "cannot be reached" in ready["detail"]
        for _ in range(3):
            r = c.post(
                "/api/v1/intakes",
                json={"question": "lekkage", "channel": "balie", "consent": True},
                headers=party.headers,
            )
            body = assert_problem(r, 503)
            assert r.headers["Retry-After"] == "10"
            assert "database cannot be reached" in body["detail"]
            assert "nothing was stored" in body["detail"]
        r = c.get("/api/v1/referrals", headers=party.headers)
        assert_problem(r, 503)
        # A staff page says it in Dutch, with the same advice to wait.
        c.cookies.set("wwk_session", "a-login-from-before")
        page = c.get("/inbox", follow_redirects=False)
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "10"
        assert "Er is niets opgeslagen" in page.text

    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1, [rec.getMessage() for rec in errors]
    assert "database unreachable" in errors[0].getMessage()
    assert errors[0].exc_info is None  # no traceback: the cause is not in this process
    assert not any(rec.exc_info for rec in caplog.records)


def test_the_first_request_after_the_database_returns_is_served(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    client: TestClient,
    world: World,
) -> None:
    referral_id = wonen_referral(client, world)
    calls = {"n": 0}
    original = reading.get_with_intake

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] <= 2:
            raise sa_exc.OperationalError(
                "SELECT 1", {}, psycopg.OperationalError("connection failed: Connection refused")
            )
        return original(**kwargs)

    monkeypatch.setattr(database, "_outage", database._Outage())
    monkeypatch.setattr(reading, "get_with_intake", flaky)
    caplog.set_level(logging.INFO, logger="app.core.database")
    headers = world.corporatie.headers
    for _ in range(2):
        assert_problem(client.get(f"/api/v1/referrals/{referral_id}", headers=headers), 503)
    assert client.get(f"/api/v1/referrals/{referral_id}", headers=headers).status_code == 200
    messages = [rec.getMessage() for rec in caplog.records]
    assert sum("database unreachable" in m for m in messages) == 1
    assert sum("reachable again" in m for m in messages) == 1


def _deadlock() -> sa_exc.OperationalError:
    return sa_exc.OperationalError(
        "SELECT ... FOR UPDATE", {}, psycopg.errors.DeadlockDetected("deadlock detected")
    )


def test_a_transaction_chosen_to_give_way_runs_again(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, world: World, session: Session
) -> None:
    referral_id = wonen_referral(client, world)
    original = changes.change_status
    seen: list[object] = []

    def loses_once(**kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs["note"])
        if len(seen) == 1:
            original(**kwargs)  # written, then rolled back with the whole transaction
            raise _deadlock()
        return original(**kwargs)

    monkeypatch.setattr(changes, "change_status", loses_once)
    r = set_status(client, world.corporatie, referral_id, "received", note="gebeld")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "received"
    assert seen == ["gebeld", "gebeld"]  # the same body, read again
    # The first run left nothing behind: one event for the change, not two.
    events = session.exec(
        select(func.count()).select_from(ReferralEvent).where(ReferralEvent.to_status == "received")
    ).one()
    assert events == 1
    history = client.get(
        f"/api/v1/referrals/{referral_id}/history", headers=world.corporatie.headers
    )
    assert [e["to_status"] for e in history.json()["data"]] == ["requested", "received"]


def test_a_transaction_that_keeps_losing_gets_503_after_three_runs(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, world: World
) -> None:
    referral_id = wonen_referral(client, world)
    runs = {"n": 0}

    def always_loses(**kwargs):  # type: ignore[no-untyped-def]
        runs["n"] += 1
        raise _deadlock()

    monkeypatch.setattr(changes, "change_status", always_loses)
    r = set_status(client, world.corporatie, referral_id, "received")
    body = assert_problem(r, 503)
    assert r.headers["Retry-After"] == "1"
    assert "same moment" in body["detail"]
    assert runs["n"] == 3
    r = client.get(f"/api/v1/referrals/{referral_id}", headers=world.corporatie.headers)
    assert r.json()["status"] == "requested"


def test_a_bug_is_not_run_again(monkeypatch: pytest.MonkeyPatch, world: World) -> None:
    runs = {"n": 0}

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        runs["n"] += 1
        raise sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(changes, "change_status", broken)
    from app.main import app

    with TestClient(app, raise_server_exceptions=False) as c:
        referral_id = wonen_referral(c, world)
        r = set_status(c, world.corporatie, referral_id, "received")
    assert_problem(r, 500)
    assert runs["n"] == 1
