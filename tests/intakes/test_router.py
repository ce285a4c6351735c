import pytest
from sqlmodel import func, select

from app.intakes.models import Intake
from app.referrals.models import Referral
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake


def test_signal_creates_intake_and_routes_by_default(client, world):
    r = client.post(
        "/api/v1/intakes",
        json={
            "question": "Mevrouw slaapt beneden omdat de badkamer boven is; de trap lukt niet.",
            "channel": "signalering",
            "postcode": "3811ab",
            "consent": True,
            "resident": {"name": "mevrouw J. de Vries", "phone": "06-12345678"},
        },
        headers=world.thuiszorg.headers,
    )
    assert r.status_code == 201
    intake = r.json()
    assert r.headers["Location"] == f"/api/v1/intakes/{intake['id']}"
    assert intake["status"] == "open"
    assert intake["postcode"] == "3811 AB"
    assert intake["organisation_id"] == world.thuiszorg.id
    assert [d["domain"] for d in intake["domains"]] == ["wonen"]
    assert intake["domains"][0]["evidence"]
    (ref,) = intake["referrals"]
    assert ref["organisation_id"] == world.corporatie.id
    assert ref["organisation_name"] == "Woonstichting De Linie"
    assert (ref["domain"], ref["status"], ref["routed_by"]) == ("wonen", "requested", "default")


def test_area_rule_routes_to_the_local_organisation(client, world):
    intake = make_intake(client, world.thuiszorg, domains=["welzijn", "wonen"], postcode="3828 KL")
    got = {r["domain"]: (r["organisation_id"], r["routed_by"]) for r in intake["referrals"]}
    assert got["welzijn"] == (world.zorgcooperatie.id, "area")
    assert got["wonen"] == (world.corporatie.id, "default")

    elsewhere = make_intake(client, world.thuiszorg, domains=["welzijn"], postcode="3811 AB")
    assert elsewhere["referrals"][0]["organisation_id"] == world.welzijn.id


def test_one_referral_per_domain(client, world):
    intake = make_intake(client, world.frontoffice, domains=["wonen", "welzijn", "zorg"])
    assert sorted(r["domain"] for r in intake["referrals"]) == ["welzijn", "wonen", "zorg"]
    assert intake["domains_source"] == "staff"


def test_no_consent_records_and_classifies_but_refers_nothing(client, world, session):
    intake = make_intake(client, world.thuiszorg, consent=False)
    assert intake["status"] == "no_consent"
    assert "no referral" in intake["status_reason"]
    assert intake["referrals"] == []
    assert intake["domains"]  # still classified
    assert session.exec(select(func.count()).select_from(Referral)).one() == 0
    corp_feed = client.get("/api/v1/referrals", headers=world.corporatie.headers).json()
    assert corp_feed["data"] == []


def test_nothing_recognised_needs_review(client, world):
    intake = make_intake(client, world.frontoffice, question="Goedemiddag, ik heb een vraag.")
    assert intake["status"] == "needs_review"
    assert intake["low_confidence"] is True
    assert intake["referrals"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("question", ""),
        ("question", "    "),
        ("question", "x" * 5001),
        ("channel", "fax"),
        ("postcode", "0123 AB"),
        ("postcode", "1234 SS"),
        ("postcode", "12345"),
        ("consent", "misschien"),
        ("domains", []),
        ("domains", ["wonen", "wonen"]),
        ("domains", ["tuin"]),
    ],
)
def test_bad_input_is_422_and_stores_nothing(client, world, session, field, value):
    body = {"question": "Huur te hoog", "channel": "balie", "consent": True, field: value}
    r = client.post("/api/v1/intakes", json=body, headers=world.frontoffice.headers)
    problem = assert_problem(r, 422)
    assert any(e["location"].startswith(f"body.{field}") for e in problem["errors"])
    assert session.exec(select(func.count()).select_from(Intake)).one() == 0


def test_missing_required_fields_are_named(client, world):
    r = client.post("/api/v1/intakes", json={}, headers=world.frontoffice.headers)
    problem = assert_problem(r, 422)
    assert {e["location"] for e in problem["errors"]} == {
        "body.question",
        "body.channel",
        "body.consent",
    }


def test_long_question_is_accepted(client, world):
    intake = make_intake(client, world.thuiszorg, question="De huur is te hoog. " * 250)
    assert len(intake["question"]) <= 5000


def test_read_own_intake_frontoffice_reads_all_others_get_404(client, world):
    intake = make_intake(client, world.thuiszorg)
    url = f"/api/v1/intakes/{intake['id']}"
    own = client.get(url, headers=world.thuiszorg.headers)
    assert own.status_code == 200
    assert own.json()["resident"]["name"] == "mevrouw J. de Vries"
    assert client.get(url, headers=world.frontoffice.headers).status_code == 200
    assert_problem(client.get(url, headers=world.corporatie.headers), 404)
    missing = "/api/v1/intakes/00000000-0000-4000-8000-000000000000"
    assert_problem(client.get(missing, headers=world.thuiszorg.headers), 404)
