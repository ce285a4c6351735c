"""Rate limits: a token bucket per API key, and failed authentications per client address."""

import pytest
from fastapi.testclient import TestClient

from app.core.ratelimit import TokenBucketLimiter
from tests.core.apps import app_with
from tests.helpers import assert_problem


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate():
    clock = Clock()
    limiter = TokenBucketLimiter(per_minute=60, burst=3, clock=clock)
    verdicts = [limiter.take("k") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert verdicts[-1].retry_after_seconds == 1
    assert verdicts[-1].reset_seconds == 3  # one token a second, three to fill

    clock.now += 0.5
    assert not limiter.take("k").allowed  # half a token is not a request
    clock.now += 0.5
    assert limiter.take("k").allowed
    clock.now += 3600  # idle: full again, never more than the burst
    assert limiter.peek("k").remaining == 3
    assert limiter.take("other").allowed  # keys do not share


def test_retry_after_rounds_up_at_slow_rates():
    clock = Clock()
    limiter = TokenBucketLimiter(per_minute=6, burst=1, clock=clock)
    assert limiter.take("k").allowed
    assert limiter.take("k").retry_after_seconds == 10
    clock.now += 9.5
    assert limiter.take("k").retry_after_seconds == 1


def test_idle_buckets_are_forgotten_when_memory_fills():
    clock = Clock()
    limiter = TokenBucketLimiter(per_minute=60, burst=2, clock=clock, max_buckets=10)
    for i in range(10):
        limiter.take(f"k{i}")
    clock.now += 10  # all full again
    limiter.take("new")
    assert len(limiter._buckets) == 1


@pytest.fixture
def limited(monkeypatch):  # type: ignore[no-untyped-def]
    with app_with(
        monkeypatch,
        rate_limit_per_minute="6",
        rate_limit_burst="3",
        auth_failures_per_minute="2",
    ) as app:
        yield TestClient(app)


def test_key_over_its_limit_gets_429_with_retry_after(limited, make_party):
    party, other = make_party(), make_party()
    for remaining in (2, 1, 0):
        r = limited.get("/api/v1/organisations", headers=party.headers)
        assert r.status_code == 200
        assert r.headers["RateLimit-Limit"] == "3"
        assert r.headers["RateLimit-Remaining"] == str(remaining)

    r = limited.get("/api/v1/organisations", headers=party.headers)
    body = assert_problem(r, 429)
    assert body["title"] == "Too many requests"
    assert body["type"] == "urn:wijkwinkel:problem:too-many-requests"
    assert 9 <= int(r.headers["Retry-After"]) <= 10  # one request per 10 s
    assert f"retry after {r.headers['Retry-After']} seconds" in body["detail"]
    assert "at most 6 a minute, 3 at once" in body["detail"]
    assert r.headers["RateLimit-Remaining"] == "0"
    assert r.headers["x-content-type-options"] == "nosniff"

    # Writes are refused too, before anything is stored.
    w = limited.post("/api/v1/intakes", json={}, headers=party.headers)
    assert_problem(w, 429)

    # Another key of any organisation is not affected; nor are requests without a key.
    assert limited.get("/api/v1/organisations", headers=other.headers).status_code == 200
    assert limited.get("/api/v1/health").status_code == 200


def test_guessing_keys_locks_out_the_address_but_not_working_keys(limited, make_party):
    party = make_party()
    assert limited.get("/api/v1/organisations", headers=party.headers).status_code == 200

    for guess in ("wwk_guess1", "wwk_guess2"):
        r = limited.get("/api/v1/organisations", headers={"Authorization": f"Bearer {guess}"})
        assert_problem(r, 401)
    r = limited.get("/api/v1/organisations", headers={"Authorization": "Bearer wwk_guess3"})
    body = assert_problem(r, 429)
    assert "failed authentication attempts" in body["detail"]
    assert int(r.headers["Retry-After"]) >= 1

    # A key that works from this address goes on working: colleagues behind one NAT.
    assert limited.get("/api/v1/organisations", headers=party.headers).status_code == 200
    # Without a key there is nothing to guess.
    assert_problem(limited.get("/api/v1/organisations"), 401)


def test_limits_can_be_switched_off(monkeypatch, make_party):
    party = make_party()
    with app_with(
        monkeypatch, rate_limit_per_minute="0", rate_limit_burst="1", auth_failures_per_minute="0"
    ) as app:
        c = TestClient(app)
        for _ in range(5):
            r = c.get("/api/v1/organisations", headers=party.headers)
            assert r.status_code == 200
            assert "RateLimit-Limit" not in r.headers
        for _ in range(5):
            bad = {"Authorization": "Bearer wwk_wrong"}
            assert_problem(c.get("/api/v1/organisations", headers=bad), 401)


def test_suite_defaults_are_sensible():
    from app.core.config import Settings

    fields = Settings.model_fields
    assert fields["rate_limit_per_minute"].default == 600
    assert fields["rate_limit_burst"].default == 100
    assert fields["auth_failures_per_minute"].default == 30
    assert fields["max_body_bytes"].default == 1024 * 1024
