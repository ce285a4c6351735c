"""The intake record: made from a question (with what the classifier made of it), found by
those who may see it, corrected by staff, and exported as training data. What happens around
it (consent, routing, referrals) is app/flows/intake.py."""

import uuid
from datetime import datetime
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
from app.intakes.schemas import IntakeCreate, IntakeStatus


class IntakeNotFound(NotFound):
    title = "Intake not found"
    slug = "intake-not-found"


def new_intake(
    *,
    session: Session,
    principal: Principal,
    request: IntakeCreate,
    result: Classification,
) -> Intake:
    """The intake for a question, with the classifier's answer, and the domains a person chose
    (`request.domains`: who and when are recorded) or else the classifier's. Added to the
    session (not flushed: recording the consent does that), still `open`: the flow decides
    where it goes."""
    domains, postcode, resident = request.domains, request.postcode, request.resident
    chosen = list(domains) if domains is not None else result.labels()
    now = utcnow()
    pc4 = postcode[:4] if postcode else None
    intake = Intake(
        organisation_id=principal.organisation_id,
        question=request.question,
        channel=request.channel,
        postcode=postcode,
        pc4=pc4,
        area_id=areas.area_for(session=session, pc4=pc4),
        consent=request.consent,
        resident_name=resident.name if resident else None,
        resident_phone=resident.phone if resident else None,
        resident_email=resident.email if resident else None,
        resident_address=resident.address if resident else None,
        bsn_encrypted=crypto.encrypt_bsn(request.bsn) if request.bsn else None,
        domains=[str(d) for d in chosen],
        domains_source="staff" if domains is not None else "classifier",
        classification=result.as_dict(),
        classifier_version=result.version,
        urgent=result.urgent,
        urgent_reasons=list(result.urgent_reasons),
        domains_confirmed_by=actor_name(principal) if domains is not None else None,
        domains_confirmed_at=now if domains is not None else None,
        status=IntakeStatus.open,
        created_at=now,
        updated_at=now,
    )
    session.add(intake)
    return intake


def actor_name(principal: Principal) -> str:
    """Who did it, as the record says: the person (a login's username, an API call's X-Actor),
    or else the organisation whose key it was."""
    return principal.actor or principal.organisation_name


def log(
    session: Session,
    principal: Principal,
    intake: Intake,
    action: audit.Action,
    purpose: audit.Purpose,
) -> None:
    """The question and contact details are personal data: every touch goes in the access
    log. The entry joins the log at commit."""
    audit.record_intakes(
        session=session, principal=principal, action=action, purpose=purpose, intake_ids=[intake.id]
    )


def locked(session: Session, intake_id: uuid.UUID) -> Intake | None:
    """The intake, locked for an update that leaves its key alone (FOR NO KEY UPDATE: rows
    being inserted that point at it, which take a key-share lock, neither block it nor are
    blocked), with its current values rather than what this session saw before."""
    return session.exec(
        select(Intake)
        .where(Intake.id == intake_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def get_visible(
    session: Session, intake_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Intake:
    """The intake, for the organisation that recorded it and the front office; for anyone
    else it does not exist (404). With `lock`, locked as `locked` does."""
    intake = locked(session, intake_id) if lock else session.get(Intake, intake_id)
    if intake is None or not (
        principal.is_frontoffice or intake.organisation_id == principal.organisation_id
    ):
        raise IntakeNotFound(f"No intake with id {intake_id}.")
    return intake


def record_choice(*, session: Session, principal: Principal, intake: Intake) -> None:
    """A person chose other domains than the classifier proposed, before anything was sent:
    kept as a correction (training data, and the agreement figures), as a later one is."""
    proposed = [d["domain"] for d in intake.classification.get("domains", [])]
    if set(proposed) == set(intake.domains):
        return
    session.add(
        DomainCorrection(
            intake_id=intake.id,
            organisation_id=principal.organisation_id,
            previous_domains=proposed,
            domains=list(intake.domains),
            classifier_domains=proposed,
            classifier_version=intake.classifier_version,
            note="chosen at the intake, before sending",
        )
    )


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
    now = utcnow()
    intake.domains = wanted
    intake.domains_source = "staff"
    intake.domains_confirmed_by, intake.domains_confirmed_at = actor_name(principal), now
    intake.updated_at = now
    if principal.is_frontoffice:  # the desk decided: what waited for it is dealt with
        _reviewed(intake, principal, note or "domains corrected", now)
    session.add(intake)


def acknowledge_urgent(
    *, session: Session, principal: Principal, intake: Intake, note: str
) -> None:
    """The front office saw the safety signal and says what it did (called 113, informed the
    wijkteam): on record with who and when. Acknowledging again replaces the note."""
    now = utcnow()
    intake.urgent_acknowledged_by = actor_name(principal)
    intake.urgent_acknowledged_at = now
    intake.urgent_acknowledgement = note
    _reviewed(intake, principal, note, now)
    session.add(intake)


def mark_reviewed(*, session: Session, principal: Principal, intake: Intake, note: str) -> None:
    """The front office looked at the intake and dealt with it outside the record (a call,
    advice at the desk): the review queue stops showing what was there until now."""
    _reviewed(intake, principal, note, utcnow())
    session.add(intake)


def close_by_hand(*, session: Session, principal: Principal, intake: Intake, reason: str) -> None:
    """Close an intake that no referral keeps open (information given, no answer after
    calling back), with the reason. The caller has checked that no referral is open."""
    now = utcnow()
    intake.status, intake.closed_at, intake.closed_reason = IntakeStatus.closed, now, reason
    _reviewed(intake, principal, reason, now)
    session.add(intake)


def _reviewed(intake: Intake, principal: Principal, note: str, now: datetime) -> None:
    intake.reviewed_by, intake.reviewed_at, intake.review_note = actor_name(principal), now, note
    intake.updated_at = now


def export_corrections(*, session: Session) -> list[dict[str, Any]]:
    """Corrections as training examples: the question and the domains staff settled on.
    Anonymised intakes are left out; the export of the rest is in the access log."""
    rows = session.exec(
        select(DomainCorrection, Intake.question)
        .join(Intake, col(Intake.id) == col(DomainCorrection.intake_id))
        .where(col(Intake.anonymised_at).is_(None))
        .order_by(col(DomainCorrection.created_at))
    ).all()
    audit.record_intakes(
        session=session,
        principal=None,
        action=audit.Action.read,
        purpose=audit.Purpose.training,
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
