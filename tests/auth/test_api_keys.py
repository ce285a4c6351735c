from datetime import timedelta

import pytest
from sqlmodel import select

from app.auth import api_keys
from app.auth.api_keys import hash_api_key
from app.auth.models import ApiKey
from app.auth.scopes import Scope
from app.core.errors import InvalidInput, Unauthenticated
from app.core.types import utcnow
from app.organisations import service as organisations
from app.organisations.models import OrganisationType

NOW = timedelta(0)


def test_key_is_stored_only_as_hash(session):
    org = organisations.create(session=session, name="Thuiszorg", type=OrganisationType.thuiszorg)
    key, plain = api_keys.create_key(
        session=session, organisation_id=org.id, name="app", scopes=[Scope.intakes_write]
    )
    session.commit()
    stored = session.exec(select(ApiKey)).one()
    assert plain.startswith("wwk_")
    assert stored.key_hash == hash_api_key(plain)
    assert plain not in (stored.key_hash, stored.prefix, stored.name, stored.scopes)
    assert plain.startswith(stored.prefix)
    assert key.scopes == "intakes:write"


def test_key_needs_a_scope_and_a_future_expiry(session):
    org = organisations.create(session=session, name="X", type=OrganisationType.welzijn)
    with pytest.raises(InvalidInput):
        api_keys.create_key(session=session, organisation_id=org.id, name="a", scopes=[])
    with pytest.raises(InvalidInput):
        api_keys.create_key(
            session=session,
            organisation_id=org.id,
            name="a",
            scopes=[Scope.admin],
            expires_at=utcnow() - timedelta(minutes=1),
        )


def _principal(session, plain, resolution=NOW):
    return api_keys.authenticate(session=session, token=plain, last_used_resolution=resolution)


def test_authenticate_returns_organisation_and_scopes(session):
    org = organisations.create(session=session, name="Linie", type=OrganisationType.corporatie)
    _, plain = api_keys.create_key(
        session=session,
        organisation_id=org.id,
        name="a",
        scopes=[Scope.referrals_read, Scope.referrals_write],
    )
    p = _principal(session, plain)
    assert p.organisation_id == org.id
    assert p.organisation_type == OrganisationType.corporatie
    assert p.scopes == {Scope.referrals_read, Scope.referrals_write}


def test_revoked_expired_and_inactive_keys_fail(session):
    org = organisations.create(session=session, name="Linie", type=OrganisationType.corporatie)
    key, plain = api_keys.create_key(
        session=session, organisation_id=org.id, name="a", scopes=[Scope.referrals_read]
    )
    api_keys.revoke_key(session=session, key_id=key.id)
    with pytest.raises(Unauthenticated):
        _principal(session, plain)

    key2, plain2 = api_keys.create_key(
        session=session,
        organisation_id=org.id,
        name="b",
        scopes=[Scope.referrals_read],
        expires_at=utcnow() + timedelta(hours=1),
    )
    key2.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()
    with pytest.raises(Unauthenticated):
        _principal(session, plain2)

    _, plain3 = api_keys.create_key(
        session=session, organisation_id=org.id, name="c", scopes=[Scope.referrals_read]
    )
    organisations.update_organisation(session=session, organisation_id=org.id, active=False)
    with pytest.raises(Unauthenticated, match="deactivated"):
        _principal(session, plain3)


def test_last_use_is_recorded_but_throttled(session):
    org = organisations.create(session=session, name="Linie", type=OrganisationType.corporatie)
    key, plain = api_keys.create_key(
        session=session, organisation_id=org.id, name="a", scopes=[Scope.referrals_read]
    )
    session.commit()
    assert key.last_used_at is None
    _principal(session, plain, resolution=timedelta(minutes=1))
    session.commit()
    session.refresh(key)
    first = key.last_used_at
    assert first is not None
    _principal(session, plain, resolution=timedelta(minutes=1))
    session.commit()
    session.refresh(key)
    assert key.last_used_at == first  # within the resolution: no write
    _principal(session, plain, resolution=timedelta(0))
    session.commit()
    session.refresh(key)
    assert key.last_used_at > first
