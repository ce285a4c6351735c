import pytest
from sqlalchemy import event

from app.core.database import get_engine, is_sqlite
from app.referrals.states import FINAL, PARTNER_NEXT, ReferralStatus
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status, wonen_referral

ALL = [s.value for s in ReferralStatus]
SETTABLE = [s for s in ALL if s != "forwarded"]  # forwarding has its own endpoint


def test_whole_loop_thuiszorg_to_corporatie(client, world):
    intake = make_intake(client, world.thuiszorg)
    rid = intake["referrals"][0]["id"]

    feed = client.get("/api/v1/referrals", headers=world.corporatie.headers).json()
    (item,) = feed["data"]
    assert item["id"] == rid
    assert item["intake"]["question"].startswith("Mevrouw kan de trap")
    assert item["intake"]["resident"]["phone"] == "06-12345678"
    assert item["next_statuses"] == ["received"]

    for step in ["received", "accepted", "in_progress"]:
        r = set_status(client, world.corporatie, rid, step, note=f"{step} door De Linie")
        assert r.status_code == 200
        assert r.json()["status"] == step
    done = set_status(client, world.corporatie, rid, "completed", outcome="geholpen", note="klaar")
    assert done.json()["status"] == "completed"
    assert done.json()["outcome"] == "geholpen"
    assert done.json()["closed_at"] is not None

    history = client.get(f"/api/v1/referrals/{rid}/history", headers=world.corporatie.headers)
    steps = [(e["from_status"], e["to_status"]) for e in history.json()["data"]]
    assert steps == [
        (None, "requested"),
        ("requested", "received"),
        ("received", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "completed"),
    ]
    last = history.json()["data"][-1]
    assert last["actor_organisation_name"] == "Woonstichting De Linie"
    assert last["note"] == "klaar"
    assert last["outcome"] == "geholpen"
    assert history.json()["data"][0]["actor_organisation_id"] == world.thuiszorg.id

    closed = client.get(f"/api/v1/intakes/{intake['id']}", headers=world.thuiszorg.headers).json()
    assert closed["status"] == "closed"
    assert closed["referrals"][0]["status"] == "completed"


@pytest.mark.parametrize("start", [*SETTABLE, "forwarded"])
@pytest.mark.parametrize("target", SETTABLE)
def test_every_transition_by_the_receiving_partner(client, world, start, target):
    rid = wonen_referral(client, world, start)
    extra = {"outcome": "geholpen"} if target == "completed" else {}
    if target == "rejected":
        extra["note"] = "past niet"
    r = set_status(client, world.corporatie, rid, target, **extra)
    legal = ReferralStatus(target) in PARTNER_NEXT.get(ReferralStatus(start), frozenset())
    if legal:
        assert r.status_code == 200, r.text
        assert r.json()["status"] == target
    elif target == "cancelled" and ReferralStatus(start) not in FINAL:
        assert "front office" in assert_problem(r, 403)["detail"]
    else:
        body = assert_problem(r, 409)
        allowed = sorted(s.value for s in PARTNER_NEXT.get(ReferralStatus(start), frozenset()))
        assert sorted(body["allowed_next_statuses"]) == allowed
        assert f"'{start}'" in body["detail"]
        assert body["type"] == "urn:wijkwinkel:problem:illegal-transition"


@pytest.mark.parametrize("start", ALL)
def test_front_office_cancels_any_open_referral(client, world, start):
    rid = wonen_referral(client, world, start)
    r = set_status(client, world.frontoffice, rid, "cancelled", note="dubbel")
    if ReferralStatus(start) in FINAL:
        body = assert_problem(r, 409)
        assert body["allowed_next_statuses"] == []
    else:
        assert r.status_code == 200
        assert r.json()["status"] == "cancelled"
        assert r.json()["next_statuses"] == []


def test_front_office_cannot_act_for_the_partner(client, world):
    rid = wonen_referral(client, world)
    body = assert_problem(set_status(client, world.frontoffice, rid, "received"), 403)
    assert "organisation the referral was sent to" in body["detail"]


def test_outcome_and_note_rules(client, world):
    rid = wonen_referral(client, world, "in_progress")
    assert (
        "outcome"
        in assert_problem(set_status(client, world.corporatie, rid, "completed"), 422)["detail"]
    )
    bad = set_status(client, world.corporatie, rid, "completed", outcome="opgelost")
    assert_problem(bad, 422)
    held = set_status(client, world.corporatie, rid, "on_hold", outcome="geholpen")
    assert_problem(held, 422)
    rid2 = wonen_referral(client, world, "received")
    assert (
        "note"
        in assert_problem(set_status(client, world.corporatie, rid2, "rejected"), 422)["detail"]
    )


