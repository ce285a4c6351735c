"""The intake pages: the form, its classification preview, and the confirmation page."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.api.deps import SessionDep
from app.auth.logins import Login, check_csrf
from app.auth.scopes import Scope
from app.classification import service as classifier
from app.classification.domains import Domain
from app.classification.service import Classification, guidance_for
from app.consent.schemas import PARTNER_TYPES, ConsentMethod
from app.flows import intake as flow
from app.intakes.schemas import Channel, IntakeCreate
from app.organisations.models import OrganisationType
from app.web.deps import Csrf, LoginDep, MaybeLoginDep
from app.web.pages import render

router = APIRouter(include_in_schema=False)

# Read to the resident, word for word, and stored with the intake as the consent's wording.
CONSENT_WORDING = (
    "Mogen wij uw vraag en uw contactgegevens doorgeven aan de organisatie die u het beste "
    "kan helpen, zoals de woningcorporatie, de thuiszorg of het sociaal wijkteam? Zij nemen "
    "dan contact met u op. U kunt altijd zeggen dat u dit niet meer wilt."
)


CONFIRM_ERROR = "Kijk de onderwerpen na en vink aan dat het klopt."


def _split(value: str) -> list[str]:
    return sorted(d for d in value.split(",") if d in Domain.__members__)


def _proposal(preview: dict[str, Any] | None) -> list[str]:
    """The domains the classifier proposes, as the form's ticked boxes."""
    return sorted(d["domain"] for d in preview["domains"]) if preview else []


def _preview(text: str) -> dict[str, Any] | None:
    return _preview_of(classifier.classify(text[:5000])) if text.strip() else None


def _preview_of(result: Classification) -> dict[str, Any]:
    """What the form shows of a classification: the proposal, its words, the guidance."""
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
        "domains": [],
        **form,
    }
    preview = context.get("preview")
    return render(
        "intake.html",
        login=login,
        form=form,
        all_domains=[str(d) for d in Domain],
        domain_text=DOMAIN_TEXT,
        proposal=",".join(_proposal(preview)),
        evidence={d["domain"]: d["evidence"] for d in (preview or {}).get("domains", [])},
        needs_confirm=bool(preview and (preview["urgent"] or preview["low_confidence"])),
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
    domains: Annotated[list[str] | None, Form()] = None,
    domains_shown: Annotated[str, Form()] = "",
    proposal: Annotated[str, Form(max_length=100)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
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
        "domains": [d for d in (domains or []) if d in Domain.__members__],
        "confirm": confirm,
    }
    if action == "preview":  # the form without JavaScript: show the preview, store nothing
        shown = _preview(question)
        form["domains"] = _proposal(shown)  # a fresh proposal, ticked
        return _intake_page(login, form=form, preview=shown)
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
    result = None
    if domains_shown:
        # The person chose the domains: send only when they saw the proposal for this very
        # text, and confirmed it where the classifier flags danger or is unsure. The one
        # classification is the one the intake keeps.
        result = classifier.classify(body.question)
        shown = _preview_of(result)
        if _split(proposal) != _proposal(shown):
            form["domains"] = _proposal(shown)
            return _intake_page(login, form=form, preview=shown, proposal_changed=True)
        if (result.urgent or result.low_confidence) and confirm != "ja":
            return _intake_page(
                login,
                form=form,
                preview=shown,
                errors={"confirm": CONFIRM_ERROR},
                status_code=422,
            )
        body = body.model_copy(update={"domains": [Domain(d) for d in form["domains"]]})
    view = flow.record(session=session, principal=principal, request=body, result=result)
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
