"""Intakes: record a question, classify it, route it, create the referrals."""

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.areas import service as areas
from app.audit import service as audit
from app.auth.principal import Principal
from app.classification import service as classifier
from app.classification.schemas import Domain
from app.consent import service as consents
from app.consent.models import ConsentRecord
from app.consent.schemas import ConsentIn, ConsentMethod
from app.core import crypto
from app.core.errors import NotFound
from app.core.types import utcnow
from app.intakes.models import DomainCorrection, Intake
from app.intakes.schemas import Channel, IntakeStatus
from app.organisations.models import Organisation
from app.referrals import service as referrals
from app.referrals.models import Referral
from app.referrals.schemas import ResidentContact
from app.referrals.states import FINAL, ReferralStatus
from app.routing import service as routing
from app.stats import facts


class IntakeNotFound(NotFound):
    title = "Intake not found"
    slug = "intake-not-found"


STATUS_REASONS = {
    IntakeStatus.open: "Referred; at least one partner still has to finish.",
    IntakeStatus.closed: "Every referral has reached a final status.",
    IntakeStatus.no_consent: (
        "No consent to share: recorded and classified, but no referral left the front office."
    ),
    IntakeStatus.needs_review: (
        "Not referred yet: no domain was recognised or no organisation could take it. "
        "The front office has to look at it."
    ),
}


@dataclass(frozen=True, slots=True)
class IntakeView:
    intake: Intake
    referrals: list[tuple[Referral, str]]
    consent: list[ConsentRecord]


def create(
    *,
    session: Session,
    principal: Principal,
    question: str,
    channel: Channel,
    postcode: str | None,
    consent: bool,
    resident: ResidentContact | None,
    domains: list[Domain] | None,
    consent_details: ConsentIn | None = None,
    bsn: str | None = None,
) -> IntakeView:
    result = classifier.classify(question)
    chosen = list(domains) if domains else result.labels()
    intake = Intake(
        organisation_id=principal.organisation_id,
        question=question,
        channel=channel,
        postcode=postcode,
        pc4=postcode[:4] if postcode else None,
        area_id=areas.area_for(session=session, pc4=postcode[:4] if postcode else None),
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
    first_step = consents.record_initial(
        session=session,
        principal=principal,
        intake=intake,
        method=consent_details.method if consent_details else ConsentMethod.onbekend,
        organisation_types=consent_details.organisation_types if consent_details else None,
        wording=consent_details.wording if consent_details else None,
    )
    created: list[Referral] = []
    names: dict[uuid.UUID, str] = {}
    unrouted: list[str] = []
    if not consent:
        intake.status = IntakeStatus.no_consent
    elif not chosen:
        intake.status = IntakeStatus.needs_review
    else:
        plan = routing.route(session=session, domains=chosen, pc4=intake.pc4)
        if plan.unrouted:
            intake.status = IntakeStatus.needs_review
            unrouted = [str(d) for d in plan.unrouted]
        created = referrals.create_for_intake(
            session=session, intake=intake, decisions=plan.decisions, actor=principal
        )
        names = {d.organisation_id: d.organisation_name for d in plan.decisions}
    if not created or unrouted:
        facts.record_unreferred(session=session, intake=intake, unrouted=unrouted)
    session.flush()
    _log(session, principal, intake, audit.Action.create, audit.Purpose.intake)
    return IntakeView(
        intake=intake,
        referrals=[(r, names[r.organisation_id]) for r in created],
        consent=[first_step],
    )


def _log(
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


def _with_names(session: Session, rows: list[Referral]) -> list[tuple[Referral, str]]:
    if not rows:
        return []
    ids = {r.organisation_id for r in rows}
    names = dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
        ).all()
    )
    return [(r, names[r.organisation_id]) for r in rows]


