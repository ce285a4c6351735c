from sqlmodel import select

from app.outbox.models import OutboxEvent
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake

RESIDENT = {"name": "Cor Spreeuw", "phone": "06-55554444", "address": "Mussenlaan 8"}
WORDING = "Mogen wij uw vraag en gegevens delen met de thuiszorg?"


def referral_view(client, party, intake, domain):
    ref = next(r for r in intake["referrals"] if r["domain"] == domain)
    r = client.get(f"/api/v1/referrals/{ref['id']}", headers=party.headers)
    assert r.status_code == 200, r.text
    return r.json()["intake"]


def test_consent_for_some_kinds_of_partner_only(client, world):
    intake = make_intake(
        client,
        world.thuiszorg,
        domains=["wonen", "zorg"],
        resident=RESIDENT,
        consent_details={
            "method": "schriftelijk",
            "organisation_types": ["thuiszorg"],
            "wording": WORDING,
        },
    )
    details = intake["consent_details"]
    assert details["given"] is True
    assert details["organisation_types"] == ["thuiszorg"]
    (step,) = details["history"]
    assert (step["action"], step["method"], step["wording"]) == ("given", "schriftelijk", WORDING)
    assert step["organisation_id"] == world.thuiszorg.id

    corporatie = referral_view(client, world.corporatie, intake, "wonen")
    assert corporatie["resident"] is None
    assert corporatie["postcode"] is None
    assert corporatie["pc4"] == "3811"
    assert corporatie["resident_shared"] is False
    assert corporatie["question"]  # the question and the neighbourhood: enough to act on

    thuiszorg = referral_view(client, world.thuiszorg, intake, "zorg")
    assert thuiszorg["resident"]["name"] == RESIDENT["name"]
    assert thuiszorg["resident_shared"] is True
    # The desk sees what it needs, whatever the consent.
    assert referral_view(client, world.frontoffice, intake, "wonen")["resident"] is not None


def test_without_details_consent_covers_every_partner(client, world):
    intake = make_intake(client, world.thuiszorg, domains=["wonen"], resident=RESIDENT)
    assert intake["consent_details"]["history"][0]["method"] == "onbekend"
    assert len(intake["consent_details"]["organisation_types"]) == 5
    assert referral_view(client, world.corporatie, intake, "wonen")["resident_shared"] is True


def test_refused_consent_is_recorded_too(client, world):
    intake = make_intake(client, world.thuiszorg, consent=False, resident=RESIDENT)
    details = intake["consent_details"]
    assert details["given"] is False
    assert [s["action"] for s in details["history"]] == ["refused"]
    r = client.post(
        f"/api/v1/intakes/{intake['id']}/consent/withdrawal",
        json={"method": "verbaal"},
        headers=world.thuiszorg.headers,
    )
    assert "never gave consent" in assert_problem(r, 409)["detail"]


def test_withdrawal_hides_contact_details_and_tells_the_partners(client, world, session):
    intake = make_intake(client, world.thuiszorg, domains=["wonen", "zorg"], resident=RESIDENT)
    url = f"/api/v1/intakes/{intake['id']}/consent/withdrawal"
    assert_problem(
        client.post(url, json={"method": "verbaal"}, headers=world.corporatie.headers), 404
    )
    r = client.post(
        url, json={"method": "verbaal"}, headers={**world.thuiszorg.headers, "X-Actor": "wv-12"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["consent"] is False
    assert body["consent_details"]["withdrawn_at"]
    assert [s["action"] for s in body["consent_details"]["history"]] == ["given", "withdrawn"]
    assert body["consent_details"]["history"][1]["actor"] == "wv-12"

    for party, domain in ((world.corporatie, "wonen"), (world.thuiszorg, "zorg")):
        view = referral_view(client, party, intake, domain)
        if party is world.thuiszorg:
            assert view["resident"] is not None  # it recorded the intake itself
        else:
            assert view["resident"] is None
            assert "06-55554444" not in str(view)
    events = session.exec(
        select(OutboxEvent).where(OutboxEvent.type == "referral.consent_withdrawn")
    ).all()
    assert sorted(str(e.organisation_id) for e in events) == sorted(
        [world.corporatie.id, world.thuiszorg.id]
    )
    again = client.post(url, json={"method": "verbaal"}, headers=world.thuiszorg.headers)
    assert_problem(again, 409)


def test_the_front_office_is_not_a_kind_of_partner(client, world):
    r = client.post(
        "/api/v1/intakes",
        json={
            "question": "Lekkage",
            "channel": "balie",
            "consent": True,
            "consent_details": {"method": "verbaal", "organisation_types": ["frontoffice"]},
        },
        headers=world.thuiszorg.headers,
    )
    assert_problem(r, 422)


def test_after_withdrawal_nothing_new_leaves_the_desk(client, world):
    intake = make_intake(client, world.thuiszorg, domains=["wonen"], resident=RESIDENT)
    r = client.post(
        f"/api/v1/intakes/{intake['id']}/consent/withdrawal",
        json={"method": "verbaal"},
        headers=world.thuiszorg.headers,
    )
    assert r.status_code == 200
    # A correction adds a domain: no referral for it.
    corrected = client.put(
        f"/api/v1/intakes/{intake['id']}/domains",
        json={"domains": ["wonen", "zorg"]},
        headers=world.thuiszorg.headers,
    )
    assert corrected.status_code == 200, corrected.text
    assert [r["domain"] for r in corrected.json()["referrals"]] == ["wonen"]
    # A partner cannot pass it on to another organisation either.
    ref = intake["referrals"][0]["id"]
    fwd = client.post(
        f"/api/v1/referrals/{ref}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "Wmo"},
        headers=world.corporatie.headers,
    )
    assert "withdrew consent" in assert_problem(fwd, 409)["detail"]
