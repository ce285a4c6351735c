"""What a caller sees of a referral: its state, and of its intake only what the resident's
consent lets this caller see (app/consent/visibility.py)."""

from app.auth.principal import Principal
from app.consent import visibility
from app.intakes.models import Intake
from app.intakes.schemas import resident_of
from app.referrals.access import allowed_for
from app.referrals.models import Referral, ReferralEvent
from app.referrals.overdue import is_overdue
from app.referrals.schemas import ReferralEventPublic, ReferralIntake, ReferralPublic


def referral_public(referral: Referral, intake: Intake, principal: Principal) -> ReferralPublic:
    # Contact details and full postcode only where the resident's consent reaches.
    shared = visibility.covers(intake, principal)
    question, whole = visibility.question_part(intake, referral.domain, principal)
    return ReferralPublic(
        id=referral.id,
        intake_id=referral.intake_id,
        organisation_id=referral.organisation_id,
        domain=referral.domain,
        status=referral.status,
        routed_by=referral.routed_by,
        outcome=referral.outcome,
        urgent=referral.urgent,
        due_at=referral.due_at,
        complete_due_at=referral.complete_due_at,
        overdue=is_overdue(referral),
        forwarded_from_id=referral.forwarded_from_id,
        forwarded_to_id=referral.forwarded_to_id,
        version=referral.version,
        next_statuses=allowed_for(referral, principal),
        created_at=referral.created_at,
        updated_at=referral.updated_at,
        closed_at=referral.closed_at,
        intake=ReferralIntake(
            id=intake.id,
            question=question,
            question_whole=whole,
            channel=intake.channel,
            postcode=intake.postcode if shared else None,
            pc4=intake.pc4,
            resident=resident_of(intake) if shared else None,
            resident_shared=shared,
            bsn=visibility.bsn_for(intake, principal),
            created_at=intake.created_at,
        ),
    )


def event_public(event: ReferralEvent, actor_name: str) -> ReferralEventPublic:
    return ReferralEventPublic(
        from_status=event.from_status,
        to_status=event.to_status,
        actor_organisation_id=event.actor_organisation_id,
        actor_organisation_name=actor_name,
        note=event.note,
        outcome=event.outcome,
        created_at=event.created_at,
    )
