"""The staff pages: thin handlers that parse a form, check the login, call the services that
the API uses too, and render Dutch HTML. Kept out of the OpenAPI document."""

import re
import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.api.deps import SessionDep
from app.auth import logins
from app.auth.logins import Login, check_csrf, count_failure, too_many_failures
from app.auth.passwords import LoginFailed, authenticate_password
from app.auth.scopes import Scope
from app.classification import service as classifier
from app.classification.service import guidance_for
from app.consent.schemas import PARTNER_TYPES, ConsentMethod
from app.core.calendar import AMSTERDAM
from app.core.config import get_settings
from app.flows import intake as flow
from app.intakes.schemas import Channel, IntakeCreate
from app.organisations import service as organisations
from app.organisations.models import OrganisationType
from app.referrals import access, changes, feed, reading
from app.referrals.inbox import inbox as referral_inbox
from app.referrals.overdue import is_overdue
from app.referrals.presenters import referral_public
from app.referrals.schemas import ForwardRequest, StatusChange
from app.referrals.states import Outcome, ReferralStatus
from app.stats import service as stats
from app.stats.export import table_csv
from app.stats.service import EARLIEST, LATEST
from app.web import dashboard
from app.web.deps import (
    LOGIN_COOKIE,
    LOGIN_CSRF_COOKIE,
    LoginDep,
    MaybeLoginDep,
    client_address,
    set_cookie,
)
from app.web.pages import FormInvalid, render

router = APIRouter(include_in_schema=False)

# Read to the resident, word for word, and stored with the intake as the consent's wording.
CONSENT_WORDING = (
    "Mogen wij uw vraag en uw contactgegevens doorgeven aan de organisatie die u het beste "
    "kan helpen, zoals de woningcorporatie, de thuiszorg of het sociaal wijkteam? Zij nemen "
    "dan contact met u op. U kunt altijd zeggen dat u dit niet meer wilt."
)
Csrf = Annotated[str, Form()]


def _start_page(login: Login) -> str:
    scopes = login.principal.scopes
    # The desk and the thuiszorg record questions; other partners mostly answer them.
    desk = login.organisation.type in {OrganisationType.frontoffice, OrganisationType.thuiszorg}
    if Scope.intakes_write in scopes and (desk or Scope.referrals_read not in scopes):
        return "/intake"
    if Scope.referrals_read in scopes:
        return "/inbox"
    if Scope.stats_read in scopes:
        return "/dashboard"
    return "/geen-toegang"


_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%?=&-]*")


def _safe_next(target: str | None) -> str | None:
    # Only a plain path on this site (no "//host", no control characters a browser would drop):
    # never an open redirect to another one.
    return target if target and _LOCAL_PATH.fullmatch(target) else None


# --- login -----------------------------------------------------------------------------------


@router.get("/")
def home(request: Request, session: SessionDep) -> Response:
    login = logins.resolve(session=session, token=request.cookies.get(LOGIN_COOKIE))
    target = _start_page(login) if login else "/login"
    return RedirectResponse(target, status_code=303)


