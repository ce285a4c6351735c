import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from app.api.deps import SessionDep, require
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.consent import service as consents
from app.core import crypto
from app.core.openapi import ETAG_HEADER, LOCATION_HEADER, created, problems
from app.intakes.models import Intake
from app.organisations.models import OrganisationType
from app.referrals import service
from app.referrals.models import Referral
from app.referrals.schemas import (
    ForwardRequest,
    ReferralEventPublic,
    ReferralHistory,
    ReferralIntake,
    ReferralPage,
    ReferralPublic,
    StatusChange,
    resident_of,
)
from app.referrals.states import ReferralStatus
from app.sla import service as sla

router = APIRouter(prefix="/referrals", tags=["referrals"])

ReaderDep = Annotated[Principal, Depends(require(Scope.referrals_read))]
WriterDep = Annotated[Principal, Depends(require(Scope.referrals_write))]
IfMatch = Annotated[
    str | None,
    Header(description="The ETag of the referral as you last saw it; 412 when it changed since."),
]


def _bsn_for(intake: Intake, principal: Principal) -> str | None:
    """The BSN goes to a gemeente only, and only with the resident's consent for gemeenten."""
    if intake.bsn_encrypted is None or principal.organisation_type != OrganisationType.gemeente:
        return None
    if not consents.covers(intake, principal):
        return None
    return crypto.decrypt_bsn(intake.bsn_encrypted)


def to_public(referral: Referral, intake: Intake, principal: Principal) -> ReferralPublic:
    # Contact details and full postcode only where the resident's consent reaches.
    shared = consents.covers(intake, principal)
    question, whole = consents.question_part(intake, referral.domain, principal)
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
        overdue=sla.is_overdue(referral),
        forwarded_from_id=referral.forwarded_from_id,
        forwarded_to_id=referral.forwarded_to_id,
        version=referral.version,
        next_statuses=service.allowed_for(referral, principal),
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
            bsn=_bsn_for(intake, principal),
            created_at=intake.created_at,
        ),
    )


@router.get("", summary="Poll your referrals (change feed)")
def list_referrals(
    session: SessionDep,
    principal: ReaderDep,
    cursor: Annotated[
        str | None,
        Query(description="`next_cursor` of your previous page; leave out to start at the first."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE, description="Page size.")] = 100,
    status: Annotated[ReferralStatus | None, Query(description="Only this status.")] = None,
    overdue: Annotated[
        bool | None, Query(description="Only referrals past (true) or within (false) deadline.")
    ] = None,
) -> ReferralPage:
    """Your organisation's referrals created or changed after `cursor`, in the order the
    changes were committed. Keep `next_cursor` and poll with it: you get every change once,
    also under concurrent writes. A referral changed twice between two polls appears once, in
    its newest state. Scope `referrals:read`."""
    page = service.feed_page(
        session=session,
        principal=principal,
        cursor=cursor,
        limit=limit,
        status=status,
        overdue=overdue,
    )
    return ReferralPage(
        data=[to_public(r, i, principal) for r, i in page.rows],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get("/{referral_id}", summary="Get a referral", responses={200: {"headers": ETAG_HEADER}})
def get_referral(
    referral_id: uuid.UUID, session: SessionDep, principal: ReaderDep, response: Response
) -> ReferralPublic:
    """404 when the referral is another organisation's. The ETag header is for If-Match."""
    referral, intake = service.get_with_intake(
        session=session, referral_id=referral_id, principal=principal
    )
    response.headers["ETag"] = service.etag(referral)
    return to_public(referral, intake, principal)


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
    service.change_status(
        session=session,
        principal=principal,
        referral_id=referral_id,
        status=body.status,
        note=body.note,
        outcome=body.outcome,
        if_match=if_match,
    )
    referral, intake = service.get_with_intake(
        session=session, referral_id=referral_id, principal=principal
    )
    response.headers["ETag"] = service.etag(referral)
    return to_public(referral, intake, principal)


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
    _, new = service.forward(
        session=session,
        principal=principal,
        referral_id=referral_id,
        organisation_id=body.organisation_id,
        reason=body.reason,
        if_match=if_match,
    )
    intake = session.get(Intake, new.intake_id)
    assert intake is not None
    response.headers["Location"] = f"/api/v1/referrals/{new.id}"
    response.headers["ETag"] = service.etag(new)
    return to_public(new, intake, principal)


@router.get("/{referral_id}/history", summary="A referral's history")
def referral_history(
    referral_id: uuid.UUID, session: SessionDep, principal: ReaderDep
) -> ReferralHistory:
    """Every status change, oldest first, with the acting organisation, time and note."""
    events = service.history(session=session, referral_id=referral_id, principal=principal)
    return ReferralHistory(
        referral_id=referral_id,
        data=[
            ReferralEventPublic(
                from_status=e.from_status,
                to_status=e.to_status,
                actor_organisation_id=e.actor_organisation_id,
                actor_organisation_name=name,
                note=e.note,
                outcome=e.outcome,
                created_at=e.created_at,
            )
            for e, name in events
        ],
    )
