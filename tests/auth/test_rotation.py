"""API key expiry and rotation, as an organisation's admin sees them."""

import json
import logging
import uuid
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app.auth.models import ApiKey
from app.auth.scopes import Scope
from app.cli import cli
from app.core.config import get_settings
from app.core.types import utcnow
from app.organisations.models import OrganisationType
from tests.helpers import assert_problem


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _key_id(client, party) -> str:  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/organisations/{party.id}/api-keys", headers=party.headers)
    assert r.status_code == 200, r.text
    return r.json()["data"][0]["id"]  # type: ignore[no-any-return]


def _rotate(client, party, org_id: str, key_id: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/organisations/{org_id}/api-keys/{key_id}/rotate", headers=party.headers
    )


@pytest.fixture
def admin(make_party):  # type: ignore[no-untyped-def]
    return make_party(OrganisationType.corporatie, scopes=[Scope.admin, Scope.referrals_read])


def test_rotation_issues_a_successor_and_keeps_the_old_key_for_the_grace_period(
    client, admin, caplog
):
    old_id = _key_id(client, admin)
    before = utcnow()
    with caplog.at_level(logging.INFO):
        r = _rotate(client, admin, admin.id, old_id)
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["key"].startswith("wwk_")
    assert new["key"] != admin.key
    assert new["id"] != old_id
    assert new["name"] == "test"
    assert new["scopes"] == ["admin", "referrals:read"]
    assert new["expires_at"] is None  # the old key never expired either
    assert r.headers["Location"] == f"/api/v1/organisations/{admin.id}/api-keys/{new['id']}"
    assert r.headers["Cache-Control"] == "no-store"

    replaced = new["replaces"]
    assert replaced["id"] == old_id
    assert "key" not in replaced
    grace_end = _when(replaced["expires_at"])
    assert before + timedelta(hours=24) <= grace_end <= utcnow() + timedelta(hours=24)

    # Both work during the grace period.
    assert client.get("/api/v1/organisations", headers=admin.headers).status_code == 200
    fresh = {"Authorization": f"Bearer {new['key']}"}
    assert client.get("/api/v1/organisations", headers=fresh).status_code == 200

    # The log says what happened, never the key.
    assert old_id in caplog.text
    assert new["id"] in caplog.text
    assert new["key"] not in caplog.text
    assert admin.key not in caplog.text


def test_old_key_stops_after_the_grace_period_saying_it_expired(client, admin, monkeypatch):
    monkeypatch.setattr(get_settings(), "api_key_rotation_grace_hours", 0)
    r = _rotate(client, admin, admin.id, _key_id(client, admin))
    assert r.status_code == 201
    old = client.get("/api/v1/organisations", headers=admin.headers)
    body = assert_problem(old, 401)
    assert "expired at" in body["detail"]
    assert 'error="invalid_token"' in old.headers["WWW-Authenticate"]
    fresh = {"Authorization": f"Bearer {r.json()['key']}"}
    assert client.get("/api/v1/organisations", headers=fresh).status_code == 200


def test_successor_gets_the_same_lifetime(client, admin):
    created = client.post(
        f"/api/v1/organisations/{admin.id}/api-keys",
        json={
            "name": "kwartaal",
            "scopes": ["referrals:read"],
            "expires_at": (utcnow() + timedelta(days=90)).isoformat(),
        },
        headers=admin.headers,
    ).json()
    r = _rotate(client, admin, admin.id, created["id"])
    assert r.status_code == 201
    lifetime = _when(r.json()["expires_at"]) - utcnow()
    assert timedelta(days=89, hours=23) < lifetime <= timedelta(days=90, minutes=1)
    assert r.json()["name"] == "kwartaal"
    # A key due to expire before the grace period ends keeps its own, earlier end.
    soon = client.post(
        f"/api/v1/organisations/{admin.id}/api-keys",
        json={
            "name": "kort",
            "scopes": ["referrals:read"],
            "expires_at": (utcnow() + timedelta(hours=2)).isoformat(),
        },
        headers=admin.headers,
    ).json()
    r = _rotate(client, admin, admin.id, soon["id"])
    assert r.json()["replaces"]["expires_at"] == soon["expires_at"]