def _login_page(
    request: Request, *, error: str | None = None, username: str = "", status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        "login.html",
        csrf_token=token,
        error=error,
        username=username,
        next=_safe_next(request.query_params.get("next")) or "",
        status_code=status_code,
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    csrf_token: Csrf = "",
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token)
    address = client_address(request)
    if too_many_failures(address):
        return _login_page(
            request,
            error="Er zijn vanaf dit adres te veel mislukte pogingen gedaan. "
            "Probeer het over een minuut opnieuw.",
            username=username,
            status_code=429,
        )
    try:
        user = authenticate_password(session=session, username=username, password=password)
    except LoginFailed as exc:  # AccountLocked too
        # Not re-raised: the account's failure count must be committed.
        count_failure(address)
        return _login_page(request, error=exc.detail, username=username, status_code=401)
    token, _ = logins.start(session=session, user=user)
    login = logins.resolve(session=session, token=token)
    assert login is not None
    response = RedirectResponse(_safe_next(next) or _start_page(login), status_code=303)
    hours = get_settings().web_session_hours
    set_cookie(request, response, LOGIN_COOKIE, token, max_age=hours * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(
    request: Request, session: SessionDep, login: LoginDep, csrf_token: Csrf = ""
) -> Response:
    check_csrf(login.csrf_token, csrf_token)
    logins.end(session=session, token=request.cookies.get(LOGIN_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.get("/geen-toegang")
def no_access(login: LoginDep) -> HTMLResponse:
    return render(
        "error.html",
        login=login,
        status_code=403,
        title="Geen pagina's voor dit account",
        text="Uw account heeft nog geen rol met pagina's. Vraag het aan uw beheerder.",
    )


# --- intake ----------------------------------------------------------------------------------


def _preview(text: str) -> dict[str, Any] | None:
    if not text.strip():
        return None
    result = classifier.classify(text[:5000])
    return {
        "domains": [
            {
                "domain": str(d.domain),
                "label": DOMAIN_TEXT.get(str(d.domain), str(d.domain)),
                "evidence": list(dict.fromkeys(d.evidence))[:6],
            }
            for d in result.domains
        ],
        "urgent": result.urgent,
        "guidance": result.guidance(),
        "low_confidence": result.low_confidence,
    }


DOMAIN_TEXT = {
    "wonen": "Wonen (het huis)",
    "welzijn": "Welzijn (meedoen en steun)",
    "zorg": "Zorg (lichaam en geest)",
}

FIELD_ERRORS = {
    "question": "Schrijf de vraag op (hoogstens 5000 tekens).",
    "channel": "Kies hoe de vraag binnenkwam.",
    "postcode": "Schrijf de postcode als 1234 AB, of laat het vak leeg.",
    "consent": "Kies of de bewoner toestemming geeft.",
    "resident.name": "De naam is te lang, of er staat een vreemd teken in.",
    "resident.phone": "Het telefoonnummer is te lang, of er staat een vreemd teken in.",
    "resident.email": "Schrijf een e-mailadres zoals naam@voorbeeld.nl, of laat het vak leeg.",
    "resident.address": "Het adres is te lang, of er staat een vreemd teken in.",
    "consent_details": "Kies minstens één soort organisatie die de contactgegevens mag zien.",
}


def _intake_page(login: Login, *, form: dict[str, Any], **context: Any) -> HTMLResponse:
    default_channel = (
        "signalering"
        if login.organisation.type == OrganisationType.thuiszorg
        else ("balie" if login.organisation.type == OrganisationType.frontoffice else "telefoon")
    )
    form = {
        "channel": default_channel,
        "consent_method": "verbaal",
        "consent_types": [str(t) for t in PARTNER_TYPES],
        **form,
    }
    return render(
        "intake.html",
        login=login,
        form=form,
        partner_types=[str(t) for t in PARTNER_TYPES],
        channels=list(Channel),
        consent_wording=CONSENT_WORDING,
        **context,
    )


@router.get("/intake")
def intake_form(login: LoginDep) -> HTMLResponse:
    login.principal.require(Scope.intakes_write)
    return _intake_page(login, form={})


@router.post("/intake")
def intake_submit(
    session: SessionDep,
    maybe: MaybeLoginDep,
    csrf_token: Csrf = "",
    action: Annotated[str, Form()] = "save",
    question: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    postcode: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
    consent_method: Annotated[str, Form()] = "verbaal",
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    consent_types: Annotated[list[str] | None, Form()] = None,
    consent_types_shown: Annotated[str, Form()] = "",
) -> Response:
    if maybe is None:
        # The login ran out while the question was being typed (in a hallway, on a phone):
        # store nothing, but give the text back so it is not lost.
        return render("intake_expired.html", question=question, status_code=401)
    login = maybe
    principal = login.principal
    principal.require(Scope.intakes_write)
    check_csrf(login.csrf_token, csrf_token)
    # Without the checkboxes on the page (an older form), the consent reaches every kind of
    # partner, as the wording read out says.
    kinds = (consent_types or []) if consent_types_shown else [str(t) for t in PARTNER_TYPES]
    form: dict[str, Any] = {
        "question": question,
        "channel": channel,
        "postcode": postcode,
        "consent": consent,
        "consent_method": consent_method,
        "name": name,
        "phone": phone,
        "email": email,
        "address": address,
        "consent_types": kinds,
    }
    if action == "preview":  # the form without JavaScript: show the preview, store nothing
        return _intake_page(login, form=form, preview=_preview(question))
    contact = {"name": name, "phone": phone, "email": email, "address": address}
    resident = {k: v.strip() for k, v in contact.items() if v.strip()}
    method = consent_method if consent_method in ConsentMethod.__members__ else "verbaal"
    try:
        body = IntakeCreate.model_validate(
            {
                "question": question,
                "channel": channel,
                "postcode": postcode.strip() or None,
                "consent": {"ja": True, "nee": False}.get(consent),
                "consent_details": {
                    "method": ConsentMethod(method),
                    "wording": CONSENT_WORDING,
                    # A "no" shares nothing; its record keeps the default.
                    "organisation_types": kinds if consent == "ja" else list(PARTNER_TYPES),
                },
                "resident": resident or None,
            }
        )
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            key = ".".join(loc[:2]) if loc[:1] == ["resident"] else (loc[0] if loc else "")
            errors.setdefault(key, FIELD_ERRORS.get(key, "Dit klopt niet."))
        return _intake_page(
            login, form=form, errors=errors, preview=_preview(question), status_code=422
        )
    view = flow.record(
        session=session,
        principal=principal,
        question=body.question,
        channel=body.channel,
        postcode=body.postcode,
        consent=body.consent,
        resident=body.resident,
        domains=None,
        consent_details=body.consent_details,
    )
    # Post/redirect/get: reloading the confirmation does not record the question twice.
    return RedirectResponse(f"/intakes/{view.intake.id}", status_code=303)


@router.post("/intake/preview")
def intake_preview(
    login: LoginDep,
    request: Request,
    text: Annotated[str, Body(embed=True, max_length=5000)] = "",
) -> JSONResponse:
    """The classification while typing (stores nothing). Same-origin fetch with the CSRF token
    in a header: a foreign page cannot read the answer, nor send the header."""
    login.principal.require(Scope.intakes_write)
    check_csrf(login.csrf_token, request.headers.get("x-csrf-token"))
    return JSONResponse(_preview(text) or {"domains": [], "urgent": False, "guidance": []})


@router.get("/intakes/{intake_id}")
def intake_done(intake_id: uuid.UUID, session: SessionDep, login: LoginDep) -> HTMLResponse:
    login.principal.require(Scope.intakes_read)
    view = flow.view(session=session, intake_id=intake_id, principal=login.principal)
    return render(
        "intake_done.html",
        login=login,
        intake=view.intake,
        referrals=view.referrals,
        guidance=guidance_for(view.intake.urgent_reasons),
    )


# --- inbox -----------------------------------------------------------------------------------


@router.get("/inbox")
def inbox(
    session: SessionDep,
    login: LoginDep,
    status: Annotated[str, Query(max_length=20)] = "open",
    te_laat: Annotated[str, Query(max_length=5)] = "",
) -> HTMLResponse:
    principal = login.principal
    principal.require(Scope.referrals_read)
    chosen = ReferralStatus(status) if status in ReferralStatus.__members__ else None
    rows = referral_inbox(
        session=session,
        principal=principal,
        status=chosen,
        open_only=status == "open",
        overdue=True if te_laat else None,
        limit=feed.MAX_PAGE,
    )
    items = [
        {
            "referral": r,
            "overdue": is_overdue(r),
            "question": referral_public(r, i, principal).intake.question,
        }
        for r, i in rows
    ]
    return render(
        "inbox.html",
        login=login,
        items=items,
        status=status if (chosen or status in {"open", "all"}) else "open",
        overdue_only=bool(te_laat),
        statuses=list(ReferralStatus),
        truncated=len(rows) == feed.MAX_PAGE,
    )


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
    principal = login.principal
    principal.require(Scope.referrals_write)
    check_csrf(login.csrf_token, csrf_token)
    # The API's own rules for a status change (a reason to reject, an outcome only to
    # complete, no NUL): one schema for both ways in.
    try:
        change = StatusChange(status=status, note=note.strip() or None, outcome=outcome or None)
    except ValidationError as exc:
        raise FormInvalid(_status_problem(status, exc)) from exc
    changes.change_status(
        session=session,
        principal=principal,
        referral_id=referral_id,
        status=change.status,
        note=change.note,
        outcome=change.outcome,
    )
    return RedirectResponse(f"/referrals/{referral_id}?gedaan={status.value}", status_code=303)


@router.post("/referrals/{referral_id}/forward")
def referral_forward(
    referral_id: uuid.UUID,
    session: SessionDep,
    login: LoginDep,
    csrf_token: Csrf = "",
    organisation_id: Annotated[uuid.UUID | None, Form()] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    principal = login.principal
    principal.require(Scope.referrals_write)
    check_csrf(login.csrf_token, csrf_token)
    try:
        wanted = ForwardRequest(organisation_id=organisation_id, reason=reason.strip())
    except ValidationError as exc:
        raise FormInvalid(
            "Kies een organisatie en schrijf waarom u de verwijzing doorstuurt (zonder"
            " bijzondere tekens)."
        ) from exc
    changes.forward(
        session=session,
        principal=principal,
        referral_id=referral_id,
        organisation_id=wanted.organisation_id,
        reason=wanted.reason,
    )
    return RedirectResponse(f"/referrals/{referral_id}?gedaan=forwarded", status_code=303)


def _status_problem(status: ReferralStatus, exc: ValidationError) -> str:
    if any(error["loc"][:1] == ("note",) for error in exc.errors()):
        return "De tekst bevat een teken dat niet bewaard kan worden."
    if status == ReferralStatus.rejected:
        return "Schrijf erbij waarom u de verwijzing afwijst."
    if status == ReferralStatus.completed:
        return "Kies een uitkomst als u de verwijzing afrondt."
    return "Een uitkomst hoort alleen bij afronden."


# --- dashboard -------------------------------------------------------------------------------


def _period(
    van: Annotated[str, Query(max_length=10)] = "",
    tot: Annotated[str, Query(max_length=10)] = "",
) -> tuple[date, date]:
    """The dashboard's period from `van` and `tot`, clamped to what the statistics hold."""
    today = datetime.now(AMSTERDAM).date()  # the gemeente's today, not the server's
    try:
        end = date.fromisoformat(tot) if tot else today
    except ValueError:
        end = today
    try:
        start = date.fromisoformat(van) if van else None
    except ValueError:
        start = None
    end = min(max(end, EARLIEST), LATEST)
    if start is None or start > end or start < EARLIEST:
        start = (end.replace(day=1) - timedelta(days=334)).replace(day=1)
    return start, end


PeriodDep = Annotated[tuple[date, date], Depends(_period)]


@router.get("/dashboard")
def dashboard_page(
    session: SessionDep,
    login: LoginDep,
    period: PeriodDep,
) -> HTMLResponse:
    login.principal.require(Scope.stats_read)
    start, end = period
    filters = stats.Filters(from_=start, to=end)

    def table(*dims: stats.Dimension) -> stats.Table:
        return stats.referral_table(session=session, group_by=list(dims), filters=filters)

    dim = stats.Dimension
    charts = dashboard.build(
        by_domain_month=table(dim.domain, dim.month),
        by_domain=table(dim.domain),
        by_outcome=table(dim.outcome),
        by_area=table(dim.area),
    )
    csv_link = "/dashboard/verwijzingen.csv?" + urlencode(
        {"van": start.isoformat(), "tot": end.isoformat()}
    )
    return render(
        "dashboard.html",
        login=login,
        charts=charts,
        start=start,
        end=end,
        csv_link=csv_link,
        min_cell=get_settings().stats_min_cell_size,
        rounding=get_settings().stats_rounding_base,
    )


@router.get("/dashboard/verwijzingen.csv")
def dashboard_csv(
    session: SessionDep,
    login: LoginDep,
    period: PeriodDep,
) -> Response:
    login.principal.require(Scope.stats_read)
    start, end = period
    table = stats.referral_table(
        session=session,
        group_by=[stats.Dimension.domain, stats.Dimension.month],
        filters=stats.Filters(from_=start, to=end),
    )
    return Response(
        table_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="wijkwinkel-verwijzingen.csv"',
            "Cache-Control": "no-store",
        },
    )
