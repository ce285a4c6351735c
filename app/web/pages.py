"""Rendering: the templates, Dutch labels, and Dutch error pages for everything outside the API."""

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.auth.logins import Login
from app.core.calendar import AMSTERDAM
from app.core.config import API_PREFIX
from app.core.errors import InvalidInput, WijkwinkelError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"

# Only our own files: no inline script or style anywhere, so the policy needs no exceptions.
WEB_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

STATUS_LABELS = {
    "requested": "Nieuw",
    "received": "Ontvangen",
    "accepted": "Geaccepteerd",
    "rejected": "Afgewezen",
    "in_progress": "In behandeling",
    "on_hold": "Gepauzeerd",
    "completed": "Afgerond",
    "cancelled": "Geannuleerd",
    "forwarded": "Doorgestuurd",
    "no_consent": "Geen toestemming",
    "needs_review": "Moet bekeken worden",
}
ACTION_LABELS = {
    "received": "Ontvangst bevestigen",
    "accepted": "Accepteren",
    "rejected": "Afwijzen",
    "in_progress": "Starten",
    "on_hold": "Pauzeren",
    "completed": "Afronden",
    "cancelled": "Annuleren",
}
OUTCOME_LABELS = {
    "geholpen": "Geholpen",
    "doorverwezen": "Doorverwezen",
    "geen_hulp_nodig": "Geen hulp nodig",
    "niet_bereikbaar": "Niet bereikbaar",
    "wachtlijst": "Op de wachtlijst",
}
DOMAIN_LABELS = {
    "wonen": "wonen (het huis)",
    "welzijn": "welzijn (meedoen en steun)",
    "zorg": "zorg (lichaam en geest)",
}
CHANNEL_LABELS = {
    "balie": "Aan de balie",
    "telefoon": "Telefoon",
    "email": "E-mail",
    "huisbezoek": "Huisbezoek",
    "signalering": "Signaal van een medewerker (bijvoorbeeld thuiszorg)",
}
ORGANISATION_TYPE_LABELS = {
    "frontoffice": "wijkwinkel",
    "corporatie": "woningcorporatie",
    "thuiszorg": "thuiszorg",
    "gemeente": "gemeente",
    "welzijn": "welzijnsorganisatie",
    "zorgcooperatie": "zorgcoöperatie",
}


def _date(value: Any) -> str:
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M") if value else ""


env.filters["datum"] = _date
env.globals.update(
    STATUS_LABELS=STATUS_LABELS,
    ACTION_LABELS=ACTION_LABELS,
    OUTCOME_LABELS=OUTCOME_LABELS,
    DOMAIN_LABELS=DOMAIN_LABELS,
    CHANNEL_LABELS=CHANNEL_LABELS,
    ORGANISATION_TYPE_LABELS=ORGANISATION_TYPE_LABELS,
)


def render(
    template: str,
    *,
    login: Login | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    nav: list[tuple[str, str]] = []
    if login is not None:
        scopes = login.principal.scopes
        if "intakes:write" in scopes:
            nav.append(("/intake", "Nieuwe vraag"))
        if "intakes:write" in scopes and login.principal.is_frontoffice:
            nav.append(("/beoordelen", "Nakijken"))
        if "referrals:read" in scopes:
            nav.append(("/inbox", "Verwijzingen"))
        if "stats:read" in scopes:
            nav.append(("/dashboard", "Cijfers"))
    html = env.get_template(template).render(
        login=login,
        nav=nav,
        csrf_token=login.csrf_token if login else context.pop("csrf_token", ""),
        **context,
    )
    # Pages can hold personal data: never kept by a browser or proxy.
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


ERROR_TEXT = {
    400: ("Dit klopt niet helemaal", "Controleer wat u heeft ingevuld en probeer het opnieuw."),
    403: (
        "Geen toegang",
        "Uw account mag dit niet doen. Heeft u dit wel nodig? Vraag het aan uw beheerder.",
    ),
    404: (
        "Niet gevonden",
        "Deze pagina bestaat niet, of is niet voor uw organisatie.",
    ),
    405: ("Dit kan zo niet", "Gebruik de knoppen op de pagina."),
    409: (
        "Dat kan nu niet",
        "De verwijzing is intussen veranderd, of deze stap past niet bij de status. "
        "Open de verwijzing opnieuw en kies een van de knoppen.",
    ),
    412: (
        "Iemand anders was u voor",
        "De verwijzing is intussen veranderd. Open de verwijzing opnieuw.",
    ),
    422: ("Dit klopt niet helemaal", "Controleer wat u heeft ingevuld en probeer het opnieuw."),
    429: ("Even wachten", "Er komen te veel verzoeken binnen. Probeer het over een minuut."),
    503: (
        "Even wachten",
        "Het lukt nu even niet. Er is niets opgeslagen. Probeer het over een paar seconden "
        "opnieuw.",
    ),
}
CSRF_TEXT = (
    "De pagina is verlopen",
    "Het formulier hoort niet (meer) bij uw sessie. Ga terug, laad de pagina opnieuw en "
    "probeer het nog eens.",
)
GENERIC_TEXT = ("Er ging iets mis", "Er ging bij ons iets mis. Probeer het later opnieuw.")


class FormInvalid(InvalidInput):
    """A form that breaks a rule; its detail is Dutch and shown as is."""

    status = 422


def error_page(
    request: Request, status: int, *, csrf: bool = False, detail: str | None = None
) -> Response:
    title, text = CSRF_TEXT if csrf else ERROR_TEXT.get(status, GENERIC_TEXT)
    if detail:
        text = f"{detail} Ga terug en probeer het opnieuw."
    return render("error.html", status_code=status, title=title, text=text)


def is_page(request: Request) -> bool:
    path = request.url.path
    return not (path == API_PREFIX or path.startswith(API_PREFIX + "/"))


def install_error_pages(app: FastAPI) -> None:
    """Outside /api/v1 errors are Dutch pages, not problem+json; the API's handlers stay."""
    from app.auth.logins import CsrfFailed
    from app.web.deps import LoginRequired

    for exc_class in (
        WijkwinkelError,
        StarletteHTTPException,
        RequestValidationError,
        sa_exc.SQLAlchemyError,
        Exception,
    ):
        api_handler = app.exception_handlers[exc_class]

        async def handler(request: Request, exc: Exception, api_handler: Any = api_handler) -> Any:
            if not is_page(request):
                return await api_handler(request, exc)
            if isinstance(exc, LoginRequired):
                target = request.url.path
                if request.method == "GET" and target not in {"/", "/login"}:
                    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
                return RedirectResponse("/login", status_code=303)
            if isinstance(exc, WijkwinkelError):
                return error_page(
                    request,
                    exc.status,
                    csrf=isinstance(exc, CsrfFailed),
                    detail=exc.detail if isinstance(exc, FormInvalid) else None,
                )
            if isinstance(exc, StarletteHTTPException):
                return error_page(request, exc.status_code)
            if isinstance(exc, RequestValidationError):
                # /referrals/not-an-id names nothing that exists: not found, not a form error.
                in_path = any(e.get("loc", ("",))[0] == "path" for e in exc.errors())
                return error_page(request, 404 if in_path else 422)
            if isinstance(exc, sa_exc.SQLAlchemyError):
                # The API's handler tells "busy" (503) from a bug (500); keep its verdict.
                verdict = await api_handler(request, exc)
                page = error_page(request, verdict.status_code)
                if "retry-after" in verdict.headers:
                    page.headers["Retry-After"] = verdict.headers["retry-after"]
                return page
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return error_page(request, 500)

        app.add_exception_handler(exc_class, handler)
