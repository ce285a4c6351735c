import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from app.audit.models import AuditEntry
from app.core.database import get_engine
from app.intakes.models import Intake
from app.referrals.models import ReferralEvent
from app.retention import service as retention
from tests.referrals.helpers import set_status
from tests.stats.helpers import changed_behind_the_services, stats

RESIDENT = {
    "name": "Bertha Kwikstaart",
    "phone": "06-11223344",
    "email": "b.kwikstaart@example.nl",
    "address": "Merelhof 3",
}
QUESTION = "Mevrouw Kwikstaart valt vaak en de badkamer is boven; ze slaapt beneden."


def closed_intake(client, world, note="Mevrouw Kwikstaart was thuis, traplift besteld."):
    from tests.intakes.helpers import make_intake

    intake = make_intake(
        client, world.thuiszorg, question=QUESTION, resident=RESIDENT, domains=["wonen"]
    )
    ref = intake["referrals"][0]["id"]
    for step in ("received", "accepted", "in_progress"):
        assert set_status(client, world.corporatie, ref, step).status_code == 200
    r = set_status(client, world.corporatie, ref, "completed", outcome="geholpen", note=note)
    assert r.status_code == 200
    return intake


def backdate(session, intake_ids, closed):
    ids = [uuid.UUID(i) for i in intake_ids]
    session.execute(
        update(Intake)
        .where(Intake.id.in_(ids))  # type: ignore[attr-defined]
        .values(closed_at=closed, created_at=closed - timedelta(days=30))
    )
    changed_behind_the_services(session)


def test_purge_removes_personal_data_and_leaves_the_statistics(client, world, session):
    old = [closed_intake(client, world) for _ in range(6)]
    recent = closed_intake(client, world)
    backdate(session, [i["id"] for i in old], datetime.now(UTC) - timedelta(days=800))
    g = world.gemeente
    before = [
        stats(client, g, group_by=by)["data"]
        for by in ("domain", "status,outcome", "area", "channel")
    ]

    with Session(get_engine()) as s:
        result = retention.purge(session=s)
        s.commit()
    assert result.anonymised == 6
    with Session(get_engine()) as s:
        assert retention.purge(session=s).anonymised == 0  # nothing left to do

    after = [
        stats(client, g, group_by=by)["data"]
        for by in ("domain", "status,outcome", "area", "channel")
    ]
    assert after == before

    session.expire_all()
    for intake in old:
        row = session.get(Intake, uuid.UUID(intake["id"]))
        assert row.anonymised_at is not None
        assert row.question == retention.ANONYMISED
        assert row.postcode is None
        assert (row.resident_name, row.resident_phone, row.resident_email) == (None, None, None)
        assert row.resident_address is None
        assert row.pc4 == "3811"  # the wijk stays, for the statistics
        assert "Kwikstaart" not in str(row.classification)
        assert all(not d["evidence"] for d in row.classification["domains"])

    def notes_of(intake):
        ids = [uuid.UUID(r["id"]) for r in intake["referrals"]]
        return session.exec(
            select(ReferralEvent.note).where(ReferralEvent.referral_id.in_(ids))  # type: ignore[attr-defined]
        ).all()

    for intake in old:
        assert not any("Kwikstaart" in (n or "") for n in notes_of(intake))
    assert any("Kwikstaart" in (n or "") for n in notes_of(recent))  # not due yet
    kept = session.get(Intake, uuid.UUID(recent["id"]))
    assert kept.anonymised_at is None
    assert kept.resident_name == RESIDENT["name"]

    # What partners and the desk see now.
    ref = old[0]["referrals"][0]["id"]
    body = client.get(f"/api/v1/referrals/{ref}", headers=world.corporatie.headers).text
    assert "Kwikstaart" not in body
    assert "06-11223344" not in body
    history = client.get(f"/api/v1/referrals/{ref}/history", headers=world.corporatie.headers)
    assert "Kwikstaart" not in history.text

    # The purge is in the access log, by the system, for the retention period.
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "erase")).one()
    assert entry.purpose == "retention period over"
    assert sorted(entry.intake_ids) == sorted(i["id"] for i in old)
    assert entry.organisation_id is None


def test_open_intakes_are_kept_and_no_consent_ones_age_out(client, world, session):
    from tests.intakes.helpers import make_intake

    open_one = make_intake(client, world.thuiszorg, resident=RESIDENT, domains=["wonen"])
    silent = make_intake(
        client, world.thuiszorg, resident=RESIDENT, domains=["wonen"], consent=False
    )
    long_ago = datetime.now(UTC) - timedelta(days=800)
    session.execute(update(Intake).values(created_at=long_ago))
    session.commit()
    with Session(get_engine()) as s:
        assert retention.purge(session=s).anonymised == 1
        s.commit()
    session.expire_all()
    assert session.get(Intake, uuid.UUID(open_one["id"])).resident_name == RESIDENT["name"]
    assert session.get(Intake, uuid.UUID(silent["id"])).resident_name is None


def test_intakes_left_needing_review_age_out(client, world, session):
    from tests.intakes.helpers import make_intake

    waiting = make_intake(client, world.thuiszorg, question="xq zzv plok", resident=RESIDENT)
    assert waiting["status"] == "needs_review"
    session.execute(update(Intake).values(updated_at=datetime.now(UTC) - timedelta(days=800)))
    session.commit()
    with Session(get_engine()) as s:
        assert retention.purge(session=s).anonymised == 1
        s.commit()
    session.expire_all()
    assert session.get(Intake, uuid.UUID(waiting["id"])).resident_name is None


def test_purge_command(client, world, session):
    from typer.testing import CliRunner

    from app.cli import cli

    intake = closed_intake(client, world)
    backdate(session, [intake["id"]], datetime.now(UTC) - timedelta(days=40))
    r = CliRunner().invoke(cli, ["purge"])
    assert r.exit_code == 0, r.output
    assert "anonymised 0 intake(s)" in r.stdout  # 40 days is within 24 months
    r = CliRunner().invoke(cli, ["purge", "--older-than-days", "30"])
    assert "anonymised 1 intake(s)" in r.stdout
