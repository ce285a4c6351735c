"""The /intakes endpoints: record a question, read it, correct its domains, withdraw consent."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from app.api.deps import SessionDep, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.consent.schemas import ConsentWithdrawal
from app.core.openapi import created, problems
from app.flows import intake as flow
from app.flows.presenters import intake_public
from app.flows.schemas import IntakePublic
from app.intakes.schemas import DomainsUpdate, IntakeCreate

router = APIRouter(prefix="/intakes", tags=["intakes"])


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
    view = flow.record(session=session, principal=principal, request=body)
    response.headers["Location"] = f"/api/v1/intakes/{view.intake.id}"
    return intake_public(view)


@router.get("/{intake_id}", summary="Get an intake")
def get_intake(
    intake_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Scope.intakes_read))],
) -> IntakePublic:
    """The organisation that recorded the intake, and the front office, can read it; for
    anyone else it does not exist (404). Scope `intakes:read`."""
    return intake_public(flow.view(session=session, intake_id=intake_id, principal=principal))


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
    view = flow.correct_domains(
        session=session,
        principal=principal,
        intake_id=intake_id,
        domains=body.domains,
        note=body.note,
    )
    return intake_public(view)


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
    return intake_public(
        flow.withdraw_consent(
            session=session, principal=principal, intake_id=intake_id, method=body.method
        )
    )
