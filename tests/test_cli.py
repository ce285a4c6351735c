import json
import uuid

from sqlmodel import select
from typer.testing import CliRunner

from app.auth.models import ApiKey
from app.cli import cli
from app.organisations.models import Organisation, OrganisationType

runner = CliRunner()


def test_demo_json_is_idempotent_and_issues_fresh_keys(session, client):
    first = runner.invoke(cli, ["demo", "--json"])
    assert first.exit_code == 0, first.output
    orgs = json.loads(first.stdout)["organisations"]
    assert {o["type"] for o in orgs} == {t.value for t in OrganisationType}
    assert all(set(o) == {"id", "name", "type", "api_key", "username", "password"} for o in orgs)

    second = json.loads(runner.invoke(cli, ["demo", "--json"]).stdout)["organisations"]
    assert [o["id"] for o in second] == [o["id"] for o in orgs]
    assert all(a["api_key"] != b["api_key"] for a, b in zip(orgs, second, strict=True))
    assert all(a["password"] != b["password"] for a, b in zip(orgs, second, strict=True))

    for org in second:
        r = client.get(
            "/api/v1/organisations", headers={"Authorization": f"Bearer {org['api_key']}"}
        )
        assert r.status_code == 200
    assert len(session.exec(select(Organisation)).all()) == len(OrganisationType)


def test_demo_if_new_skips_an_existing_database(tmp_path):
    out = tmp_path / "keys.json"
    r1 = runner.invoke(cli, ["demo", "--if-new", "--json", "--output", str(out)])
    assert r1.exit_code == 0
    assert json.loads(out.read_text())["organisations"]
    before = out.read_text()
    r2 = runner.invoke(cli, ["demo", "--if-new", "--json", "--output", str(out)])
    assert r2.exit_code == 0
    assert "skipped" in r2.output
    assert out.read_text() == before


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


def test_key_create_rejects_unknown_scope_and_organisation():
    r = runner.invoke(cli, ["key", "create", "nobody", "-s", "referrals:read"])
    assert r.exit_code == 1
    assert "no organisation" in r.output
    runner.invoke(cli, ["org", "create", "Org", "--type", "welzijn"])
    r = runner.invoke(cli, ["key", "create", "Org", "-s", "everything"])
    assert r.exit_code == 1
    assert "unknown scope" in r.output


def test_demo_if_new_replaces_a_keys_file_of_another_database(tmp_path):
    out = tmp_path / "keys.json"
    assert runner.invoke(cli, ["demo", "--if-new", "--json", "--output", str(out)]).exit_code == 0
    # As if the file came from another database: its keys do not work here.
    stale = json.loads(out.read_text())
    for org in stale["organisations"]:
        org["api_key"] = "wwk_not_from_this_database"
    out.write_text(json.dumps(stale))
    r = runner.invoke(cli, ["demo", "--if-new", "--json", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert "do not work with this database" in r.stderr
    fresh = json.loads(out.read_text())["organisations"]
    assert all(o["api_key"].startswith("wwk_") for o in fresh)
    assert fresh[0]["api_key"] != "wwk_not_from_this_database"
    assert runner.invoke(cli, ["demo", "--if-new", "--output", str(out)]).exit_code == 0


def test_stats_refresh_command():
    r = runner.invoke(cli, ["stats", "refresh", "--rebuild"])
    assert r.exit_code == 0, r.output
    assert "statistics cube" in r.stdout
