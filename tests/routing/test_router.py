from app.auth.scopes import Scope
from app.organisations.models import OrganisationType
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake


def test_rules_crud(client, world):
    admin = world.frontoffice.headers
    rules = client.get("/api/v1/routing-rules", headers=admin).json()["data"]
    assert {(r["domain"], r["pc4"]) for r in rules} == {
        ("wonen", None),
        ("zorg", None),
        ("welzijn", None),
        ("welzijn", "3828"),
    }

    created = client.post(
        "/api/v1/routing-rules",
        json={"domain": "wonen", "pc4": "3811", "organisation_id": world.gemeente.id},
        headers=admin,
    )
    assert created.status_code == 201
    rule = created.json()
    assert client.get(created.headers["Location"], headers=admin).json() == rule

    dup = client.post(
        "/api/v1/routing-rules",
        json={"domain": "wonen", "pc4": "3811", "organisation_id": world.corporatie.id},
        headers=admin,
    )
    body = assert_problem(dup, 409)
    assert body["existing_rule_id"] == rule["id"]

    moved = client.put(
        f"/api/v1/routing-rules/{rule['id']}",
        json={"organisation_id": world.corporatie.id},
        headers=admin,
    )
    assert moved.json()["organisation_id"] == world.corporatie.id

    assert client.delete(f"/api/v1/routing-rules/{rule['id']}", headers=admin).status_code == 204
    assert_problem(client.get(f"/api/v1/routing-rules/{rule['id']}", headers=admin), 404)


def test_rule_validation(client, world):
    admin = world.frontoffice.headers
    bad_pc4 = client.post(
        "/api/v1/routing-rules",
        json={"domain": "wonen", "pc4": "0123", "organisation_id": world.corporatie.id},
        headers=admin,
    )
    assert_problem(bad_pc4, 422)
    to_desk = client.post(
        "/api/v1/routing-rules",
        json={"domain": "wonen", "pc4": "1234", "organisation_id": world.frontoffice.id},
        headers=admin,
    )
    assert "front office" in assert_problem(to_desk, 422)["detail"]


def test_only_front_office_admins_manage_rules(client, world, make_party):
    partner_admin = make_party(OrganisationType.corporatie, scopes=[Scope.admin])
    assert_problem(client.get("/api/v1/routing-rules", headers=partner_admin.headers), 403)
    assert_problem(client.get("/api/v1/routing-rules", headers=world.corporatie.headers), 403)


def test_deleting_the_default_sends_referrals_to_the_gemeente(client, world):
    admin = world.frontoffice.headers
    rules = client.get("/api/v1/routing-rules?domain=wonen", headers=admin).json()["data"]
    client.delete(f"/api/v1/routing-rules/{rules[0]['id']}", headers=admin)
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    (referral,) = intake["referrals"]
    assert referral["organisation_id"] == world.gemeente.id
    assert referral["routed_by"] == "fallback"
