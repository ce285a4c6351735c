"""A new referral: made for an intake's routed domains, or by forwarding one. Either way it
carries its deadlines (SLA) and the facts the statistics read, and starts as `requested`."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from app.auth.principal import Principal
from app.classification.schemas import Domain
from app.classification.stored import top_subcategory
from app.core.calendar import month_of, week_of
from app.core.types import utcnow
from app.intakes.models import Intake
from app.referrals import events, positions
from app.referrals.models import Referral, ReferralEvent
from app.referrals.states import ReferralStatus
from app.routing.schemas import RoutedBy
from app.routing.service import RouteDecision
from app.sla import service as sla


def new_referral(
    session: Session,
    *,
    intake_id: uuid.UUID,
    organisation_id: uuid.UUID,
    domain: Domain,
    routed_by: RoutedBy,
    urgent: bool,
    subcategory: str | None,
    channel: str | None,
    area_id: uuid.UUID | None,
    now: datetime,
    forwarded_from_id: uuid.UUID | None = None,
) -> Referral:
    """The one way a Referral row is made (not yet added to the session)."""
    due = sla.deadlines(session=session, domain=domain, urgent=urgent, start=now)
    return Referral(
        intake_id=intake_id,
        organisation_id=organisation_id,
        domain=str(domain),
        status=ReferralStatus.requested,
        routed_by=routed_by,
        forwarded_from_id=forwarded_from_id,
        urgent=urgent,
        due_at=due.accept_by,
        complete_due_at=due.complete_by,
        created_at=now,
        updated_at=now,
        subcategory=subcategory,
        channel=channel,
        area_id=area_id,
        created_month=month_of(now),
        created_week=week_of(now),
    )


def create_for_intake(
    *,
    session: Session,
    intake: Intake,
    decisions: Sequence[RouteDecision],
    actor: Principal,
    note: str | None = None,
) -> list[Referral]:
    """One referral per routed domain; their feed positions are given at commit."""
    pairs: list[tuple[Referral, ReferralEvent]] = []
    now = utcnow()
    for d in decisions:
        referral = new_referral(
            session,
            intake_id=intake.id,
            organisation_id=d.organisation_id,
            domain=d.domain,
            routed_by=d.routed_by,
            urgent=intake.urgent,
            subcategory=top_subcategory(intake.classification, str(d.domain)),
            channel=intake.channel,
            area_id=intake.area_id,
            now=now,
        )
        event = ReferralEvent(
            referral_id=referral.id,
            to_status=ReferralStatus.requested,
            actor_organisation_id=actor.organisation_id,
            note=note or f"routed by {d.routed_by}",
        )
        session.add(referral)
        session.add(event)
        pairs.append((referral, event))
    if pairs:
        positions.stamp(session, pairs)  # flushes: the referrals exist before events point at them
    for referral, _ in pairs:
        events.created(session, referral)
    return [referral for referral, _ in pairs]
