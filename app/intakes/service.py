"""Intakes: record a question, classify it, route it, create the referrals."""

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.classification import service as classifier
from app.classification.schemas import Domain
from app.core.errors import NotFound
from app.intakes.models import Intake
from app.intakes.schemas import Channel, IntakeStatus
from app.organisations.models import Organisation
from app.organisations.service import Principal
from app.referrals import service as referrals
from app.referrals.models import Referral
from app.referrals.schemas import ResidentContact
from app.routing import service as routing


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
) -> IntakeView:
    result = classifier.classify(question)
    chosen = list(domains) if domains else result.labels()
    intake = Intake(
        organisation_id=principal.organisation_id,
        question=question,
        channel=channel,
        postcode=postcode,
        pc4=postcode[:4] if postcode else None,
        consent=consent,
        resident_name=resident.name if resident else None,
        resident_phone=resident.phone if resident else None,
        resident_email=resident.email if resident else None,
        resident_address=resident.address if resident else None,
        domains=[str(d) for d in chosen],
        domains_source="staff" if domains else "classifier",
        classification=result.as_dict(),
        classifier_version=result.version,
        status=IntakeStatus.open,
    )
    session.add(intake)
    created: list[Referral] = []
    if not consent:
        intake.status = IntakeStatus.no_consent
    elif not chosen:
        intake.status = IntakeStatus.needs_review
    else:
        plan = routing.route(session=session, domains=chosen, pc4=intake.pc4)
        if plan.unrouted:
            intake.status = IntakeStatus.needs_review
        created = referrals.create_for_intake(
            session=session, intake=intake, decisions=plan.decisions, actor=principal
        )
    session.flush()
    return IntakeView(intake=intake, referrals=_with_names(session, created))


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


def get(*, session: Session, intake_id: uuid.UUID, principal: Principal) -> IntakeView:
    intake = session.get(Intake, intake_id)
    if intake is None or not (
        principal.is_frontoffice or intake.organisation_id == principal.organisation_id
    ):
        raise IntakeNotFound(f"No intake with id {intake_id}.")
    rows = session.exec(
        select(Referral, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Referral.organisation_id))
        .where(Referral.intake_id == intake_id)
        .order_by(col(Referral.created_at), col(Referral.domain))
    ).all()
    return IntakeView(intake=intake, referrals=[(r, n) for r, n in rows])
