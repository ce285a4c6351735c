"""Feed positions and access-log entries are written at commit (app/core/database.py on_commit):
only when the transaction commits, in one lock order, and nothing carries over after a rollback."""

import uuid

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.auth.principal import Principal
from app.core.database import get_engine
from app.referrals.models import Referral
from tests.intakes.helpers import make_intake


def _log_one(session: Session, principal: Principal | None = None) -> uuid.UUID:
    intake_id = uuid.uuid4()
    audit.record(
        session=session,
        principal=principal,
        action=audit.Action.read,
        purpose=audit.Purpose.intake,
        object_type="intake",
        object_ids=[intake_id],
        intake_ids=[intake_id],
    )
    return intake_id


def _logged(session: Session) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def test_an_entry_joins_the_chain_only_when_its_transaction_commits(session):
    with Session(get_engine()) as s:
        _log_one(s)
        s.flush()
        assert _logged(s) == []  # queued, not yet written: the head is not locked yet
        s.rollback()
        kept = _log_one(s)
        s.commit()
    log = _logged(session)
    assert [e.intake_ids for e in log] == [[str(kept)]]
    assert audit.verify(session=session).intact


def test_entries_of_one_transaction_chain_in_the_order_they_were_recorded(session):
    with Session(get_engine()) as s:
        first, second = _log_one(s), _log_one(s)
        s.commit()
    log = _logged(session)
    assert [e.intake_ids for e in log] == [[str(first)], [str(second)]]
    assert log[1].prev_hash == log[0].hash
    assert audit.verify(session=session).intact


def test_referrals_get_positions_in_commit_order(client, world, session):
    for question in ("Lekkage", "Schimmel in de badkamer", "De verwarming doet het niet"):
        make_intake(client, world.thuiszorg, domains=["wonen"], question=question, consent=True)
    rows = session.exec(select(Referral).order_by(col(Referral.created_at))).all()
    assert [r.feed_seq for r in rows] == [1, 2, 3]
    feed = client.get("/api/v1/referrals", headers=world.corporatie.headers).json()
    assert [x["id"] for x in feed["data"]] == [str(r.id) for r in rows]