def test_expired_key_says_so_and_cannot_be_rotated(client, admin, session):
    created = client.post(
        f"/api/v1/organisations/{admin.id}/api-keys",
        json={
            "name": "verlopen",
            "scopes": ["referrals:read"],
            "expires_at": (utcnow() + timedelta(hours=1)).isoformat(),
        },
        headers=admin.headers,
    ).json()
    row = session.get(ApiKey, uuid.UUID(created["id"]))
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()

    r = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {created['key']}"})
    body = assert_problem(r, 401)
    assert body["detail"].startswith("This API key expired at ")
    assert "admin" in body["detail"]

    body = assert_problem(_rotate(client, admin, admin.id, created["id"]), 409)
    assert "expired" in body["detail"]


def test_revoked_key_says_so_and_cannot_be_rotated(client, admin):
    created = client.post(
        f"/api/v1/organisations/{admin.id}/api-keys",
        json={"name": "weg", "scopes": ["referrals:read"]},
        headers=admin.headers,
    ).json()
    client.post(
        f"/api/v1/organisations/{admin.id}/api-keys/{created['id']}/revoke", headers=admin.headers
    )
    r = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {created['key']}"})
    assert "was revoked at" in assert_problem(r, 401)["detail"]
    body = assert_problem(_rotate(client, admin, admin.id, created["id"]), 409)
    assert "revoked" in body["detail"]


def test_unknown_key_is_still_just_invalid(client):
    r = client.get("/api/v1/organisations", headers={"Authorization": "Bearer wwk_nope"})
    assert "unknown" in assert_problem(r, 401)["detail"]


def test_another_organisations_key_is_404_and_its_path_403(
    client, admin, make_party, frontoffice_admin
):
    other = make_party(OrganisationType.thuiszorg, scopes=[Scope.admin])
    other_key = _key_id(client, other)
    # Through our own organisation's path: no such key here.
    body = assert_problem(_rotate(client, admin, admin.id, other_key), 404)
    assert other_key in body["detail"]
    # Through theirs: we may not manage their keys.
    assert_problem(_rotate(client, admin, other.id, other_key), 403)
    assert_problem(_rotate(client, admin, admin.id, str(uuid.uuid4())), 404)
    # The front office's admin may rotate any organisation's key.
    r = _rotate(client, frontoffice_admin, other.id, other_key)
    assert r.status_code == 201
    assert r.json()["organisation_id"] == other.id


def test_rotation_needs_the_admin_scope(client, make_party):
    partner = make_party(OrganisationType.corporatie, scopes=[Scope.referrals_read])
    with_admin = make_party(OrganisationType.corporatie, scopes=[Scope.admin])
    key_id = _key_id(client, with_admin)
    assert_problem(_rotate(client, partner, partner.id, key_id), 403)
    assert_problem(client.post(f"/api/v1/organisations/{partner.id}/api-keys/{key_id}/rotate"), 401)


runner = CliRunner()


def test_cli_creates_expiring_keys_and_rotates(client, session):
    runner.invoke(cli, ["org", "create", "Welzijn Test", "--type", "welzijn"])
    r = runner.invoke(
        cli, ["key", "create", "Welzijn Test", "-s", "referrals:read", "--expires-in-days", "30"]
    )
    assert r.exit_code == 0, r.output
    created = json.loads(r.stdout)
    lifetime = _when(created["expires_at"]) - utcnow()
    assert timedelta(days=29, hours=23) < lifetime <= timedelta(days=30)

    both = runner.invoke(
        cli,
        [
            "key", "create", "Welzijn Test", "-s", "referrals:read",
            "--expires-in-days", "3", "--expires", "2031-01-01T00:00:00",
        ],
    )  # fmt: skip
    assert both.exit_code == 1
    assert "not both" in both.output

    rot = runner.invoke(cli, ["key", "rotate", created["id"], "--grace-hours", "1"])
    assert rot.exit_code == 0, rot.output
    rotated = json.loads(rot.stdout)
    assert rotated["replaces"] == created["id"]
    old_end = _when(rotated["replaced_key_expires_at"]) - utcnow()
    assert timedelta(minutes=59) < old_end <= timedelta(hours=1)
    fresh = {"Authorization": f"Bearer {rotated['api_key']}"}
    assert client.get("/api/v1/organisations", headers=fresh).status_code == 200
    keys = session.exec(select(ApiKey)).all()
    assert len(keys) == 2

    missing = runner.invoke(cli, ["key", "rotate", str(uuid.uuid4())])
    assert missing.exit_code == 1
    assert "No API key" in missing.output
