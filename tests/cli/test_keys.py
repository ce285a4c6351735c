"""`wijkwinkel org` and `wijkwinkel key` (app/cli/organisations.py, app/cli/keys.py)."""

import json
import uuid

from typer.testing import CliRunner

from app.auth.models import ApiKey
from app.cli import cli

runner = CliRunner()


def test_org_and_key_commands(session, client):
    r = runner.invoke(cli, ["org", "create", "Woonstichting Test", "--type", "corporatie"])
    assert r.exit_code == 0, r.output
    org = json.loads(r.stdout)

    bad = runner.invoke(cli, ["org", "create", "X", "--type", "bakker"])
    assert bad.exit_code == 1
    assert "unknown type" in bad.output

    k = runner.invoke(
        cli, ["key", "create", "Woonstichting Test", "-s", "referrals:read", "--name", "poller"]
    )
    assert k.exit_code == 0, k.output
    key = json.loads(k.stdout)
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    assert client.get("/api/v1/organisations", headers=headers).status_code == 200
    assert key["organisation_id"] == org["id"]

    rv = runner.invoke(cli, ["key", "revoke", key["id"]])
    assert rv.exit_code == 0, rv.output
    assert client.get("/api/v1/organisations", headers=headers).status_code == 401
    session.expire_all()
    assert session.get(ApiKey, uuid.UUID(key["id"])).revoked_at is not None


def test_org_create_says_why_it_failed():
    assert runner.invoke(cli, ["org", "create", "Org", "--type", "welzijn"]).exit_code == 0
    again = runner.invoke(cli, ["org", "create", "Org", "--type", "welzijn"])
    assert again.exit_code == 1
    assert again.stdout == ""
    assert again.stderr == "error: An organisation named 'Org' already exists.\n"


def test_key_create_rejects_unknown_scope_and_organisation():
    r = runner.invoke(cli, ["key", "create", "nobody", "-s", "referrals:read"])
    assert r.exit_code == 1
    assert "no organisation" in r.output
    runner.invoke(cli, ["org", "create", "Org", "--type", "welzijn"])
    r = runner.invoke(cli, ["key", "create", "Org", "-s", "everything"])
    assert r.exit_code == 1
    assert "unknown scope" in r.output
