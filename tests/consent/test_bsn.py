import logging
import uuid

import pytest
from sqlmodel import select

from app.core import crypto
from app.core.config import get_settings
from app.intakes.models import Intake
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake

BSN = "111222333"  # passes the 11-test; not a real person's


def to_gemeente(client, world, **intake):
    """A wonen intake whose referral the corporatie forwards to the gemeente."""
    made = make_intake(client, world.thuiszorg, domains=["wonen"], bsn=BSN, **intake)
    ref = made["referrals"][0]["id"]
    r = client.post(
        f"/api/v1/referrals/{ref}/forward",
        json={"organisation_id": world.gemeente.id, "reason": "Wmo-maatwerk"},
        headers=world.corporatie.headers,
    )
    assert r.status_code == 201, r.text
    return made, ref, r.json()["id"]


def test_only_a_gemeente_with_consent_sees_the_bsn(client, world, session, caplog):
    caplog.set_level(logging.DEBUG)
    made, old_ref, new_ref = to_gemeente(client, world)
    assert made["has_bsn"] is True
    assert BSN not in str(made)  # not even to the organisation that recorded it
    gemeente = client.get(f"/api/v1/referrals/{new_ref}", headers=world.gemeente.headers)
    assert gemeente.json()["intake"]["bsn"] == BSN
    corporatie = client.get(f"/api/v1/referrals/{old_ref}", headers=world.corporatie.headers)
    assert corporatie.json()["intake"]["bsn"] is None
    desk = client.get(f"/api/v1/referrals/{new_ref}", headers=world.frontoffice.headers)
    assert desk.json()["intake"]["bsn"] is None

    stored = session.get(Intake, uuid.UUID(made["id"]))
    assert stored.bsn_encrypted
    assert BSN not in stored.bsn_encrypted  # encrypted at rest
    assert crypto.decrypt_bsn(stored.bsn_encrypted) == BSN
    assert BSN not in caplog.text  # never logged
    audit = client.get("/api/v1/audit", headers=world.frontoffice.headers).text
    assert BSN not in audit


def test_no_bsn_without_consent_for_gemeenten(client, world):
    _, _, new_ref = to_gemeente(
        client, world, consent_details={"method": "verbaal", "organisation_types": ["corporatie"]}
    )
    view = client.get(f"/api/v1/referrals/{new_ref}", headers=world.gemeente.headers).json()
    assert view["intake"]["bsn"] is None
    assert view["intake"]["resident_shared"] is False


def test_an_invalid_bsn_is_422_without_repeating_it(client, world):
    r = client.post(
        "/api/v1/intakes",
        json={"question": "Lekkage", "channel": "balie", "consent": True, "bsn": "111222334"},
        headers=world.thuiszorg.headers,
    )
    body = assert_problem(r, 422)
    assert "11-test" in body["detail"]
    assert "111222334" not in r.text


def test_without_a_key_a_bsn_is_refused_and_nothing_stored(client, world, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "bsn_encryption_keys", None)
    crypto._fernet.cache_clear()
    try:
        r = client.post(
            "/api/v1/intakes",
            json={"question": "Lekkage", "channel": "balie", "consent": True, "bsn": BSN},
            headers=world.thuiszorg.headers,
        )
        assert "encryption key" in assert_problem(r, 422)["detail"]
        assert session.exec(select(Intake)).first() is None
    finally:
        crypto._fernet.cache_clear()


@pytest.mark.parametrize("how", ["erasure", "withdrawal"])
def test_erasure_removes_it_and_withdrawal_hides_it(client, world, session, how):
    made, _, new_ref = to_gemeente(client, world)
    if how == "erasure":
        r = client.post(f"/api/v1/intakes/{made['id']}/erasure", headers=world.frontoffice.headers)
    else:
        r = client.post(
            f"/api/v1/intakes/{made['id']}/consent/withdrawal",
            json={"method": "schriftelijk"},
            headers=world.thuiszorg.headers,
        )
    assert r.status_code == 200, r.text
    view = client.get(f"/api/v1/referrals/{new_ref}", headers=world.gemeente.headers).json()
    assert view["intake"]["bsn"] is None
    session.expire_all()
    stored = session.get(Intake, uuid.UUID(made["id"]))
    assert (stored.bsn_encrypted is None) == (how == "erasure")