@pytest.mark.parametrize(
    "outcome", ["geholpen", "doorverwezen", "geen_hulp_nodig", "niet_bereikbaar", "wachtlijst"]
)
def test_every_outcome_code_completes(client, world, outcome):
    rid = wonen_referral(client, world, "in_progress")
    r = set_status(client, world.corporatie, rid, "completed", outcome=outcome)
    assert r.json()["outcome"] == outcome


def test_if_match_etag(client, world):
    rid = wonen_referral(client, world)
    got = client.get(f"/api/v1/referrals/{rid}", headers=world.corporatie.headers)
    tag = got.headers["ETag"]
    ok = client.post(
        f"/api/v1/referrals/{rid}/status",
        json={"status": "received"},
        headers={**world.corporatie.headers, "If-Match": tag},
    )
    assert ok.status_code == 200
    assert ok.headers["ETag"] != tag
    stale = client.post(
        f"/api/v1/referrals/{rid}/status",
        json={"status": "accepted"},
        headers={**world.corporatie.headers, "If-Match": tag},
    )
    body = assert_problem(stale, 412)
    assert body["current_etag"] == ok.headers["ETag"]
    current = client.get(f"/api/v1/referrals/{rid}", headers=world.corporatie.headers)
    assert current.json()["status"] == "received"  # nothing changed by the 412


def test_forward_creates_linked_referral(client, world):
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    set_status(client, world.corporatie, rid, "received")
    r = client.post(
        f"/api/v1/referrals/{rid}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "urgentieverklaring is gemeente"},
        headers=world.corporatie.headers,
    )
    assert r.status_code == 201
    new = r.json()
    assert r.headers["Location"] == f"/api/v1/referrals/{new['id']}"
    assert new["organisation_id"] == world.gemeente.id
    assert new["status"] == "requested"
    assert new["routed_by"] == "forwarded"
    assert new["forwarded_from_id"] == rid

    old = client.get(f"/api/v1/referrals/{rid}", headers=world.corporatie.headers).json()
    assert old["status"] == "forwarded"
    assert old["forwarded_to_id"] == new["id"]

    gemeente_feed = client.get("/api/v1/referrals", headers=world.gemeente.headers).json()["data"]
    assert [x["id"] for x in gemeente_feed] == [new["id"]]
    hist = client.get(f"/api/v1/referrals/{new['id']}/history", headers=world.gemeente.headers)
    assert "urgentieverklaring" in hist.json()["data"][0]["note"]
    old_hist = client.get(f"/api/v1/referrals/{rid}/history", headers=world.corporatie.headers)
    assert old_hist.json()["data"][-1]["to_status"] == "forwarded"

    still_open = client.get(f"/api/v1/intakes/{intake['id']}", headers=world.thuiszorg.headers)
    assert still_open.json()["status"] == "open"
    assert [x["status"] for x in still_open.json()["referrals"]] == ["forwarded", "requested"]


def test_forward_errors(client, world):
    rid = wonen_referral(client, world)
    url = f"/api/v1/referrals/{rid}/forward"
    same = client.post(
        url,
        json={"organisation_id": world.corporatie.id, "reason": "x"},
        headers=world.corporatie.headers,
    )
    assert_problem(same, 422)
    unknown = client.post(
        url,
        json={"organisation_id": "00000000-0000-4000-8000-000000000000", "reason": "x"},
        headers=world.corporatie.headers,
    )
    assert_problem(unknown, 422)
    no_reason = client.post(
        url, json={"organisation_id": world.gemeente.id}, headers=world.corporatie.headers
    )
    assert_problem(no_reason, 422)
    done = wonen_referral(client, world, "completed")
    final = client.post(
        f"/api/v1/referrals/{done}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "x"},
        headers=world.corporatie.headers,
    )
    assert_problem(final, 409)


