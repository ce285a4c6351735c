from sqlmodel import select

from app.audit.models import AuditEntry
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.retention.test_service import QUESTION, RESIDENT


def test_the_front_office_erases_a_resident_at_once(client, world, session):
    intake = make_intake(
        client, world.thuiszorg, question=QUESTION, resident=RESIDENT, domains=["wonen", "zorg"]
    )
    url = f"/api/v1/intakes/{intake['id']}/erasure"
    r = client.post(url, json={"reason": "verzoek bewoner"}, headers=world.frontoffice.headers)
    assert r.status_code == 200, r.text
    erased = r.json()
    assert erased["intake_id"] == intake["id"]
    again = client.post(url, headers=world.frontoffice.headers)
    assert again.json()["anonymised_at"] == erased["anonymised_at"]

    for referral in intake["referrals"]:
        party = world.corporatie if referral["domain"] == "wonen" else world.thuiszorg
        body = client.get(f"/api/v1/referrals/{referral['id']}", headers=party.headers)
        assert body.status_code == 200
        assert "Kwikstaart" not in body.text
        assert body.json()["intake"]["resident"] is None
    seen = client.get(f"/api/v1/intakes/{intake['id']}", headers=world.thuiszorg.headers).json()
    assert seen["question"] == "[geanonimiseerd]"
    log = session.exec(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert [e.purpose for e in log] == ["erasure request of the resident"] * 2
    assert log[0].organisation_id == world.frontoffice.org.id
    assert "verzoek" not in str(log[0].content())  # the reason is not logged


def test_only_the_front_office_admin_may_erase(client, world):
    intake = make_intake(client, world.thuiszorg, resident=RESIDENT, domains=["wonen"])
    url = f"/api/v1/intakes/{intake['id']}/erasure"
    assert_problem(client.post(url, headers=world.thuiszorg.headers), 403)
    assert_problem(client.post(url), 401)
    assert_problem(
        client.post(
            "/api/v1/intakes/00000000-0000-0000-0000-000000000000/erasure",
            headers=world.frontoffice.headers,
        ),
        404,
    )
    body = client.get(f"/api/v1/intakes/{intake['id']}", headers=world.thuiszorg.headers).json()
    assert body["resident"]["name"] == RESIDENT["name"]
