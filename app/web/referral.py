"""A referral's page, with its forms to change the status and to forward the referral."""

import uuid
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.api.deps import SessionDep
from app.auth.logins import Login, check_csrf
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.organisations import service as organisations
from app.organisations.models import OrganisationType
from app.referrals import access, changes, reading
from app.referrals.presenters import referral_public
from app.referrals.schemas import ForwardRequest, StatusChange
from app.referrals.states import Outcome, ReferralStatus
from app.web.deps import Csrf, LoginDep
from app.web.pages import FormInvalid, render

router = APIRouter(include_in_schema=False)


def _partners(session: SessionDep, referral_org: uuid.UUID) -> list[Any]:
    return [
        o
        for o in organisations.list_organisations(session=session, active=True)
        if o.id != referral_org and o.type != OrganisationType.frontoffice
    ]


@router.get("/referrals/{referral_id}")
def referral_page(
    referral_id: uuid.UUID,
    session: SessionDep,
    login: LoginDep,
    gedaan: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    principal = login.principal
    principal.require(Scope.referrals_read)
    referral, intake = reading.get_with_intake(
        session=session, referral_id=referral_id, principal=principal
    )
    public = referral_public(referral, intake, principal)
    # The read is logged once, by get_with_intake above.
    events = reading.history(
        session=session, referral_id=referral_id, principal=principal, log_read=False
    )
    can_write = Scope.referrals_write in principal.scopes
    can_forward = can_write and access.can_forward(referral, intake, principal)
    return render(
        "referral.html",
        login=login,
        r=public,
        events=events,
        next_statuses=public.next_statuses if can_write else [],
        outcomes=list(Outcome),
        partners=_partners(session, referral.organisation_id) if can_forward else [],
        can_forward=can_forward,
        # Only a status we know: the link's text is not shown as it is.
        done=gedaan if gedaan in ReferralStatus.__members__ else "",
    )


class _Write(TypedDict):
    """Who changes which referral, in the request's transaction: the first arguments of every
    change in app/referrals/changes.py."""

    session: Session
    principal: Principal
    referral_id: uuid.UUID


def _writer(session: Session, login: Login, csrf_token: str, referral_id: uuid.UUID) -> _Write:
    """Only a login that may change referrals, posting the form of its own page."""
    principal = login.principal
    principal.require(Scope.referrals_write)
    check_csrf(login.csrf_token, csrf_token)
    return _Write(session=session, principal=principal, referral_id=referral_id)


def _done(referral_id: uuid.UUID, what: str) -> RedirectResponse:
    # Post/redirect/get: the page says what was done; reloading it changes nothing twice.
    return RedirectResponse(f"/referrals/{referral_id}?gedaan={what}", status_code=303)


@router.post("/referrals/{referral_id}/status")
def referral_status(
    referral_id: uuid.UUID,
    session: SessionDep,
    login: LoginDep,
    status: Annotated[ReferralStatus, Form()],
    csrf_token: Csrf = "",
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    write = _writer(session, login, csrf_token, referral_id)
    # The API's own rules for a status change (a reason to reject, an outcome only to
    # complete, no NUL): one schema for both ways in.
    try:
        change = StatusChange(status=status, note=note.strip() or None, outcome=outcome or None)
    except ValidationError as exc:
        raise FormInvalid(_status_problem(status, exc)) from exc
    changes.change_status(**write, status=change.status, note=change.note, outcome=change.outcome)
    return _done(referral_id, status.value)


@router.post("/referrals/{referral_id}/forward")
def referral_forward(
    referral_id: uuid.UUID,
    session: SessionDep,
    login: LoginDep,
    csrf_token: Csrf = "",
    organisation_id: Annotated[uuid.UUID | None, Form()] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    write = _writer(session, login, csrf_token, referral_id)
    try:
        wanted = ForwardRequest(organisation_id=organisation_id, reason=reason.strip())
    except ValidationError as exc:
        raise FormInvalid(
            "Kies een organisatie en schrijf waarom u de verwijzing doorstuurt (zonder"
            " bijzondere tekens)."
        ) from exc
    changes.forward(**write, organisation_id=wanted.organisation_id, reason=wanted.reason)
    return _done(referral_id, "forwarded")


def _status_problem(status: ReferralStatus, exc: ValidationError) -> str:
    if any(error["loc"][:1] == ("note",) for error in exc.errors()):
        return "De tekst bevat een teken dat niet bewaard kan worden."
    if status == ReferralStatus.rejected:
        return "Schrijf erbij waarom u de verwijzing afwijst."
    if status == ReferralStatus.completed:
        return "Kies een uitkomst als u de verwijzing afrondt."
    return "Een uitkomst hoort alleen bij afronden."
