import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from app.api.deps import SessionDep, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.classification.lexicon import GUIDANCE
from app.classification.schemas import DomainScore
from app.consent.schemas import ConsentPublic, ConsentStep, ConsentWithdrawal
from app.core.openapi import created, problems
from app.intakes import service
from app.intakes.schemas import (
    DomainsUpdate,
    IntakeCreate,
    IntakePublic,
    IntakeReferral,
    IntakeStatus,
)
from app.referrals.schemas import resident_of

router = APIRouter(prefix="/intakes", tags=["intakes"])


def to_public(view: service.IntakeView) -> IntakePublic:
    intake = view.intake
    found = intake.classification.get("domains", [])
    scores = {d["domain"]: d for d in found}
    domains = [
        DomainScore.model_validate(scores.get(d) or {"domain": d, "score": 1.0, "evidence": []})
        for d in intake.domains
    ]
    return IntakePublic(
        id=intake.id,
        organisation_id=intake.organisation_id,
        status=IntakeStatus(intake.status),
        status_reason=service.STATUS_REASONS[IntakeStatus(intake.status)],
        question=intake.question,
        channel=intake.channel,
        postcode=intake.postcode,
        area_id=intake.area_id,
        has_bsn=intake.bsn_encrypted is not None,
        consent=intake.consent and intake.consent_withdrawn_at is None,
        consent_details=ConsentPublic(
            given=intake.consent and intake.consent_withdrawn_at is None,
            organisation_types=intake.consent_types or [],
            withdrawn_at=intake.consent_withdrawn_at,
            history=[ConsentStep.model_validate(c, from_attributes=True) for c in view.consent],
        ),
        resident=resident_of(intake),
        domains=domains,
        domains_source=intake.domains_source,
        classifier_version=intake.classifier_version,
        low_confidence=bool(intake.classification.get("low_confidence")),
        urgent=intake.urgent,
        urgent_reasons=intake.urgent_reasons,
        guidance=[GUIDANCE[r] for r in intake.urgent_reasons if r in GUIDANCE],
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
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Record an intake", responses=created()
)
def create_intake(
    body: IntakeCreate,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Scope.intakes_write))],
    response: Response,
) -> IntakePublic:
    """Records the question, classifies it (unless `domains` is given), and — with consent —
    creates one referral per domain for the organisation the routing rules name. Without
    consent the intake is recorded and classified, and no referral is made. Scope
    `intakes:write`."""
    view = service.create(
        session=session,
        principal=principal,
        question=body.question,
        channel=body.channel,
        postcode=body.postcode,
        consent=body.consent,
        resident=body.resident,
        domains=body.domains,
        consent_details=body.consent_details,
        bsn=body.bsn,
    )
    response.headers["Location"] = f"/api/v1/intakes/{view.intake.id}"
    return to_public(view)


@router.get("/{intake_id}", summary="Get an intake")
def get_intake(
    intake_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Scope.intakes_read))],
) -> IntakePublic:
    """The organisation that recorded the intake, and the front office, can read it; for
    anyone else it does not exist (404). Scope `intakes:read`."""
    return to_public(service.get(session=session, intake_id=intake_id, principal=principal))


@router.put("/{intake_id}/domains", summary="Correct an intake's domains")
def correct_domains(
    intake_id: uuid.UUID,
    body: DomainsUpdate,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Scope.intakes_write))],
) -> IntakePublic:
    """Replaces the domains and routes again: added domains get new referrals (with consent);
    referrals of removed domains that no partner has picked up yet (`requested`) are cancelled;
    ones already in hand stay. The correction is recorded next to the classifier's own answer.
    The organisation that recorded the intake, or the front office. Scope `intakes:write`."""
    view = service.correct_domains(
        session=session,
        principal=principal,
        intake_id=intake_id,
        domains=body.domains,
        note=body.note,
    )
    return to_public(view)


@router.post(
    "/{intake_id}/consent/withdrawal",
    summary="The resident withdraws consent",
    responses=problems(404, 409),
)
def withdraw_consent(
    intake_id: uuid.UUID,
    body: ConsentWithdrawal,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Scope.intakes_write))],
) -> IntakePublic:
    """From now on no partner sees the resident's contact details or full postcode; every
    organisation with an open referral gets a `referral.consent_withdrawn` event. The referrals
    themselves go on. For the organisation that recorded the intake, and the front office.
    Scope `intakes:write`."""
    return to_public(
        service.withdraw_consent(
            session=session, principal=principal, intake_id=intake_id, method=body.method
        )
    )
