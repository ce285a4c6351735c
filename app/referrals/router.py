import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from app.api.deps import SessionDep, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.openapi import ETAG_HEADER, LOCATION_HEADER, created, problems
from app.referrals import changes, feed, reading
from app.referrals.access import etag
from app.referrals.presenters import event_public, referral_public
from app.referrals.schemas import (
    ForwardRequest,
    ReferralHistory,
    ReferralPage,
    ReferralPublic,
    StatusChange,
)
from app.referrals.states import ReferralStatus

router = APIRouter(prefix="/referrals", tags=["referrals"])

ReaderDep = Annotated[Principal, Depends(require(Scope.referrals_read))]
WriterDep = Annotated[Principal, Depends(require(Scope.referrals_write))]
IfMatch = Annotated[
    str | None,
    Header(description="The ETag of the referral as you last saw it; 412 when it changed since."),
]


@router.get("", summary="Poll your referrals (change feed)")
def list_referrals(
    session: SessionDep,
    principal: ReaderDep,
    cursor: Annotated[
        str | None,
        Query(description="`next_cursor` of your previous page; leave out to start at the first."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE, description="Page size.")] = 100,
    status: Annotated[ReferralStatus | None, Query(description="Only this status.")] = None,
    overdue: Annotated[
        bool | None, Query(description="Only referrals past (true) or within (false) deadline.")
    ] = None,
) -> ReferralPage:
    """Your organisation's referrals created or changed after `cursor`, in the order the
    changes were committed. Keep `next_cursor` and poll with it: you get every change once,
    also under concurrent writes. A referral changed twice between two polls appears once, in
    its newest state. Scope `referrals:read`."""
    page = feed.feed_page(
        session=session,
        principal=principal,
        cursor=cursor,
        limit=limit,
        status=status,
        overdue=overdue,
    )
    return ReferralPage(
        data=[referral_public(r, i, principal) for r, i in page.rows],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get("/{referral_id}", summary="Get a referral", responses={200: {"headers": ETAG_HEADER}})
def get_referral(
    referral_id: uuid.UUID, session: SessionDep, principal: ReaderDep, response: Response
) -> ReferralPublic:
    """404 when the referral is another organisation's. The ETag header is for If-Match."""
    referral, intake = reading.get_with_intake(
        session=session, referral_id=referral_id, principal=principal
    )
    response.headers["ETag"] = etag(referral)
    return referral_public(referral, intake, principal)


@router.post(
    "/{referral_id}/status",
    summary="Report a status change",
    responses={200: {"headers": ETAG_HEADER}, **problems(409, 412)},
)
def change_status(
    referral_id: uuid.UUID,
    body: StatusChange,
    session: SessionDep,
    principal: WriterDep,
    response: Response,
    if_match: IfMatch = None,
) -> ReferralPublic:
    """Life cycle: requested → received → accepted | rejected; accepted → in_progress →
    on_hold ⇄ in_progress → completed (with an `outcome`). The front office may cancel any
    open referral. rejected, completed, cancelled and forwarded are final. An illegal change
    is 409 naming the allowed next statuses. Scope `referrals:write`."""
    changes.change_status(
        session=session,
        principal=principal,
        referral_id=referral_id,
        status=body.status,
        note=body.note,
        outcome=body.outcome,
        if_match=if_match,
    )
    referral, intake = reading.get_with_intake(
        session=session, referral_id=referral_id, principal=principal
    )
    response.headers["ETag"] = etag(referral)
    return referral_public(referral, intake, principal)


@router.post(
    "/{referral_id}/forward",
    status_code=status.HTTP_201_CREATED,
    summary="Forward to another organisation",
    responses={**created({**LOCATION_HEADER, **ETAG_HEADER}), **problems(409, 412)},
)
def forward_referral(
    referral_id: uuid.UUID,
    body: ForwardRequest,
    session: SessionDep,
    principal: WriterDep,
    response: Response,
    if_match: IfMatch = None,
) -> ReferralPublic:
    """The referral becomes `forwarded` (final) and a new, linked referral is created for the
    other organisation; the response is that new referral. Scope `referrals:write`."""
    _, new = changes.forward(
        session=session,
        principal=principal,
        referral_id=referral_id,
        organisation_id=body.organisation_id,
        reason=body.reason,
        if_match=if_match,
    )
    intake = reading.intake_of(session, new)
    response.headers["Location"] = f"/api/v1/referrals/{new.id}"
    response.headers["ETag"] = etag(new)
    return referral_public(new, intake, principal)


@router.get("/{referral_id}/history", summary="A referral's history")
def referral_history(
    referral_id: uuid.UUID, session: SessionDep, principal: ReaderDep
) -> ReferralHistory:
    """Every status change, oldest first, with the acting organisation, time and note."""
    events = reading.history(session=session, referral_id=referral_id, principal=principal)
    return ReferralHistory(
        referral_id=referral_id, data=[event_public(e, name) for e, name in events]
    )
