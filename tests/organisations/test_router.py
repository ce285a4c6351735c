from app.auth.scopes import Scope
from app.organisations.models import OrganisationType
from tests.helpers import assert_problem


def test_any_key_lists_organisations(client, make_party):
    a = make_party(OrganisationType.corporatie, name="Woonstichting A")
    make_party(OrganisationType.thuiszorg, name="Thuiszorg B")
    r = client.get("/api/v1/organisations", headers=a.headers)
    assert r.status_code == 200
    assert [o["name"] for o in r.json()["data"]] == ["Thuiszorg B", "Woonstichting A"]


def test_frontoffice_admin_creates_organisation(client, frontoffice_admin):
    r = client.post(
        "/api/v1/organisations",
        json={"name": "Zorgcoöperatie Hoogland", "type": "zorgcooperatie"},
        headers=frontoffice_admin.headers,
    )
    assert r.status_code == 201
    org = r.json()
    assert r.headers["Location"] == f"/api/v1/organisations/{org['id']}"
    got = client.get(r.headers["Location"], headers=frontoffice_admin.headers)
    assert got.json()["name"] == "Zorgcoöperatie Hoogland"

    dup = client.post(
        "/api/v1/organisations",
        json={"name": "Zorgcoöperatie Hoogland", "type": "welzijn"},
        headers=frontoffice_admin.headers,
    )
    assert_problem(dup, 409)


def test_partner_admin_cannot_create_organisations(client, make_party):
    partner = make_party(OrganisationType.corporatie, scopes=[Scope.admin])
    r = client.post(
        "/api/v1/organisations",
        json={"name": "Nieuw", "type": "welzijn"},
        headers=partner.headers,
    )
    body = assert_problem(r, 403)
    assert "front office" in body["detail"]


def test_missing_scope_is_403_naming_the_scope(client, make_party):
    partner = make_party(OrganisationType.corporatie, scopes=[Scope.referrals_read])
    r = client.get(f"/api/v1/organisations/{partner.id}/api-keys", headers=partner.headers)
    body = assert_problem(r, 403)
    assert "'admin'" in body["detail"]


def test_key_lifecycle_shown_once_then_revoked(client, make_party):
    owner = make_party(OrganisationType.corporatie, scopes=[Scope.admin, Scope.referrals_read])
    url = f"/api/v1/organisations/{owner.id}/api-keys"
    created = client.post(
        url, json={"name": "koppeling", "scopes": ["referrals:read"]}, headers=owner.headers
    )
    assert created.status_code == 201
    new = created.json()
    assert new["key"].startswith(new["prefix"])
    assert new["scopes"] == ["referrals:read"]

    listed = client.get(url, headers=owner.headers).json()["data"]
    assert {k["name"] for k in listed} == {"test", "koppeling"}
    assert all("key" not in k for k in listed)

    new_headers = {"Authorization": f"Bearer {new['key']}"}
    assert client.get("/api/v1/organisations", headers=new_headers).status_code == 200
    used = next(
        k for k in client.get(url, headers=owner.headers).json()["data"] if k["id"] == new["id"]
    )
    assert used["last_used_at"] is not None

    revoked = client.post(f"{url}/{new['id']}/revoke", headers=owner.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_problem(client.get("/api/v1/organisations", headers=new_headers), 401)


def test_partner_cannot_manage_another_organisations_keys(client, make_party):
    a = make_party(OrganisationType.corporatie, scopes=[Scope.admin])
    b = make_party(OrganisationType.thuiszorg, scopes=[Scope.admin])
    url = f"/api/v1/organisations/{b.id}/api-keys"
    assert_problem(client.get(url, headers=a.headers), 403)
    r = client.post(url, json={"name": "x", "scopes": ["admin"]}, headers=a.headers)
    assert_problem(r, 403)


def test_revoking_another_organisations_key_is_404(client, make_party, frontoffice_admin):
    a = make_party(OrganisationType.corporatie, scopes=[Scope.admin])
    b = make_party(OrganisationType.thuiszorg, scopes=[Scope.admin])
    b_keys = client.get(f"/api/v1/organisations/{b.id}/api-keys", headers=b.headers).json()["data"]
    r = client.post(
        f"/api/v1/organisations/{a.id}/api-keys/{b_keys[0]['id']}/revoke", headers=a.headers
    )
    assert_problem(r, 404)


def test_deactivated_organisation_keys_stop_working(client, make_party, frontoffice_admin):
    partner = make_party(OrganisationType.corporatie)
    r = client.patch(
        f"/api/v1/organisations/{partner.id}",
        json={"active": False},
        headers=frontoffice_admin.headers,
    )
    assert r.status_code == 200
    assert r.json()["active"] is False
    body = assert_problem(client.get("/api/v1/organisations", headers=partner.headers), 401)
    assert "deactivated" in body["detail"]


def test_unknown_organisation_is_404(client, frontoffice_admin):
    r = client.get(
        "/api/v1/organisations/00000000-0000-4000-8000-000000000000",
        headers=frontoffice_admin.headers,
    )
    assert_problem(r, 404)


def test_malformed_id_is_422(client, frontoffice_admin):
    assert_problem(client.get("/api/v1/organisations/abc", headers=frontoffice_admin.headers), 422)
