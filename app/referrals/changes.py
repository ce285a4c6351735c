"""Changing a referral: a status change by its partner (or a cancel by the desk), forwarding it
to another organisation, and cancelling it when staff correct the intake's domains. Each
change is an event in the referral's history, a position in the feed, an outbox event and an
access-log entry, and settles the intake (app/intakes/lifecycle.py)."""

import uuid

from sqlmodel import Session, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.classification.schemas import Domain
from app.consent.service import in_force
from app.core.errors import Conflict, Forbidden, InvalidInput
from app.core.types import utcnow
from app.intakes import lifecycle
from app.intakes.models import Intake
from app.organisations.models import Organisation, OrganisationType
from app.outbox.service import EventType
from app.referrals import events, positions
from app.referrals.access import ConsentWithdrawn, allowed_for, check_if_match, lock
from app.referrals.creation import new_referral
from app.referrals.models import Referral, ReferralEvent
from app.referrals.reading import log
from app.referrals.states import FINAL, Outcome, ReferralStatus, any_next
from app.routing.schemas import RoutedBy


class IllegalTransition(Conflict):
    title = "Illegal status change"
    slug = "illegal-transition"


def _record(
    session: Session,
    referral: Referral,
    *,
    to: ReferralStatus,
    actor: Principal,
    note: str | None,
    outcome: Outcome | None = None,
) -> ReferralEvent:
    event = ReferralEvent(
        referral_id=referral.id,
        from_status=referral.status,
        to_status=to,
        actor_organisation_id=actor.organisation_id,
        note=note,
        outcome=outcome,
    )
    session.add(event)
    now = utcnow()
    referral.status = to
    referral.version += 1
    referral.updated_at = now
    if to in FINAL:
        referral.closed_at = now
    if to == ReferralStatus.accepted and referral.accepted_at is None:
        referral.accepted_at = now
    session.add(referral)
    return event


def settle_intake(session: Session, intake: Intake) -> None:
    """Tell the intake where its referrals stand (it closes when every one is final). The
    caller holds the intake's lock."""
    statuses = session.exec(select(Referral.status).where(Referral.intake_id == intake.id)).all()
    lifecycle.settle(
        session=session,
        intake=intake,
        referrals=len(statuses),
        all_final=all(ReferralStatus(s) in FINAL for s in statuses),
    )


def cancel_for_correction(
    *, session: Session, principal: Principal, referral: Referral, note: str
) -> None:
    """A staff correction removed this referral's domain before the partner picked it up."""
    previous = referral.status
    event = _record(session, referral, to=ReferralStatus.cancelled, actor=principal, note=note)
    events.status_changed(session, referral, previous)
    positions.stamp(session, [(referral, event)])


def change_status(
    *,
    session: Session,
    principal: Principal,
    referral_id: uuid.UUID,
    status: ReferralStatus,
    note: str | None = None,
    outcome: Outcome | None = None,
    if_match: str | None = None,
) -> Referral:
    referral, intake = lock(session, referral_id, principal)
    check_if_match(referral, if_match)
    current = ReferralStatus(referral.status)
    mine = allowed_for(referral, principal)
    if status not in mine:
        if status in any_next(current):
            who = (
                "the front office"
                if status == ReferralStatus.cancelled
                else ("the organisation the referral was sent to")
            )
            raise Forbidden(f"Only {who} may set '{status}' on this referral.")
        allowed = ", ".join(mine) if mine else "none (the referral is final)"
        raise IllegalTransition(
            f"A referral cannot go from '{current}' to '{status}'. Allowed next: {allowed}.",
            current_status=str(current),
            allowed_next_statuses=[str(s) for s in mine],
        )
    if status == ReferralStatus.completed and outcome is None:
        raise InvalidInput("Status 'completed' needs an outcome code.")
    referral.outcome = outcome if status == ReferralStatus.completed else referral.outcome
    event = _record(session, referral, to=status, actor=principal, note=note, outcome=outcome)
    events.status_changed(session, referral, str(current))
    settle_intake(session, intake)
    positions.stamp(session, [(referral, event)])
    log(session, principal, audit.Action.update, audit.Purpose.referral, [referral])
    return referral


def forward(
    *,
    session: Session,
    principal: Principal,
    referral_id: uuid.UUID,
    organisation_id: uuid.UUID,
    reason: str,
    if_match: str | None = None,
) -> tuple[Referral, Referral]:
    """Hand a referral to another organisation: the old one ends as `forwarded`, a new one
    (linked both ways) starts as `requested` at the other organisation."""
    # lock answers 404 to anyone but the organisation it was sent to and the front office:
    # exactly who may forward it.
    referral, intake = lock(session, referral_id, principal)
    check_if_match(referral, if_match)
    if ReferralStatus(referral.status) in FINAL:
        raise IllegalTransition(
            f"The referral is '{referral.status}', which is final; it cannot be forwarded.",
            current_status=referral.status,
            allowed_next_statuses=[],
        )
    if not in_force(intake):
        raise ConsentWithdrawn(
            "The resident withdrew consent: this referral cannot go to another organisation. "
            "Finish it, or ask the front office to cancel it."
        )
    target = session.get(Organisation, organisation_id)
    if target is None or not target.active:
        raise InvalidInput(f"No active organisation with id {organisation_id}.")
    if target.id == referral.organisation_id:
        raise InvalidInput("The referral is already with that organisation.")
    if target.type == OrganisationType.frontoffice:
        raise InvalidInput("Forward to a partner organisation; the front office cancels instead.")

    new = new_referral(
        session,
        intake_id=referral.intake_id,
        organisation_id=target.id,
        domain=Domain(referral.domain),
        routed_by=RoutedBy.forwarded,
        urgent=referral.urgent,
        subcategory=referral.subcategory,
        channel=referral.channel,
        area_id=referral.area_id,
        now=utcnow(),
        forwarded_from_id=referral.id,
    )
    session.add(new)
    session.flush()  # the new row must exist before the old one points at it
    referral.forwarded_to_id = new.id
    old_event = _record(
        session, referral, to=ReferralStatus.forwarded, actor=principal, note=reason
    )
    new_event = ReferralEvent(
        referral_id=new.id,
        to_status=ReferralStatus.requested,
        actor_organisation_id=principal.organisation_id,
        note=f"forwarded by {principal.organisation_name}: {reason}",
    )
    session.add(new_event)
    events.announce(
        session,
        EventType.referral_forwarded,
        referral,
        {
            "status": ReferralStatus.forwarded,
            "forwarded_to_id": str(new.id),
            "to_organisation_id": str(target.id),
        },
    )
    events.created(session, new)
    settle_intake(session, intake)
    positions.stamp(session, [(referral, old_event), (new, new_event)])
    log(session, principal, audit.Action.update, audit.Purpose.referral, [referral, new])
    return referral, new
