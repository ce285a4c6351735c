"""Edge cases found in review: each must be a clean 4xx (or work), never a 500."""

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import func, select

from app.intakes.models import Intake
from app.referrals.models import FeedCounter, Referral
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status, wonen_referral


def test_naive_expiry_is_422(client, world):
    r = client.post(
        f"/api/v1/organisations/{world.frontoffice.id}/api-keys",
        json={"name": "x", "scopes": ["referrals:read"], "expires_at": "2030-01-01T00:00:00"},
        headers=world.frontoffice.headers,
    )
    assert_problem(r, 422)
    ok = client.post(
        f"/api/v1/organisations/{world.frontoffice.id}/api-keys",
        json={"name": "x", "scopes": ["referrals:read"], "expires_at": "2030-01-01T00:00:00Z"},
        headers=world.frontoffice.headers,
    )
    assert ok.status_code == 201


def test_cursor_beyond_bigint_is_422(client, world):
    import base64

    cursor = base64.urlsafe_b64encode(b"s99999999999999999999").decode().rstrip("=")
    r = client.get(f"/api/v1/referrals?cursor={cursor}", headers=world.corporatie.headers)
    assert_problem(r, 422)


@pytest.mark.parametrize("field", ["question", "note", "resident"])
def test_nul_characters_are_refused_everywhere(client, world, session, field):
    body = {"question": "lekkage badkamer", "channel": "balie", "consent": True}
    if field == "question":
        body["question"] = "lekkage\u0000 badkamer"
    elif field == "resident":
        body["resident"] = {"name": "mevr\u0000ouw"}
    if field != "note":
        assert_problem(
            client.post("/api/v1/intakes", json=body, headers=world.thuiszorg.headers), 422
        )
        assert session.exec(select(func.count()).select_from(Intake)).one() == 0
        return
    rid = wonen_referral(client, world)
    r = set_status(client, world.corporatie, rid, "received", note="ontvangen\u0000")
    assert_problem(r, 422)
    fwd = client.post(
        f"/api/v1/referrals/{rid}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "x\u0000"},
        headers=world.corporatie.headers,
    )
    assert_problem(fwd, 422)


def test_blank_organisation_name_is_422(client, world):
    r = client.patch(
        f"/api/v1/organisations/{world.corporatie.id}",
        json={"name": "   "},
        headers=world.frontoffice.headers,
    )
    assert_problem(r, 422)


def test_weak_if_match_never_matches(client, world):
    rid = wonen_referral(client, world)
    r = client.post(
        f"/api/v1/referrals/{rid}/status",
        json={"status": "received"},
        headers={**world.corporatie.headers, "If-Match": 'W/"1"'},
    )
    assert_problem(r, 412)


def test_front_office_feed_is_its_own_but_it_can_open_any_referral(client, world):
    rid = wonen_referral(client, world)
    feed = client.get("/api/v1/referrals", headers=world.frontoffice.headers).json()
    assert feed["data"] == []
    assert (
        client.get(f"/api/v1/referrals/{rid}", headers=world.frontoffice.headers).status_code == 200
    )


def test_lost_feed_counter_restarts_after_the_highest_position(client, world, session):
    first = wonen_referral(client, world)
    cursor = client.get("/api/v1/referrals", headers=world.corporatie.headers).json()["next_cursor"]
    session.exec(delete(FeedCounter))
    session.commit()
    second = wonen_referral(client, world)
    page = client.get(f"/api/v1/referrals?cursor={cursor}", headers=world.corporatie.headers).json()
    assert [x["id"] for x in page["data"]] == [second]
    seqs = sorted(r.feed_seq for r in session.exec(select(Referral)))
    assert len(seqs) == len(set(seqs)) == 2
    assert first != second


def _concurrently(
    base: str, n: int, method: str, path: str, json: dict, headers: dict
) -> Counter[int]:
    async def run() -> Counter[int]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            results = await asyncio.gather(
                *(c.request(method, path, json=json, headers=headers) for _ in range(n))
            )
            return Counter(r.status_code for r in results)

    return asyncio.run(run())


def test_racing_duplicate_routing_rules_give_one_rule_and_409s(live_server, world):
    got = _concurrently(
        live_server,
        8,
        "POST",
        "/api/v1/routing-rules",
        {"domain": "zorg", "pc4": "3812", "organisation_id": world.zorgcooperatie.id},
        world.frontoffice.headers,
    )
    assert got == Counter({201: 1, 409: 7})


def test_racing_duplicate_organisations_give_one_and_409s(live_server, world):
    got = _concurrently(
        live_server,
        8,
        "POST",
        "/api/v1/organisations",
        {"name": "Nieuwe Buurtcoöperatie", "type": "zorgcooperatie"},
        world.frontoffice.headers,
    )
    assert got == Counter({201: 1, 409: 7})


def test_intake_still_works_after_all_of_it(client, world):
    assert make_intake(client, world.thuiszorg)["status"] == "open"
