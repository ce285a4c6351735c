"""The front office's review queue: each reason an intake is there, each action that takes it
out, who may see it (the front office only), and the agreement figures."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from tests.conftest import World
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status, wonen_referral

QUEUE = "/api/v1/review-queue"


def _queue(client: TestClient, world: World) -> dict[str, list[str]]:
    r = client.get(QUEUE, headers=world.frontoffice.headers)
    assert r.status_code == 200, r.text
    return {i["intake_id"]: [x["reason"] for x in i["reasons"]] for i in r.json()["data"]}


def _note(client: TestClient, world: World, intake_id: str, what: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/intakes/{intake_id}/{what}", json=body, headers=world.frontoffice.headers
    )


def test_an_intake_nobody_could_route_waits_for_the_desk_until_it_is_corrected(
    client: TestClient, world: World
) -> None:
    intake = make_intake(client, world.thuiszorg, question="I need help with my house please")
    assert intake["status"] == "needs_review"
    reasons = _queue(client, world)[intake["id"]]
    assert "needs_review" in reasons
    assert "low_confidence" in reasons  # the classifier said it was unsure, and nobody chose
    r = client.put(
        f"/api/v1/intakes/{intake['id']}/domains",
        json={"domains": ["wonen"], "note": "gaat over de woning"},
        headers=world.frontoffice.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "open"
    assert r.json()["domains_confirmed_by"]
    assert intake["id"] not in _queue(client, world)


def test_an_urgent_signal_stays_until_the_desk_says_what_it_did(
    client: TestClient, world: World
) -> None:
    intake = make_intake(
        client, world.thuiszorg, question="Meneer zegt dat hij niet meer wil leven."
    )
    assert intake["urgent"] is True
    assert "urgent" in _queue(client, world)[intake["id"]]
    r = _note(client, world, intake["id"], "urgent-acknowledgement", note="113 gebeld met meneer")
    assert r.status_code == 200, r.text
    ack = r.json()["urgent_acknowledgement"]
    assert ack["note"] == "113 gebeld met meneer"
    assert ack["by"]
    assert ack["at"]
    assert "urgent" not in _queue(client, world).get(intake["id"], [])


def test_no_urgent_signal_to_acknowledge_is_a_conflict(client: TestClient, world: World) -> None:
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    r = _note(client, world, intake["id"], "urgent-acknowledgement", note="niets")
    assert_problem(r, 409)


def test_without_consent_a_call_back_waits_until_noted_or_closed(
    client: TestClient, world: World
) -> None:
    first = make_intake(client, world.thuiszorg, consent=False, domains=["wonen"])
    second = make_intake(client, world.thuiszorg, consent=False, domains=["zorg"])
    queue = _queue(client, world)
    assert queue[first["id"]] == ["no_consent"]
    assert queue[second["id"]] == ["no_consent"]
    r = _note(client, world, first["id"], "review", note="Teruggebeld: wil het zelf regelen.")
    assert r.status_code == 200, r.text
    r = _note(client, world, second["id"], "closure", reason="Geen gehoor na drie keer bellen.")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed"
    assert r.json()["closed_reason"] == "Geen gehoor na drie keer bellen."
    queue = _queue(client, world)
    assert first["id"] not in queue
    assert second["id"] not in queue
    assert_problem(_note(client, world, second["id"], "closure", reason="nog eens"), 409)


def test_an_intake_a_partner_still_works_on_is_not_closed_by_hand(
    client: TestClient, world: World
) -> None:
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    body = assert_problem(_note(client, world, intake["id"], "closure", reason="klaar"), 409)
    assert "still open" in body["detail"]
    r = client.get(f"/api/v1/intakes/{intake['id']}", headers=world.frontoffice.headers)
    assert r.json()["status"] == "open"


def test_a_rejected_referral_brings_its_intake_to_the_desk(
    client: TestClient, world: World
) -> None:
    referral_id = wonen_referral(client, world, "received")
    r = set_status(client, world.corporatie, referral_id, "rejected", note="geen huurder van ons")
    assert r.status_code == 200
    intake_id = r.json()["intake_id"]
    assert "rejected" in _queue(client, world)[intake_id]
    assert (
        _note(client, world, intake_id, "review", note="naar particuliere verhuurder").status_code
        == 200
    )
    assert intake_id not in _queue(client, world)


def test_a_referral_forwarded_a_second_time_brings_its_intake_to_the_desk(
    client: TestClient, world: World
) -> None:
    referral_id = wonen_referral(client, world)
    r = client.post(
        f"/api/v1/referrals/{referral_id}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "urgentie via gemeente"},
        headers=world.corporatie.headers,
    )
    assert r.status_code == 201, r.text
    intake_id = r.json()["intake_id"]
    assert intake_id not in _queue(client, world)  # once is ordinary work
    r = client.post(
        f"/api/v1/referrals/{r.json()['id']}/forward",
        json={"organisation_id": world.welzijn.id, "reason": "eerst schulden"},
        headers=world.gemeente.headers,
    )
    assert r.status_code == 201, r.text
    assert _queue(client, world)[intake_id] == ["forwarded_twice"]


@pytest.mark.parametrize("who", ["corporatie", "thuiszorg", "gemeente"])
def test_only_the_front_office_reviews(client: TestClient, world: World, who: str) -> None:
    party = getattr(world, who)
    intake = make_intake(client, world.thuiszorg, consent=False, domains=["wonen"])
    assert_problem(client.get(QUEUE, headers=party.headers), 403)
    for what, body in [
        ("review", {"note": "x"}),
        ("closure", {"reason": "x"}),
        ("urgent-acknowledgement", {"note": "x"}),
    ]:
        r = client.post(f"/api/v1/intakes/{intake['id']}/{what}", json=body, headers=party.headers)
        assert_problem(r, 403)
    assert_problem(client.get("/api/v1/classification/agreement", headers=party.headers), 403)
    assert intake["id"] in _queue(client, world)  # nothing was done by them


def test_an_action_needs_a_note(client: TestClient, world: World) -> None:
    intake = make_intake(client, world.thuiszorg, consent=False, domains=["wonen"])
    body = assert_problem(_note(client, world, intake["id"], "review", note="  "), 422)
    assert "note" in body["detail"]


def test_listing_the_queue_is_in_the_access_log(
    client: TestClient, world: World, session: Session
) -> None:
    intake = make_intake(client, world.thuiszorg, consent=False, domains=["wonen"])
    _queue(client, world)
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert any(e.purpose.startswith("reviewing") and intake["id"] in e.object_ids for e in entries)


def test_agreement_counts_what_people_kept_removed_and_added(
    client: TestClient, world: World
) -> None:
    # The classifier proposes wonen here; one person keeps it and adds zorg, another replaces
    # it by welzijn, a third sends it unseen (not counted: nobody chose).
    question = "De trap naar de badkamer lukt niet meer."
    make_intake(client, world.thuiszorg, question=question, domains=["wonen", "zorg"])
    make_intake(client, world.thuiszorg, question=question, domains=["welzijn"])
    make_intake(client, world.thuiszorg, question=question)
    r = client.get("/api/v1/classification/agreement", headers=world.frontoffice.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["intakes"] == 2
    cells = {c["domain"]: c for c in body["data"]}
    assert (cells["wonen"]["kept"], cells["wonen"]["removed"], cells["wonen"]["added"]) == (1, 1, 0)
    assert (cells["zorg"]["kept"], cells["zorg"]["added"]) == (0, 1)
    assert (cells["welzijn"]["kept"], cells["welzijn"]["added"]) == (0, 1)
    assert cells["wonen"]["agreement"] == 0.5
    assert len({c["month"] for c in body["data"]}) == 1


def test_agreement_refuses_a_period_backwards_or_too_long(client: TestClient, world: World) -> None:
    h = world.frontoffice.headers
    url = "/api/v1/classification/agreement"
    assert_problem(
        client.get(url, params={"from": "2026-06-01", "to": "2026-01-01"}, headers=h), 422
    )
    assert_problem(
        client.get(url, params={"from": "2020-01-01", "to": "2026-01-01"}, headers=h), 422
    )