def _get_visible(
    session: Session, intake_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Intake:
    stmt = select(Intake).where(Intake.id == intake_id)
    if lock:
        # populate_existing: the locked row's current values, not what this session saw before.
        # NO KEY UPDATE (key_share): rows being inserted that point at the intake do not block it.
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    intake = session.exec(stmt).first()
    if intake is None or not (
        principal.is_frontoffice or intake.organisation_id == principal.organisation_id
    ):
        raise IntakeNotFound(f"No intake with id {intake_id}.")
    return intake


def get(*, session: Session, intake_id: uuid.UUID, principal: Principal) -> IntakeView:
    intake = _get_visible(session, intake_id, principal)
    view = _view(session, intake)
    _log(session, principal, intake, audit.Action.read, audit.Purpose.intake)
    return view


def _view(session: Session, intake: Intake) -> IntakeView:
    intake_id = intake.id
    rows = session.exec(
        select(Referral, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Referral.organisation_id))
        .where(Referral.intake_id == intake_id)
        .order_by(col(Referral.created_at), col(Referral.domain))
    ).all()
    return IntakeView(
        intake=intake,
        referrals=[(r, n) for r, n in rows],
        consent=consents.history(session=session, intake_id=intake_id),
    )


def _lock_with_referrals(
    session: Session, intake_id: uuid.UUID, principal: Principal
) -> tuple[Intake, list[Referral]]:
    """Lock an intake for a change that touches its referrals. Lock order, the same everywhere:
    referrals (by id), then their intake. Status changes lock one referral, then the intake;
    so no two transactions wait for each other."""
    _get_visible(session, intake_id, principal)
    referrals_ = list(
        session.exec(
            select(Referral)
            .where(Referral.intake_id == intake_id)
            .order_by(col(Referral.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )
    return _get_visible(session, intake_id, principal, lock=True), referrals_


def withdraw_consent(
    *, session: Session, principal: Principal, intake_id: uuid.UUID, method: ConsentMethod
) -> IntakeView:
    """The resident takes consent back (see app/consent)."""
    intake, locked = _lock_with_referrals(session, intake_id, principal)
    consents.withdraw(
        session=session, principal=principal, intake=intake, method=method, referrals=locked
    )
    _log(session, principal, intake, audit.Action.update, audit.Purpose.consent)
    return _view(session, intake)


def correct_domains(
    *,
    session: Session,
    principal: Principal,
    intake_id: uuid.UUID,
    domains: list[Domain],
    note: str | None,
) -> IntakeView:
    intake, existing = _lock_with_referrals(session, intake_id, principal)
    previous = list(intake.domains)
    wanted = [str(d) for d in domains]
    classifier_domains = [d["domain"] for d in intake.classification.get("domains", [])]
    session.add(
        DomainCorrection(
            intake_id=intake.id,
            organisation_id=principal.organisation_id,
            previous_domains=previous,
            domains=wanted,
            classifier_domains=classifier_domains,
            classifier_version=intake.classifier_version,
            note=note,
        )
    )
    intake.domains = wanted
    intake.domains_source = "staff"
    intake.updated_at = utcnow()
    session.add(intake)

    live = {r.domain for r in existing if ReferralStatus(r.status) not in FINAL}
    reason = f"domains corrected by {principal.organisation_name}" + (f": {note}" if note else "")
    for referral in existing:
        if referral.domain not in wanted and referral.status == ReferralStatus.requested:
            referrals.cancel_for_correction(
                session=session, principal=principal, referral=referral, note=reason
            )
    unrouted: list[str] = []
    if consents.in_force(intake):  # after a withdrawal nothing new leaves the desk
        added = [Domain(d) for d in wanted if d not in live]
        plan = routing.route(session=session, domains=added, pc4=intake.pc4)
        unrouted = [str(d) for d in plan.unrouted]
        referrals.create_for_intake(
            session=session, intake=intake, decisions=plan.decisions, actor=principal, note=reason
        )
        if plan.unrouted:
            intake.status = IntakeStatus.needs_review
        else:
            intake.status = IntakeStatus.open  # refresh_intake closes it if all are final
            session.flush()
            referrals.refresh_intake(session, intake.id)
    facts.record_unreferred(session=session, intake=intake, unrouted=unrouted)
    session.flush()
    view = _view(session, intake)
    _log(session, principal, intake, audit.Action.update, audit.Purpose.correction)
    return view


def export_corrections(*, session: Session) -> list[dict[str, object]]:
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
