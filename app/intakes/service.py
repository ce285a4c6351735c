"""The intake record: made from a question (with what the classifier made of it), found by
those who may see it, corrected by staff, and exported as training data. What happens around
it (consent, routing, referrals) is app/flows/intake.py."""

import uuid
from typing import Any

from sqlmodel import Session, col, select

from app.areas import service as areas
from app.audit import service as audit
from app.auth.principal import Principal
from app.classification.schemas import Domain
from app.classification.service import Classification
from app.core import crypto
from app.core.errors import NotFound
from app.core.types import utcnow
from app.intakes.models import DomainCorrection, Intake
from app.intakes.schemas import Channel, IntakeStatus, ResidentContact


class IntakeNotFound(NotFound):
    title = "Intake not found"
    slug = "intake-not-found"


def new_intake(
    *,
    session: Session,
    principal: Principal,
    question: str,
    channel: Channel,
    postcode: str | None,
    consent: bool,
    resident: ResidentContact | None,
    bsn: str | None,
    result: Classification,
    domains: list[Domain] | None,
) -> Intake:
    """The intake for a question, with the classifier's answer, or staff's `domains` instead
    of its domains. Added to the session (not flushed: recording the consent does that),
    still `open`: the flow decides where it goes."""
    chosen = list(domains) if domains else result.labels()
    pc4 = postcode[:4] if postcode else None
    intake = Intake(
        organisation_id=principal.organisation_id,
        question=question,
        channel=channel,
        postcode=postcode,
        pc4=pc4,
        area_id=areas.area_for(session=session, pc4=pc4),
        consent=consent,
        resident_name=resident.name if resident else None,
        resident_phone=resident.phone if resident else None,
        resident_email=resident.email if resident else None,
        resident_address=resident.address if resident else None,
        bsn_encrypted=crypto.encrypt_bsn(bsn) if bsn else None,
        domains=[str(d) for d in chosen],
        domains_source="staff" if domains else "classifier",
        classification=result.as_dict(),
        classifier_version=result.version,
        urgent=result.urgent,
        urgent_reasons=list(result.urgent_reasons),
        status=IntakeStatus.open,
    )
    session.add(intake)
    return intake


def log(
    session: Session,
    principal: Principal,
    intake: Intake,
    action: audit.Action,
    purpose: audit.Purpose,
) -> None:
    """The question and contact details are personal data: every touch goes in the access
    log. The entry joins the log at commit."""
    audit.record(
        session=session,
        principal=principal,
        action=action,
        purpose=purpose,
        object_type="intake",
        object_ids=[intake.id],
        intake_ids=[intake.id],
    )


def get_visible(
    session: Session, intake_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Intake:
    """The intake, for the organisation that recorded it and the front office; for anyone
    else it does not exist (404). With `lock`, locked for an update that leaves its key alone
    (FOR NO KEY UPDATE: rows being inserted that point at the intake do not block it)."""
    stmt = select(Intake).where(Intake.id == intake_id)
    if lock:
        # populate_existing: the locked row's current values, not what this session saw before.
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    intake = session.exec(stmt).first()
    if intake is None or not (
        principal.is_frontoffice or intake.organisation_id == principal.organisation_id
    ):
        raise IntakeNotFound(f"No intake with id {intake_id}.")
    return intake


def correct(
    *,
    session: Session,
    principal: Principal,
    intake: Intake,
    domains: list[Domain],
    note: str | None,
) -> None:
    """Replace the intake's domains, keeping the correction next to the classifier's own
    answer (training data for the next model)."""
    wanted = [str(d) for d in domains]
    session.add(
        DomainCorrection(
            intake_id=intake.id,
            organisation_id=principal.organisation_id,
            previous_domains=list(intake.domains),
            domains=wanted,
            classifier_domains=[d["domain"] for d in intake.classification.get("domains", [])],
            classifier_version=intake.classifier_version,
            note=note,
        )
    )
    intake.domains = wanted
    intake.domains_source = "staff"
    intake.updated_at = utcnow()
    session.add(intake)


def export_corrections(*, session: Session) -> list[dict[str, Any]]:
    """Corrections as training examples: the question and the domains staff settled on.
    Anonymised intakes are left out; the export of the rest is in the access log."""
    rows = session.exec(
        select(DomainCorrection, Intake.question)
        .join(Intake, col(Intake.id) == col(DomainCorrection.intake_id))
        .where(col(Intake.anonymised_at).is_(None))
        .order_by(col(DomainCorrection.created_at))
    ).all()
    audit.record(
        session=session,
        principal=None,
        action=audit.Action.read,
        purpose=audit.Purpose.training,
        object_type="intake",
        object_ids=[c.intake_id for c, _ in rows],
        intake_ids=[c.intake_id for c, _ in rows],
    )
    return [
        {
            "text": question,
            "domains": sorted(c.domains),
            "classifier_domains": sorted(c.classifier_domains),
            "classifier_version": c.classifier_version,
            "corrected_at": c.created_at.isoformat(),
            "intake_id": str(c.intake_id),
        }
        for c, question in rows
    ]
