"""The outbox is a true outbox: a request writes only its events; the worker's fan-out job
turns committed events into deliveries, in event order, once."""

from sqlmodel import Session, col, select

from app.outbox.models import OutboxEvent
from app.webhooks.models import WebhookDelivery
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status
from tests.webhooks.test_delivery import deliveries, fan_out, subscribe


def _rows(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all())


def test_a_request_writes_events_and_the_job_makes_the_deliveries(
    client, world, receiver, allow_loopback, session
):
    sub = subscribe(client, world.corporatie, receiver, event_types=["referral.created"])
    intake = make_intake(client, world.thuiszorg, domains=["wonen", "zorg"])
    rid = (
        intake["referrals"][0]["id"]
        if intake["referrals"][0]["domain"] == "wonen"
        else (intake["referrals"][1]["id"])
    )
    set_status(client, world.corporatie, rid, "received")
    # The request wrote events (for both partners) and no delivery.
    assert session.exec(select(OutboxEvent)).all()
    assert _rows(session) == []
    assert fan_out() >= 3
    rows = _rows(session)
    # One delivery: the corporatie's subscription asked for referral.created only; the
    # thuiszorg has no subscription.
    assert [(r.subscription_id, r.referral_id) for r in rows] == [(_uuid(sub["id"]), _uuid(rid))]
    assert fan_out() == 0  # every event is fanned out once
    assert len(_rows(session)) == 1
    assert [d["event_type"] for d in deliveries(client, world.corporatie, sub["id"])] == [
        "referral.created"
    ]


def test_deliveries_follow_the_order_of_the_events(
    client, world, receiver, allow_loopback, session
):
    subscribe(client, world.corporatie, receiver)
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    for step in ["received", "accepted", "in_progress"]:
        set_status(client, world.corporatie, rid, step)
    fan_out()
    rows = _rows(session)
    events = {
        e.id: e.payload["data"].get("status") for e in session.exec(select(OutboxEvent)).all()
    }
    assert [events[r.event_id] for r in rows] == [
        "requested",
        "received",
        "accepted",
        "in_progress",
    ]
    assert [r.event_id for r in rows] == sorted(r.event_id for r in rows)


def test_a_ping_goes_to_its_own_subscription_only(client, world, receiver, allow_loopback, session):
    first = subscribe(client, world.corporatie, receiver)
    second = subscribe(client, world.corporatie, receiver)
    r = client.post(
        f"/api/v1/webhook-subscriptions/{first['id']}/ping", headers=world.corporatie.headers
    )
    assert r.status_code in {200, 201, 202}, r.text
    assert fan_out() == 0  # nothing to fan out: the ping was addressed when it was written
    rows = _rows(session)
    assert [str(r.subscription_id) for r in rows] == [first["id"]]
    assert deliveries(client, world.corporatie, second["id"]) == []


def test_a_rolled_back_request_leaves_no_event(client, world, receiver, allow_loopback, session):
    subscribe(client, world.corporatie, receiver)
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    before = len(session.exec(select(OutboxEvent)).all())
    r = set_status(client, world.corporatie, rid, "completed", outcome="geholpen")
    assert r.status_code == 409  # not allowed from requested: nothing stored
    session.expire_all()
    assert len(session.exec(select(OutboxEvent)).all()) == before
    fan_out()
    assert len(_rows(session)) == 1  # the referral.created of the intake, nothing more


def _uuid(value: str):  # type: ignore[no-untyped-def]
    import uuid

    return uuid.UUID(value)
