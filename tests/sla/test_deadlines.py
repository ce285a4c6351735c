import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from app.core.config import get_settings
from app.core.types import utcnow
from app.outbox.models import OutboxEvent
from app.referrals.models import Referral
from app.referrals.overdue import announce_overdue
from app.sla import service as sla
from app.sla.workdays import add_working_days
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status


def test_referrals_get_deadlines_from_the_policy(client, world):
    before = utcnow()
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    r = client.get(
        f"/api/v1/referrals/{intake['referrals'][0]['id']}", headers=world.corporatie.headers
    ).json()
    accept, _complete = sla.DEFAULTS[(sla.Domain.wonen, False)]
    due = datetime.fromisoformat(r["due_at"])
    assert (
        add_working_days(before, accept) - timedelta(seconds=5)
        <= due
        <= add_working_days(utcnow(), accept)
    )
    assert r["complete_due_at"] > r["due_at"]
    assert r["overdue"] is False


def test_urgent_referrals_are_due_within_hours(client, world):
    intake = make_intake(
        client, world.thuiszorg, question="Mevrouw is gevallen en lag de hele nacht op de grond."
    )
    ref = intake["referrals"][0]
    due = datetime.fromisoformat(ref["due_at"])
    assert due <= utcnow() + timedelta(hours=get_settings().urgent_response_hours)


def test_policies_api(client, world):
    listed = client.get("/api/v1/sla-policies", headers=world.corporatie.headers).json()["data"]
    assert len(listed) == 6
    assert all(p["default"] for p in listed)
    body = {"accept_working_days": 4, "complete_working_days": 30}
    assert_problem(
        client.put(
            "/api/v1/sla-policies/wonen/normal", json=body, headers=world.corporatie.headers
        ),
        403,
    )
    r = client.put(
        "/api/v1/sla-policies/wonen/normal", json=body, headers=world.frontoffice.headers
    )
    assert r.status_code == 200
    assert r.json() == {"domain": "wonen", "urgency": "normal", "default": False, **body}
    assert_problem(
        client.put("/api/v1/sla-policies/wonen/soon", json=body, headers=world.frontoffice.headers),
        422,
    )
    assert_problem(
        client.put(
            "/api/v1/sla-policies/wonen/normal",
            json={"accept_working_days": -1, "complete_working_days": 3},
            headers=world.frontoffice.headers,
        ),
        422,
    )


def _make_late(session, referral_id, *, accept=True):
    past = utcnow() - timedelta(hours=1)
    column = Referral.due_at if accept else Referral.complete_due_at
    session.exec(update(Referral).where(Referral.id == referral_id).values({column: past}))
    session.commit()


def test_overdue_shows_filters_and_is_announced_once(client, world, session):
    late = make_intake(client, world.thuiszorg, domains=["wonen"])["referrals"][0]["id"]
    on_time = make_intake(client, world.thuiszorg, domains=["wonen"])["referrals"][0]["id"]
    _make_late(session, uuid.UUID(late))

    h = world.corporatie.headers
    assert client.get(f"/api/v1/referrals/{late}", headers=h).json()["overdue"] is True
    overdue = client.get("/api/v1/referrals?overdue=true", headers=h).json()["data"]
    assert [x["id"] for x in overdue] == [late]
    not_overdue = client.get("/api/v1/referrals?overdue=false", headers=h).json()["data"]
    assert [x["id"] for x in not_overdue] == [on_time]

    assert announce_overdue(session=session) == 1
    session.commit()
    assert announce_overdue(session=session) == 0  # once
    session.commit()
    events = session.exec(select(OutboxEvent).where(OutboxEvent.type == "referral.overdue")).all()
    assert [e.payload["data"]["late_to"] for e in events] == ["accept"]
    assert events[0].organisation_id == world.corporatie.org.id

    # Accepting ends the acceptance lateness; completion has its own deadline.
    set_status(client, world.corporatie, late, "received")
    set_status(client, world.corporatie, late, "accepted")
    assert client.get(f"/api/v1/referrals/{late}", headers=h).json()["overdue"] is False
    _make_late(session, uuid.UUID(late), accept=False)
    assert client.get(f"/api/v1/referrals/{late}", headers=h).json()["overdue"] is True