def test_foreign_organisation_gets_404_everywhere(client, world):
    rid = wonen_referral(client, world)
    other = world.welzijn.headers
    assert_problem(client.get(f"/api/v1/referrals/{rid}", headers=other), 404)
    assert_problem(client.get(f"/api/v1/referrals/{rid}/history", headers=other), 404)
    assert_problem(set_status(client, world.welzijn, rid, "received"), 404)
    fwd = client.post(
        f"/api/v1/referrals/{rid}/forward",
        json={"organisation_id": world.welzijn.id, "reason": "x"},
        headers=other,
    )
    assert_problem(fwd, 404)
    assert client.get("/api/v1/referrals", headers=other).json()["data"] == []
    # Not even the organisation that signalled it sees the corporatie's referral object.
    assert_problem(client.get(f"/api/v1/referrals/{rid}", headers=world.thuiszorg.headers), 404)


def test_intake_closes_when_all_referrals_are_final_and_reopens_on_forward(client, world):
    intake = make_intake(client, world.thuiszorg, domains=["wonen", "zorg"])
    by_domain = {r["domain"]: r["id"] for r in intake["referrals"]}
    url = f"/api/v1/intakes/{intake['id']}"
    set_status(client, world.frontoffice, by_domain["wonen"], "cancelled")
    assert client.get(url, headers=world.thuiszorg.headers).json()["status"] == "open"
    set_status(client, world.thuiszorg, by_domain["zorg"], "received")
    set_status(client, world.thuiszorg, by_domain["zorg"], "rejected", note="geen indicatie")
    closed = client.get(url, headers=world.thuiszorg.headers).json()
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None


def test_feed_pages_with_cursor_and_status_filter(client, world):
    ids = [wonen_referral(client, world) for _ in range(5)]
    h = world.corporatie.headers
    first = client.get("/api/v1/referrals?limit=2", headers=h).json()
    assert [x["id"] for x in first["data"]] == ids[:2]
    assert first["has_more"] is True
    second = client.get(f"/api/v1/referrals?limit=2&cursor={first['next_cursor']}", headers=h)
    assert [x["id"] for x in second.json()["data"]] == ids[2:4]
    third = client.get(
        f"/api/v1/referrals?limit=2&cursor={second.json()['next_cursor']}", headers=h
    )
    assert [x["id"] for x in third.json()["data"]] == ids[4:]
    cursor = third.json()["next_cursor"]

    empty = client.get(f"/api/v1/referrals?cursor={cursor}", headers=h).json()
    assert empty["data"] == []
    assert empty["next_cursor"] == cursor  # keep polling with it
    assert empty["has_more"] is False

    set_status(client, world.corporatie, ids[1], "received")
    changed = client.get(f"/api/v1/referrals?cursor={cursor}", headers=h).json()
    assert [(x["id"], x["status"]) for x in changed["data"]] == [(ids[1], "received")]

    received = client.get("/api/v1/referrals?status=received", headers=h).json()["data"]
    assert [x["id"] for x in received] == [ids[1]]


@pytest.mark.parametrize(
    "query", ["cursor=nonsense", "cursor=czE", "limit=0", "limit=501", "status=done"]
)
def test_feed_rejects_bad_parameters(client, world, query):
    if query == "cursor=czE":  # a real-looking cursor is fine
        assert (
            client.get(f"/api/v1/referrals?{query}", headers=world.corporatie.headers).status_code
            == 200
        )
        return
    assert_problem(client.get(f"/api/v1/referrals?{query}", headers=world.corporatie.headers), 422)


def test_feed_needs_referrals_read(client, world, make_party):
    from app.auth.scopes import Scope
    from app.organisations.models import OrganisationType

    stats_only = make_party(OrganisationType.gemeente, scopes=[Scope.stats_read])
    assert_problem(client.get("/api/v1/referrals", headers=stats_only.headers), 403)


def _count_queries(client, url, headers):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN IMMEDIATE
            statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        r = client.get(url, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200
    return len(statements), r.json()


def test_feed_query_count_does_not_grow_with_page_size(client, world):
    for _ in range(30):
        wonen_referral(client, world)
    h = world.corporatie.headers
    client.get("/api/v1/referrals?limit=1", headers=h)  # last-use stamp written: not counted below
    small, page_small = _count_queries(client, "/api/v1/referrals?limit=3", h)
    large, page_large = _count_queries(client, "/api/v1/referrals?limit=30", h)
    assert len(page_small["data"]) == 3
    assert len(page_large["data"]) == 30
    # One query authenticates the key, one reads the page with its intakes; appending the page
    # to the access log takes two on PostgreSQL (reserve and read the head; write entry and head)
    # and three on SQLite (read the head, add the entry, move the head).
    log = 3 if is_sqlite(get_engine()) else 2
    assert small == large == 2 + log
