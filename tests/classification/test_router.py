from sqlmodel import select

from app.auth.scopes import Scope
from app.intakes.models import Intake
from app.organisations.models import OrganisationType
from tests.helpers import assert_problem


def test_classify_returns_domains_with_evidence_and_stores_nothing(client, make_party, session):
    party = make_party(OrganisationType.thuiszorg)
    r = client.post(
        "/api/v1/classify",
        json={"text": "Meneer is eenzaam en de trap naar de badkamer lukt niet meer."},
        headers=party.headers,
    )
    assert r.status_code == 200
    body = r.json()
    by_domain = {d["domain"]: d for d in body["domains"]}
    assert {"wonen", "welzijn"} <= set(by_domain)
    assert "eenzaam" in by_domain["welzijn"]["evidence"]
    assert all(0 <= d["score"] <= 1 for d in body["domains"])
    assert body["classifier_version"]
    assert session.exec(select(Intake)).first() is None


def test_classify_blank_text_is_422(client, make_party):
    party = make_party(OrganisationType.thuiszorg)
    for text in ["", "   \n\t"]:
        assert_problem(
            client.post("/api/v1/classify", json={"text": text}, headers=party.headers), 422
        )


def test_classify_needs_intakes_write(client, make_party):
    party = make_party(OrganisationType.corporatie, scopes=[Scope.referrals_read])
    r = client.post("/api/v1/classify", json={"text": "huur te hoog"}, headers=party.headers)
    assert_problem(r, 403)


def test_unrecognised_text_is_low_confidence(client, make_party):
    party = make_party(OrganisationType.thuiszorg)
    r = client.post("/api/v1/classify", json={"text": "asdf qwerty"}, headers=party.headers)
    assert r.status_code == 200
    assert r.json()["domains"] == []
    assert r.json()["low_confidence"] is True


def test_classify_reports_urgency_and_guidance(client, make_party):
    party = make_party(OrganisationType.thuiszorg)
    r = client.post(
        "/api/v1/classify",
        json={"text": "Haar man slaat haar en ze is bang om naar huis te gaan."},
        headers=party.headers,
    )
    body = r.json()
    assert body["urgent"] is True
    assert "violence" in body["urgent_reasons"]
    assert any("Veilig Thuis" in g and "0800-2000" in g for g in body["guidance"])


def test_classify_foreign_text_is_low_confidence_not_an_error(client, make_party):
    party = make_party(OrganisationType.thuiszorg)
    r = client.post(
        "/api/v1/classify", json={"text": "I need help with my rent"}, headers=party.headers
    )
    assert r.status_code == 200
    assert r.json()["low_confidence"] is True
    assert r.json()["low_confidence_reason"]


def test_classify_5000_characters(client, make_party):
    party = make_party(OrganisationType.thuiszorg)
    text = ("Mijn moeder is eenzaam en de trap is te steil. " * 120)[:5000]
    assert (
        client.post("/api/v1/classify", json={"text": text}, headers=party.headers).status_code
        == 200
    )
    too_long = client.post("/api/v1/classify", json={"text": text + "x"}, headers=party.headers)
    assert_problem(too_long, 422)
