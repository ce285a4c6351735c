"""Webhook delivery end to end: API → outbox → worker → a real receiver that verifies each
request with the standardwebhooks package."""

import uuid
from datetime import datetime, timedelta

from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook

from app.auth import api_keys
from app.auth.scopes import Scope
from app.core.config import get_settings
from app.core.database import get_engine
from app.core.types import utcnow
from app.jobs import runner
from app.organisations import service as organisations
from app.organisations.models import OrganisationType
from app.webhooks import delivery
from app.webhooks.fan_out import fan_out_pending
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status
from tests.webhooks.receiver import Receiver


def subscribe(client, party, receiver: Receiver, **extra) -> dict:
    r = client.post(
        "/api/v1/webhook-subscriptions",
        json={"url": receiver.url, **extra},
        headers=party.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["secret"].startswith("whsec_")
    receiver.secrets.append(body["secret"])
    return body


def deliver_all() -> int:
    return runner.run_once()


def fan_out() -> int:
    """What the worker does first each round: committed events become deliveries."""
    with Session(get_engine()) as s:
        taken = fan_out_pending(session=s)
        s.commit()
    return taken


def make_due() -> None:
    """Let time pass: every pending delivery is due now."""
    with Session(get_engine()) as s:
        for d in s.exec(select(WebhookDelivery).where(WebhookDelivery.status == "pending")):
            d.next_attempt_at = utcnow()
            d.locked_until = None
            s.add(d)
        s.commit()


def deliveries(client, party, sub_id: str) -> list[dict]:
    r = client.get(f"/api/v1/webhook-subscriptions/{sub_id}/deliveries", headers=party.headers)
    assert r.status_code == 200
    return r.json()["data"]  # type: ignore[no-any-return]


def test_events_arrive_signed_and_verifiable(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    assert receiver.received == []  # nothing is sent from inside the request
    rid = intake["referrals"][0]["id"]
    set_status(client, world.corporatie, rid, "received")

    assert deliver_all() == 2
    assert receiver.rejected == []
    got = [(r.payload["type"], r.payload["data"]["status"]) for r in receiver.received]
    assert got == [("referral.created", "requested"), ("referral.status_changed", "received")]
    first = receiver.received[0]
    assert first.headers["webhook-id"].startswith("msg_")
    assert first.payload["data"]["links"]["referral"] == f"/api/v1/referrals/{rid}"
    assert "de Vries" not in first.body.decode()

    log = deliveries(client, world.corporatie, sub["id"])
    assert [d["status"] for d in log] == ["delivered", "delivered"]
    assert all(d["attempts"] == 1 and d["last_status_code"] == 204 for d in log)


def test_only_own_events_and_only_wanted_types(client, world, receiver, allow_loopback):
    subscribe(client, world.welzijn, receiver, event_types=["referral.status_changed"])
    make_intake(client, world.thuiszorg, domains=["wonen"])  # for the corporatie
    intake = make_intake(client, world.thuiszorg, domains=["welzijn"])
    set_status(client, world.welzijn, intake["referrals"][0]["id"], "received")
    deliver_all()
    assert [r.payload["type"] for r in receiver.received] == ["referral.status_changed"]


def test_receiver_down_then_back_gets_it_once_with_the_same_id(
    client, world, receiver, allow_loopback
):
    sub = subscribe(client, world.corporatie, receiver)
    receiver.statuses = [503, 500]
    make_intake(client, world.thuiszorg, domains=["wonen"])

    assert deliver_all() == 1
    (d,) = deliveries(client, world.corporatie, sub["id"])
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("pending", 1, 503)
    delay = datetime.fromisoformat(d["next_attempt_at"]) - datetime.fromisoformat(
        d["last_attempt_at"]
    )
    assert timedelta(seconds=4) < delay < timedelta(seconds=6)  # the first retry: about 5 s
    assert deliver_all() == 0  # not due yet

    make_due()
    deliver_all()  # 500
    make_due()
    deliver_all()  # 204
    assert len(receiver.received) == 1
    (d,) = deliveries(client, world.corporatie, sub["id"])
    assert (d["status"], d["attempts"]) == ("delivered", 3)
    assert receiver.received[0].headers["webhook-id"] == f"msg_{uuid.UUID(d['event_id']).hex}"


def test_retry_after_is_honoured(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    receiver.statuses, receiver.retry_after = [429], "120"
    make_intake(client, world.thuiszorg, domains=["wonen"])
    deliver_all()
    (d,) = deliveries(client, world.corporatie, sub["id"])
    waited = datetime.fromisoformat(d["next_attempt_at"]) - datetime.fromisoformat(
        d["last_attempt_at"]
    )
    assert timedelta(seconds=119) < waited < timedelta(seconds=121)


def test_gone_disables_the_subscription(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    receiver.statuses = [410]
    make_intake(client, world.thuiszorg, domains=["wonen"])
    deliver_all()
    got = client.get(f"/api/v1/webhook-subscriptions/{sub['id']}", headers=world.corporatie.headers)
    assert got.json()["enabled"] is False
    assert got.json()["state"] == "disabled"
    assert "410" in got.json()["state_reason"]


def test_last_attempt_dead_letters_and_replay_delivers(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    receiver.statuses = [500] * (len(delivery.SCHEDULE) + 1)
    make_intake(client, world.thuiszorg, domains=["wonen"])
    for _ in range(len(delivery.SCHEDULE) + 1):
        make_due()
        deliver_all()
    (d,) = deliveries(client, world.corporatie, sub["id"])
    assert (d["status"], d["attempts"]) == ("dead", len(delivery.SCHEDULE) + 1)
    state = client.get(
        f"/api/v1/webhook-subscriptions/{sub['id']}", headers=world.corporatie.headers
    )
    assert state.json()["state"] == "failing"
    dead = client.get(
        f"/api/v1/webhook-subscriptions/{sub['id']}/deliveries?status=dead",
        headers=world.corporatie.headers,
    ).json()["data"]
    assert [x["id"] for x in dead] == [d["id"]]

    replay = client.post(
        f"/api/v1/webhook-subscriptions/{sub['id']}/deliveries/{d['id']}/replay",
        headers=world.corporatie.headers,
    )
    assert replay.status_code == 202
    assert replay.json()["status"] == "pending"
    deliver_all()
    assert len(receiver.received) == 1
    again = client.get(
        f"/api/v1/webhook-subscriptions/{sub['id']}", headers=world.corporatie.headers
    )
    assert again.json()["state"] == "active"
    twice = client.post(
        f"/api/v1/webhook-subscriptions/{sub['id']}/deliveries/{d['id']}/replay",
        headers=world.corporatie.headers,
    )
    assert_problem(twice, 409)


def test_events_of_one_referral_stay_in_order(client, world, receiver, allow_loopback):
    subscribe(client, world.corporatie, receiver)
    receiver.statuses = [503]
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    deliver_all()  # created: 503
    set_status(client, world.corporatie, rid, "received")
    deliver_all()  # status_changed must wait for created
    assert receiver.received == []
    make_due()
    deliver_all()
    deliver_all()
    assert [r.payload["type"] for r in receiver.received] == [
        "referral.created",
        "referral.status_changed",
    ]


def test_rotation_signs_with_both_secrets_for_a_while(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    old = receiver.secrets[0]
    rotated = client.post(
        f"/api/v1/webhook-subscriptions/{sub['id']}/rotate-secret", headers=world.corporatie.headers
    ).json()
    assert rotated["secret"] != old
    assert rotated["previous_secret_expires_at"]
    make_intake(client, world.thuiszorg, domains=["wonen"])
    deliver_all()
    signature = receiver.received[0].headers["webhook-signature"]
    assert len(signature.split(" ")) == 2
    # A receiver that knows only one of the two secrets verifies it either way.
    r = receiver.received[0]
    Webhook(rotated["secret"]).verify(r.body, r.headers)
    Webhook(old).verify(r.body, r.headers)


def test_ping(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    r = client.post(
        f"/api/v1/webhook-subscriptions/{sub['id']}/ping", headers=world.corporatie.headers
    )
    assert r.status_code == 202
    deliver_all()
    assert receiver.received[0].payload["type"] == "webhook.ping"


def test_private_targets_are_refused(client, world, receiver, monkeypatch):
    r = client.post(
        "/api/v1/webhook-subscriptions",
        json={"url": receiver.url},
        headers=world.corporatie.headers,
    )
    assert "internal address" in assert_problem(r, 422)["detail"]
    for url in ["ftp://example.org/x", "http://user:pw@example.org/x", "not a url"]:
        bad = client.post(
            "/api/v1/webhook-subscriptions", json={"url": url}, headers=world.corporatie.headers
        )
        assert_problem(bad, 422)
    # Allowed when saved, refused at delivery time (as after a DNS change): dead, not sent.
    monkeypatch.setattr(get_settings(), "webhook_allow_private_targets", True)
    sub = subscribe(client, world.corporatie, receiver)
    monkeypatch.setattr(get_settings(), "webhook_allow_private_targets", False)
    make_intake(client, world.thuiszorg, domains=["wonen"])
    deliver_all()
    (d,) = deliveries(client, world.corporatie, sub["id"])
    assert d["status"] == "dead"
    assert "not allowed" in d["last_error"]
    assert receiver.received == []


def test_subscriptions_are_per_organisation(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    url = f"/api/v1/webhook-subscriptions/{sub['id']}"
    with Session(get_engine(), expire_on_commit=False) as s:
        _, poller = api_keys.create_key(
            session=s,
            organisation_id=world.corporatie.org.id,
            name="p",
            scopes=[Scope.referrals_read],
        )
        org = organisations.create(
            session=s, name="Andere corporatie", type=OrganisationType.corporatie
        )
        _, key = api_keys.create_key(
            session=s, organisation_id=org.id, name="a", scopes=[Scope.admin]
        )
        s.commit()
    assert_problem(client.get(url, headers={"Authorization": f"Bearer {poller}"}), 403)
    other_admin = {"Authorization": f"Bearer {key}"}
    assert_problem(client.get(url, headers=other_admin), 404)
    assert_problem(client.delete(url, headers=other_admin), 404)
    assert client.get("/api/v1/webhook-subscriptions", headers=other_admin).json()["data"] == []
    assert client.delete(url, headers=world.corporatie.headers).status_code == 204
    with Session(get_engine()) as s:
        assert s.exec(select(WebhookSubscription)).all() == []


def test_deliveries_page_with_before(client, world, receiver, allow_loopback):
    sub = subscribe(client, world.corporatie, receiver)
    for _ in range(3):
        make_intake(client, world.thuiszorg, domains=["wonen"])
    fan_out()
    url = f"/api/v1/webhook-subscriptions/{sub['id']}/deliveries"
    first = client.get(f"{url}?limit=2", headers=world.corporatie.headers).json()
    assert len(first["data"]) == 2
    assert first["has_more"] is True
    assert first["next_before"] == first["data"][-1]["id"]
    rest = client.get(
        f"{url}?limit=2&before={first['next_before']}", headers=world.corporatie.headers
    ).json()
    assert len(rest["data"]) == 1
    assert (rest["has_more"], rest["next_before"]) == (False, None)
    ids = [d["id"] for d in first["data"] + rest["data"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert len(set(ids)) == 3  # none twice
    exact = client.get(f"{url}?limit=3", headers=world.corporatie.headers).json()
    assert (len(exact["data"]), exact["has_more"]) == (3, False)  # a full last page is the last
