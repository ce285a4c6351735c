"""Every change writes its event in the same transaction: thin, addressed, in order."""

import json
import uuid

from sqlmodel import col, select

from app.outbox.models import OutboxEvent
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status


def _events(session, **where):
    session.expire_all()
    stmt = select(OutboxEvent).order_by(col(OutboxEvent.id))
    for k, v in where.items():
        stmt = stmt.where(getattr(OutboxEvent, k) == v)
    return list(session.exec(stmt))


def test_the_referral_loop_writes_thin_addressed_events(client, world, session):
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    set_status(client, world.corporatie, rid, "received")
    set_status(client, world.corporatie, rid, "accepted")
    set_status(client, world.corporatie, rid, "in_progress")
    set_status(client, world.corporatie, rid, "completed", outcome="geholpen")

    events = _events(session)
    assert [e.type for e in events] == [
        "referral.created",
        "referral.status_changed",
        "referral.status_changed",
        "referral.status_changed",
        "referral.status_changed",
        "intake.closed",
    ]
    referral_events = events[:-1]
    assert {e.organisation_id for e in referral_events} == {world.corporatie.org.id}
    assert events[-1].organisation_id == world.thuiszorg.org.id  # who recorded the intake
    assert [e.payload["data"]["status"] for e in referral_events] == [
        "requested",
        "received",
        "accepted",
        "in_progress",
        "completed",
    ]
    assert referral_events[-1].payload["data"]["outcome"] == "geholpen"
    assert referral_events[0].payload["data"]["links"]["referral"] == f"/api/v1/referrals/{rid}"
    assert len({e.event_id for e in events}) == len(events)

    everything = json.dumps([e.payload for e in events], ensure_ascii=False)
    for personal in ["de Vries", "06-12345678", "trap", "badkamer"]:
        assert personal not in everything


def test_forward_tells_both_organisations(client, world, session):
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    new = client.post(
        f"/api/v1/referrals/{rid}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "urgentie"},
        headers=world.corporatie.headers,
    ).json()
    old_side = _events(session, organisation_id=world.corporatie.org.id)
    new_side = _events(session, organisation_id=world.gemeente.org.id)
    assert [e.type for e in old_side] == ["referral.created", "referral.forwarded"]
    assert old_side[-1].payload["data"]["forwarded_to_id"] == new["id"]
    assert [e.type for e in new_side] == ["referral.created"]
    assert new_side[0].payload["data"]["forwarded_from_id"] == rid


def test_a_refused_change_writes_no_event(client, world, session):
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    before = len(_events(session))
    assert_problem(set_status(client, world.corporatie, rid, "completed", outcome="geholpen"), 409)
    assert_problem(set_status(client, world.welzijn, rid, "received"), 404)
    assert len(_events(session)) == before


def test_no_consent_no_event(client, world, session):
    make_intake(client, world.thuiszorg, consent=False)
    assert _events(session) == []


def test_events_of_one_referral_are_in_change_order(client, world, session):
    intake = make_intake(client, world.thuiszorg, domains=["wonen", "zorg"])
    for ref in intake["referrals"]:
        owner = world.corporatie if ref["domain"] == "wonen" else world.thuiszorg
        set_status(client, owner, ref["id"], "received")
        set_status(client, owner, ref["id"], "accepted")
    for ref in intake["referrals"]:
        statuses = [
            e.payload["data"]["status"] for e in _events(session, referral_id=uuid.UUID(ref["id"]))
        ]
        assert statuses == ["requested", "received", "accepted"]
