"""`wijkwinkel demo` (app/cli/demo.py)."""

import json

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


def test_demo_if_new_only_checks_the_keys_it_skips_for(session, tmp_path):
    # Trying the first key stamps its last use; a skipped run keeps nothing of that.
    out = tmp_path / "keys.json"
    assert runner.invoke(cli, ["demo", "--if-new", "--output", str(out)]).exit_code == 0
    assert "skipped" in runner.invoke(cli, ["demo", "--if-new", "--output", str(out)]).output
    assert all(k.last_used_at is None for k in session.exec(select(ApiKey)).all())


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
