import json
from datetime import timedelta

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from app.auth import logins, passwords, staff
from app.auth.scopes import Role, Scope
from app.cli import cli
from app.core.database import get_engine
from app.core.errors import Conflict, InvalidInput
from app.core.types import utcnow
from app.organisations.models import OrganisationType

runner = CliRunner()


@pytest.fixture
def org(make_party):  # type: ignore[no-untyped-def]
    return make_party(OrganisationType.corporatie).org


def test_passwords_are_stored_as_argon2id(org):
    with Session(get_engine()) as s:
        user = staff.create_user(
            session=s,
            organisation_id=org.id,
            username="Jan.Jansen",
            role=Role.staff,
            password="een lang wachtwoord",
        )
        s.commit()
        assert user.username == "jan.jansen"
        assert user.password_hash
        assert user.password_hash.startswith("$argon2id$")
        assert "een lang wachtwoord" not in user.password_hash
        found = passwords.authenticate_password(
            session=s, username="JAN.JANSEN", password="een lang wachtwoord"
        )
        assert found.id == user.id


def test_rules_for_new_accounts(org):
    with Session(get_engine()) as s:
        with pytest.raises(InvalidInput):
            staff.create_user(
                session=s,
                organisation_id=org.id,
                username="a b",
                role=Role.staff,
                password="x" * 12,
            )
        with pytest.raises(InvalidInput):
            staff.create_user(
                session=s, organisation_id=org.id, username="kort", role=Role.staff, password="kort"
            )
        staff.create_user(
            session=s, organisation_id=org.id, username="piet", role=Role.staff, password=None
        )
        with pytest.raises(Conflict):
            staff.create_user(
                session=s, organisation_id=org.id, username="Piet", role=Role.staff, password=None
            )
        # No password: only an identity provider (OIDC) can log this account in.
        with pytest.raises(passwords.LoginFailed):
            passwords.authenticate_password(session=s, username="piet", password="")


def test_roles_give_the_same_scopes_as_api_keys(org):
    with Session(get_engine()) as s:
        analyst = staff.create_user(
            session=s, organisation_id=org.id, username="ana", role=Role.analyst, password=None
        )
        principal = logins.principal_for(analyst, org)
        assert principal.scopes == frozenset({Scope.stats_read})
        assert principal.actor == "ana"
        assert principal.key_id is None


def test_lockout_ends_after_its_time_and_a_new_password_lifts_it(org):
    with Session(get_engine()) as s:
        user = staff.create_user(
            session=s, organisation_id=org.id, username="kees", role=Role.staff, password="x" * 12
        )
        for _ in range(5):
            with pytest.raises(passwords.LoginFailed):
                passwords.authenticate_password(session=s, username="kees", password="fout")
        with pytest.raises(passwords.AccountLocked):
            passwords.authenticate_password(session=s, username="kees", password="x" * 12)
        user.locked_until = utcnow() - timedelta(seconds=1)
        s.add(user)
        s.flush()
        assert passwords.authenticate_password(session=s, username="kees", password="x" * 12)
        for _ in range(5):
            with pytest.raises(passwords.LoginFailed):
                passwords.authenticate_password(session=s, username="kees", password="fout")
        staff.set_password(session=s, user=user, password="y" * 12)
        assert passwords.authenticate_password(session=s, username="kees", password="y" * 12)


def test_sessions_expire_when_idle(org):
    with Session(get_engine()) as s:
        user = staff.create_user(
            session=s, organisation_id=org.id, username="els", role=Role.staff, password=None
        )
        token, row = logins.start(session=s, user=user)
        assert logins.resolve(session=s, token=token) is not None
        assert logins.resolve(session=s, token="geraden") is None
        row.last_seen_at = utcnow() - timedelta(hours=2)
        s.add(row)
        s.flush()
        assert logins.resolve(session=s, token=token) is None


def test_cli_user_create_prints_a_password_once(org):
    r = runner.invoke(cli, ["user", "create", org.name, "marie", "--role", "admin"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["username"] == "marie"
    assert out["role"] == "admin"
    with Session(get_engine()) as s:
        assert passwords.authenticate_password(
            session=s, username="marie", password=out["password"]
        )
    r = runner.invoke(cli, ["user", "create", org.name, "marie"])
    assert r.exit_code == 1
    assert "already exists" in r.output
    r = runner.invoke(cli, ["user", "create", org.name, "joop", "--role", "baas"])
    assert r.exit_code == 1
    r = runner.invoke(
        cli, ["user", "set-password", "marie"], env={"WIJKWINKEL_NEW_PASSWORD": "z" * 12}
    )
    assert r.exit_code == 0, r.output
    with Session(get_engine()) as s:
        assert passwords.authenticate_password(session=s, username="marie", password="z" * 12)


def test_cli_deactivate_ends_logins_and_activate_restores_them(org):
    r = runner.invoke(
        cli,
        ["user", "create", org.name, "vertrekt"],
        env={"WIJKWINKEL_NEW_PASSWORD": "een lang wachtwoord"},
    )
    assert r.exit_code == 0, r.output
    with Session(get_engine()) as s:
        user = staff.get_by_username(session=s, username="vertrekt")
        assert user is not None
        token, _ = logins.start(session=s, user=user)
        s.commit()

    r = runner.invoke(cli, ["user", "deactivate", "Vertrekt"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"username": "vertrekt", "active": False}
    with Session(get_engine()) as s:
        assert logins.resolve(session=s, token=token) is None  # the open page stops
        with pytest.raises(passwords.LoginFailed):
            passwords.authenticate_password(
                session=s, username="vertrekt", password="een lang wachtwoord"
            )

    r = runner.invoke(cli, ["user", "activate", "vertrekt"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"username": "vertrekt", "active": True}
    with Session(get_engine()) as s:
        assert passwords.authenticate_password(
            session=s, username="vertrekt", password="een lang wachtwoord"
        )
        # The old session stays ended: switching back on starts no logins.
        assert logins.resolve(session=s, token=token) is None

    r = runner.invoke(cli, ["user", "deactivate", "niemand"])
    assert r.exit_code == 1
    assert "no user 'niemand'" in r.output
