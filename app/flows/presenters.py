"""What the API shows of an intake: the record, its consent in force and history, and its
referrals."""

from app.classification.service import guidance_for
from app.classification.stored import scores_for
from app.consent.schemas import ConsentPublic, ConsentStep
from app.consent.service import in_force
from app.flows.intake import IntakeView
from app.flows.schemas import IntakePublic, IntakeReferral, UrgentAcknowledgement
from app.intakes.lifecycle import STATUS_REASONS
from app.intakes.models import Intake
from app.intakes.schemas import IntakeStatus, resident_of


def intake_public(view: IntakeView) -> IntakePublic:
    intake = view.intake
    given = in_force(intake)
    return IntakePublic(
        id=intake.id,
        organisation_id=intake.organisation_id,
        status=IntakeStatus(intake.status),
        status_reason=STATUS_REASONS[IntakeStatus(intake.status)],
        question=intake.question,
        channel=intake.channel,
        postcode=intake.postcode,
        area_id=intake.area_id,
        has_bsn=intake.bsn_encrypted is not None,
        consent=given,
        consent_details=ConsentPublic(
            given=given,
            organisation_types=intake.consent_types or [],
            withdrawn_at=intake.consent_withdrawn_at,
            history=[ConsentStep.model_validate(c, from_attributes=True) for c in view.consent],
        ),
        resident=resident_of(intake),
        domains=scores_for(intake.classification, intake.domains),
        domains_source=intake.domains_source,
        domains_confirmed_by=intake.domains_confirmed_by,
        domains_confirmed_at=intake.domains_confirmed_at,
        classifier_version=intake.classifier_version,
        low_confidence=bool(intake.classification.get("low_confidence")),
        urgent=intake.urgent,
        urgent_reasons=intake.urgent_reasons,
        guidance=guidance_for(intake.urgent_reasons),
        urgent_acknowledgement=_acknowledgement(intake),
        referrals=[
            IntakeReferral(
                id=r.id,
                organisation_id=r.organisation_id,
                organisation_name=name,
                domain=r.domain,
                status=r.status,
                routed_by=r.routed_by,
                urgent=r.urgent,
                due_at=r.due_at,
            )
            for r, name in view.referrals
        ],
        created_at=intake.created_at,
        updated_at=intake.updated_at,
        closed_at=intake.closed_at,
        closed_reason=intake.closed_reason,
    )


def _acknowledgement(intake: Intake) -> UrgentAcknowledgement | None:
    if intake.urgent_acknowledged_at is None:
        return None
    return UrgentAcknowledgement(
        by=intake.urgent_acknowledged_by or "",
        at=intake.urgent_acknowledged_at,
        note=intake.urgent_acknowledgement or "",
    )
