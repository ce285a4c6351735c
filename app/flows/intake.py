"""A question through the desk: record it (classify, consent, route, refer), correct its
domains, or record that the resident withdrew consent. Each step calls the package that owns
the rule; the request's transaction holds them together."""

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.classification import service as classifier
from app.classification.schemas import Domain
from app.classification.service import Classification
from app.consent import service as consents
from app.consent.models import ConsentRecord
from app.consent.schemas import ConsentMethod
from app.intakes import service as intakes
from app.intakes.models import Intake
from app.intakes.schemas import IntakeCreate, IntakeStatus
from app.organisations.models import Organisation
from app.outbox.service import EventType
from app.referrals import changes, creation, events
from app.referrals.models import Referral
from app.referrals.states import FINAL, ReferralStatus
from app.routing import service as routing
from app.stats import facts


@dataclass(frozen=True, slots=True)
class IntakeView:
    """An intake with its referrals (and the name of each one's organisation) and the steps
    of its consent: what the API and the pages show of it."""

    intake: Intake
    referrals: list[tuple[Referral, str]]
    consent: list[ConsentRecord]


def record(
    *,
    session: Session,
    principal: Principal,
    request: IntakeCreate,
    result: Classification | None = None,
) -> IntakeView:
    """Record a question: classify it (unless the caller did: `result`, of request.question),
    record the consent asked, and with consent refer each domain to the organisation the
    routing rules name. Without consent, or without a domain or an organisation for it, the
    intake waits (for nothing, or for the desk)."""
    result = result or classifier.classify(request.question)
    intake = intakes.new_intake(
        session=session, principal=principal, request=request, result=result
    )
    consent_details = request.consent_details
    first_step = consents.record_initial(
        session=session,
        principal=principal,
        subject=intake,
        method=consent_details.method if consent_details else ConsentMethod.onbekend,
        organisation_types=consent_details.organisation_types if consent_details else None,
        wording=consent_details.wording if consent_details else None,
    )
    if request.domains is not None:
        intakes.record_choice(session=session, principal=principal, intake=intake)
    created: list[Referral] = []
    names: dict[uuid.UUID, str] = {}
    unrouted: list[str] = []
    if not intake.consent:
        intake.status = IntakeStatus.no_consent
    elif not intake.domains:
        intake.status = IntakeStatus.needs_review
    else:
        plan = routing.route(
            session=session, domains=[Domain(d) for d in intake.domains], pc4=intake.pc4
        )
        if plan.unrouted:
            intake.status = IntakeStatus.needs_review
            unrouted = [str(d) for d in plan.unrouted]
        created = creation.create_for_intake(
            session=session, intake=intake, decisions=plan.decisions, actor=principal
        )
        names = {d.organisation_id: d.organisation_name for d in plan.decisions}
    if not created or unrouted:
        facts.record_unreferred(session=session, intake=intake, unrouted=unrouted)
    session.flush()
    intakes.log(session, principal, intake, audit.Action.create, audit.Purpose.intake)
    return IntakeView(
        intake=intake,
        referrals=[(r, names[r.organisation_id]) for r in created],
        consent=[first_step],
    )


def view(*, session: Session, intake_id: uuid.UUID, principal: Principal) -> IntakeView:
    """The intake as its recorder or the front office sees it; the read is logged."""
    intake = intakes.get_visible(session, intake_id, principal)
    found = view_of(session, intake)
    intakes.log(session, principal, intake, audit.Action.read, audit.Purpose.intake)
    return found


def view_of(session: Session, intake: Intake) -> IntakeView:
    """The intake with its referrals and consent steps, for a caller that logged its access."""
    rows = session.exec(
        select(Referral, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Referral.organisation_id))
        .where(Referral.intake_id == intake.id)
        .order_by(col(Referral.created_at), col(Referral.domain))
    ).all()
    return IntakeView(
        intake=intake,
        referrals=[(r, n) for r, n in rows],
        consent=consents.history(session=session, intake_id=intake.id),
    )


def _lock_with_referrals(
    session: Session, intake_id: uuid.UUID, principal: Principal
) -> tuple[Intake, list[Referral]]:
    """Lock an intake for a change that touches its referrals. Lock order, the same everywhere:
    referrals (by id), then their intake (app/referrals/access.py `lock`), so no two
    transactions wait for each other."""
    intakes.get_visible(session, intake_id, principal)
    referrals = list(
        session.exec(
            select(Referral)
            .where(Referral.intake_id == intake_id)
            .order_by(col(Referral.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )
    return intakes.get_visible(session, intake_id, principal, lock=True), referrals


def withdraw_consent(
    *, session: Session, principal: Principal, intake_id: uuid.UUID, method: ConsentMethod
) -> IntakeView:
    """The resident takes consent back: no partner sees the contact details from now on, and
    every organisation with an open referral is told (referral.consent_withdrawn). The
    referrals themselves go on."""
    intake, locked = _lock_with_referrals(session, intake_id, principal)
    withdrawn_at = consents.withdraw(
        session=session, principal=principal, subject=intake, method=method
    )
    for referral in (r for r in locked if ReferralStatus(r.status) not in FINAL):
        events.announce(
            session,
            EventType.referral_consent_withdrawn,
            referral,
            {"status": ReferralStatus(referral.status), "withdrawn_at": withdrawn_at.isoformat()},
        )
    session.flush()
    intakes.log(session, principal, intake, audit.Action.update, audit.Purpose.consent)
    return view_of(session, intake)


def correct_domains(
    *,
    session: Session,
    principal: Principal,
    intake_id: uuid.UUID,
    domains: list[Domain],
    note: str | None,
) -> IntakeView:
    """Replace the domains and route again: added domains get new referrals (with consent);
    referrals of removed domains that no partner picked up yet are cancelled; ones already in
    hand stay."""
    intake, existing = _lock_with_referrals(session, intake_id, principal)
    intakes.correct(session=session, principal=principal, intake=intake, domains=domains, note=note)
    wanted = set(intake.domains)
    live = {r.domain for r in existing if ReferralStatus(r.status) not in FINAL}
    reason = f"domains corrected by {principal.organisation_name}" + (f": {note}" if note else "")
    for referral in existing:
        if referral.domain not in wanted and referral.status == ReferralStatus.requested:
            changes.cancel_for_correction(
                session=session, principal=principal, referral=referral, note=reason
            )
    unrouted: list[str] = []
    if consents.in_force(intake):  # after a withdrawal nothing new leaves the desk
        added = [Domain(d) for d in intake.domains if d not in live]
        plan = routing.route(session=session, domains=added, pc4=intake.pc4)
        unrouted = [str(d) for d in plan.unrouted]
        creation.create_for_intake(
            session=session, intake=intake, decisions=plan.decisions, actor=principal, note=reason
        )
        if plan.unrouted:
            intake.status = IntakeStatus.needs_review
        else:
            intake.status = IntakeStatus.open  # settled below: closed if all are final
            session.flush()
            changes.settle_intake(session, intake)
    facts.record_unreferred(session=session, intake=intake, unrouted=unrouted)
    session.flush()
    found = view_of(session, intake)
    intakes.log(session, principal, intake, audit.Action.update, audit.Purpose.correction)
    return found
