"""Retention and erasure: remove a resident's personal data, keep what the statistics count.

What goes: the question (it names people and health details), the full postcode, the contact
details, the words the classifier quoted from the question, and the free-text notes partners
and staff wrote on referrals and corrections. What stays: domains, subcategories, urgency, PC4
and wijk, channel, statuses, outcomes and times; the statistics read only those.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.core.config import get_settings
from app.core.errors import NotFound
from app.core.types import utcnow
from app.intakes.models import DomainCorrection, Intake
from app.intakes.schemas import IntakeStatus
from app.referrals.models import Referral, ReferralEvent

ANONYMISED = "[geanonimiseerd]"


class IntakeNotFound(NotFound):
    title = "Intake not found"
    slug = "intake-not-found"


def _without_quotes(classification: dict[str, Any]) -> dict[str, Any]:
    """The classification without the words it quoted from the question."""
    domains = [
        {
            **d,
            "evidence": [],
            "subcategories": [{**s, "evidence": []} for s in d.get("subcategories") or []],
        }
        for d in classification.get("domains", [])
    ]
    return {**classification, "domains": domains, "urgent_evidence": []}


def anonymise(*, session: Session, intake: Intake, now: datetime) -> None:
    intake.question = ANONYMISED
    intake.postcode = None
    intake.resident_name = intake.resident_phone = None
    intake.resident_email = intake.resident_address = None
    intake.bsn_encrypted = None
    # The front office's own notes may name the resident too.
    intake.urgent_acknowledgement = intake.review_note = intake.closed_reason = None
    intake.classification = _without_quotes(intake.classification)
    intake.anonymised_at = now
    session.add(intake)
    referral_ids = select(Referral.id).where(col(Referral.intake_id) == intake.id)
    session.execute(
        update(ReferralEvent)
        .where(col(ReferralEvent.referral_id).in_(referral_ids))
        .where(col(ReferralEvent.note).is_not(None))
        .values(note=ANONYMISED)
    )
    session.execute(
        update(DomainCorrection)
        .where(col(DomainCorrection.intake_id) == intake.id)
        .where(col(DomainCorrection.note).is_not(None))
        .values(note=ANONYMISED)
    )
    session.flush()


@dataclass(frozen=True, slots=True)
class PurgeResult:
    anonymised: int
    cutoff: datetime


def purge(
    *, session: Session, older_than: timedelta | None = None, limit: int = 1000
) -> PurgeResult:
    """Anonymise intakes that closed before the retention period; intakes without consent
    (which never open) counted from when they were recorded, and intakes left needing review
    from their last change. In batches; run until 0."""
    now = utcnow()
    cutoff = now - (older_than or timedelta(days=30.44 * get_settings().retention_months))
    due = session.exec(
        select(Intake)
        .where(col(Intake.anonymised_at).is_(None))
        .where(
            or_(
                col(Intake.closed_at) < cutoff,
                # Never opened (no consent), or left waiting for the desk that long.
                (col(Intake.status) == str(IntakeStatus.no_consent))
                & (col(Intake.created_at) < cutoff),
                (col(Intake.status) == str(IntakeStatus.needs_review))
                & (col(Intake.updated_at) < cutoff),
            )
        )
        .order_by(col(Intake.created_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for intake in due:
        anonymise(session=session, intake=intake, now=now)
    if due:
        audit.record_intakes(
            session=session,
            principal=None,
            action=audit.Action.erase,
            purpose=audit.Purpose.retention,
            intake_ids=[i.id for i in due],
        )
    return PurgeResult(anonymised=len(due), cutoff=cutoff)


def erase(*, session: Session, principal: Principal, intake_id: uuid.UUID) -> Intake:
    """The resident asked: anonymise this intake now, whatever its status. Open referrals go
    on without the personal data."""
    intake = session.exec(
        select(Intake).where(col(Intake.id) == intake_id).with_for_update(key_share=True)
    ).first()
    if intake is None:
        raise IntakeNotFound(f"No intake with id {intake_id}.")
    if intake.anonymised_at is None:
        anonymise(session=session, intake=intake, now=utcnow())
    audit.record_intakes(
        session=session,
        principal=principal,
        action=audit.Action.erase,
        purpose=audit.Purpose.erasure,
        intake_ids=[intake.id],
    )
    return intake


def purge_all(*, older_than: timedelta | None = None) -> PurgeResult:
    """Purge in batches, each in its own transaction, until nothing is due (CLI, worker)."""
    from app.core.database import get_engine

    total = 0
    while True:
        with Session(get_engine()) as session:
            result = purge(session=session, older_than=older_than)
            session.commit()
        total += result.anonymised
        if not result.anonymised:
            return PurgeResult(anonymised=total, cutoff=result.cutoff)
