"""The review queue and its actions, and the agreement figures: front office only."""

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.api.deps import SessionDep, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.calendar import AMSTERDAM
from app.core.errors import InvalidInput
from app.core.openapi import problems
from app.flows.presenters import intake_public
from app.flows.schemas import IntakePublic
from app.review import actions, agreement, queue
from app.review.presenters import agreement_public, item_public
from app.review.schemas import AgreementTable, ClosureRequest, ReviewNote, ReviewQueue

router = APIRouter(tags=["review"])


async def _front_office(
    principal: Annotated[Principal, Depends(require(Scope.intakes_write))],
) -> Principal:
    # Before the body is read: a partner gets 403, not a validation error.
    actions.require_front_office(principal)
    return principal


async def _front_office_admin(
    principal: Annotated[Principal, Depends(require(Scope.admin))],
) -> Principal:
    actions.require_front_office(principal)
    return principal


FrontOfficeDep = Annotated[Principal, Depends(_front_office)]
FrontOfficeAdminDep = Annotated[Principal, Depends(_front_office_admin)]


@router.get("/review-queue", summary="Intakes that need a look", responses=problems(403))
def review_queue(
    session: SessionDep,
    principal: FrontOfficeDep,
    limit: Annotated[int, Query(ge=1, le=queue.MAX_ITEMS, description="At most this many.")] = 100,
) -> ReviewQueue:
    """Intakes that wait for the desk, with every reason each is here: not referred
    (`needs_review`), an unsure classification nobody checked (`low_confidence`), an urgent
    signal nobody acknowledged (`urgent`), a rejected referral (`rejected`), a referral forwarded
    a second time (`forwarded_twice`), no consent so a call back waits (`no_consent`). An item
    leaves when its reason is dealt with. Front office only (`intakes:write`)."""
    items = queue.items(session=session, principal=principal, limit=limit + 1)
    return ReviewQueue(data=[item_public(i) for i in items[:limit]], truncated=len(items) > limit)


@router.post(
    "/intakes/{intake_id}/urgent-acknowledgement",
    summary="Acknowledge an urgent signal",
    responses=problems(403, 404, 409),
)
def acknowledge_urgent(
    intake_id: uuid.UUID, body: ReviewNote, session: SessionDep, principal: FrontOfficeDep
) -> IntakePublic:
    """The front office saw the safety signal and says what it did; kept with who and when,
    and the intake leaves the queue for this reason. Front office only."""
    view = actions.acknowledge_urgent(
        session=session, principal=principal, intake_id=intake_id, note=body.note
    )
    return intake_public(view)


@router.post(
    "/intakes/{intake_id}/review",
    summary="Note that an intake was looked at",
    responses=problems(403, 404),
)
def mark_reviewed(
    intake_id: uuid.UUID, body: ReviewNote, session: SessionDep, principal: FrontOfficeDep
) -> IntakePublic:
    """The front office dealt with it outside the record (called back, gave advice): what was
    there until now leaves the queue. To send it elsewhere, correct its domains instead
    (`PUT /intakes/{id}/domains`). Front office only."""
    view = actions.mark_reviewed(
        session=session, principal=principal, intake_id=intake_id, note=body.note
    )
    return intake_public(view)


@router.post(
    "/intakes/{intake_id}/closure",
    summary="Close an intake with a reason",
    responses=problems(403, 404, 409),
)
def close_intake(
    intake_id: uuid.UUID, body: ClosureRequest, session: SessionDep, principal: FrontOfficeDep
) -> IntakePublic:
    """For an intake no referral keeps open: information given at the desk, no answer after
    calling back. 409 while a referral is still open (it closes by itself when they are all
    final). Front office only."""
    view = actions.close(
        session=session, principal=principal, intake_id=intake_id, note=body.reason
    )
    return intake_public(view)


@router.get(
    "/classification/agreement",
    summary="How often people agree with the classifier",
    responses=problems(403),
)
def classification_agreement(
    session: SessionDep,
    _: FrontOfficeAdminDep,
    from_: Annotated[
        date | None,
        Query(alias="from", description="First month (any day in it); default: 11 months ago."),
    ] = None,
    to: Annotated[
        date | None, Query(description="Last month (any day in it); default: now.")
    ] = None,
) -> AgreementTable:
    """Per month and domain: how often a person who chose an intake's domains (before sending,
    or by correcting them) kept a domain the classifier proposed, removed one, or added one.
    Counts, no personal data. Front office admins (`admin`)."""
    end = to or datetime.now(AMSTERDAM).date()
    start = from_ or agreement.year_before(end)
    if start > end:
        raise InvalidInput("`from` lies after `to`.")
    if (end.year - start.year) * 12 + end.month - start.month > 35:
        raise InvalidInput("Ask for at most 36 months at a time.")
    return agreement_public(agreement.agreement(session=session, start=start, end=end))
