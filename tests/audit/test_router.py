from sqlalchemy import text
from sqlmodel import Session

from app.audit import service as audit
from app.auth.scopes import Scope
from app.core.database import get_engine
from app.organisations.models import OrganisationType
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake


def entries(client, party, **params):
    r = client.get("/api/v1/audit", params=params, headers=party.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_every_touch_of_personal_data_is_logged_with_who_and_why(client, world):
    intake = make_intake(
        client, world.thuiszorg, domains=["wonen"], question="Lekkage", consent=True
    )
    referral = intake["referrals"][0]["id"]
    actor = {"X-Actor": "medewerker 4711"}
    client.get(f"/api/v1/intakes/{intake['id']}", headers={**world.thuiszorg.headers, **actor})
    client.get("/api/v1/referrals", headers={**world.corporatie.headers, **actor})
    client.get(f"/api/v1/referrals/{referral}", headers=world.corporatie.headers)
    client.post(
        f"/api/v1/referrals/{referral}/status",
        json={"status": "received"},
        headers={**world.corporatie.headers, "X-Actor": "J. Jansen"},
    )
    client.get(f"/api/v1/referrals/{referral}/history", headers=world.corporatie.headers)
    log = entries(client, world.frontoffice)["data"]
    seen = [(e["action"], e["object_type"], e["purpose"], e["actor"]) for e in log]
    assert seen == [
        ("create", "intake", "registering a question (intake)", None),
        ("read", "intake", "registering a question (intake)", "medewerker 4711"),
        ("read", "referral", "receiving referrals (feed)", "medewerker 4711"),
        ("read", "referral", "handling a referral", None),
        ("update", "referral", "handling a referral", "J. Jansen"),
        ("read", "referral", "handling a referral", "J. Jansen"),  # the changed referral shown
        ("read", "referral", "handling a referral", None),  # the history, with its notes
    ]
    assert all(e["intake_ids"] == [intake["id"]] for e in log)
    assert log[2]["organisation_id"] == world.corporatie.id
    assert log[2]["api_key_id"]
    assert [e["id"] for e in log] == [1, 2, 3, 4, 5, 6, 7]
    assert all(log[i]["prev_hash"] == log[i - 1]["hash"] for i in range(1, len(log)))


def test_an_empty_feed_page_logs_nothing(client, world):
    client.get("/api/v1/referrals", headers=world.corporatie.headers)
    assert entries(client, world.frontoffice)["data"] == []


def test_who_may_read_the_log(client, world, make_party):
    make_intake(client, world.thuiszorg, domains=["wonen"])
    client.get("/api/v1/referrals", headers=world.corporatie.headers)
    assert len(entries(client, world.frontoffice)["data"]) == 2
    own = entries(client, world.corporatie)["data"]  # demo partner keys carry admin
    assert [e["organisation_id"] for e in own] == [world.corporatie.id]
    no_admin = make_party(OrganisationType.gemeente, scopes=[Scope.stats_read])
    assert_problem(client.get("/api/v1/audit", headers=no_admin.headers), 403)
    assert_problem(client.get("/api/v1/audit"), 401)


def test_paging_and_filter_by_resident(client, world):
    first = make_intake(client, world.thuiszorg, domains=["wonen"])
    second = make_intake(client, world.thuiszorg, domains=["zorg"])
    page = entries(client, world.frontoffice, limit=1)
    assert len(page["data"]) == 1
    assert page["has_more"] is True
    rest = entries(client, world.frontoffice, after=page["next_after"])
    assert [e["intake_ids"] for e in rest["data"]] == [[second["id"]]]
    about_first = entries(client, world.frontoffice, intake_id=first["id"])["data"]
    assert [e["intake_ids"] for e in about_first] == [[first["id"]]]


def test_the_chain_detects_a_changed_a_removed_and_an_added_entry(client, world):
    for _ in range(3):
        make_intake(client, world.thuiszorg, domains=["wonen"])
    with Session(get_engine()) as s:
        assert audit.verify(session=s).intact

    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'iemand anders' WHERE id = 2"))
    with Session(engine) as s:
        result = audit.verify(session=s)
    assert (result.broken_at, result.reason) == (2, "its content does not match its hash")
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = NULL WHERE id = 2"))
        conn.execute(text("DELETE FROM audit_log WHERE id = 3"))
    with Session(engine) as s:
        result = audit.verify(session=s)
    assert result.broken_at == 3
    assert not result.intact
    # Leave an intact chain behind for the check after every test.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(text("UPDATE audit_head SET last_id = 0, hash = :h"), {"h": "0" * 64})


def test_audit_verify_command(client, world):
    from typer.testing import CliRunner

    from app.cli import cli

    make_intake(client, world.thuiszorg, domains=["wonen"])
    r = CliRunner().invoke(cli, ["audit", "verify"])
    assert r.exit_code == 0, r.output
    assert "intact: 1 entries" in r.stdout
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE audit_log SET purpose = 'nieuwsgierigheid'"))
    r = CliRunner().invoke(cli, ["audit", "verify"])
    assert r.exit_code == 1
    assert "broken at entry 1" in r.stderr
    with get_engine().begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(text("UPDATE audit_head SET last_id = 0, hash = :h"), {"h": "0" * 64})


def test_a_cursor_beyond_any_id_is_422_not_500(client, world):
    # Found by schemathesis: a number past 64 bits reached the database.
    r = client.get("/api/v1/audit?after=5849877785820231892992", headers=world.frontoffice.headers)
    assert_problem(r, 422)
    assert (
        client.get(f"/api/v1/audit?after={2**63 - 1}", headers=world.frontoffice.headers).json()[
            "data"
        ]
        == []
    )
