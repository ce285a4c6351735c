"""The front office's review page: intakes that need a look, why, and what to do with them;
with how often people agree with the classifier's proposals."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import SessionDep
from app.auth.logins import Login, check_csrf
from app.auth.scopes import Scope
from app.classification.domains import Domain
from app.core.calendar import AMSTERDAM
from app.core.schemas import clean_text
from app.flows import intake as flow
from app.review import actions, agreement, queue
from app.web.deps import Csrf, LoginDep
from app.web.pages import FormInvalid, render

router = APIRouter(include_in_schema=False)

NOTE = Annotated[str, Form(max_length=2000)]


def _front_office(login: Login, csrf_token: str | None = None) -> None:
    login.principal.require(Scope.intakes_write)
    actions.require_front_office(login.principal)
    if csrf_token is not None:
        check_csrf(login.csrf_token, csrf_token)


def _text(value: str, what: str) -> str:
    try:
        return clean_text(value)
    except ValueError as exc:
        raise FormInvalid(f"Schrijf op {what}.") from exc


@router.get("/beoordelen")
def review_page(session: SessionDep, login: LoginDep, gedaan: str = "") -> HTMLResponse:
    _front_office(login)
    items = queue.items(session=session, principal=login.principal)
    # Counts without personal data: every person at the desk may see how the proposals fare.
    today = datetime.now(AMSTERDAM).date()
    figures = agreement.agreement(session=session, start=agreement.year_before(today), end=today)
    return render(
        "review.html",
        login=login,
        items=items,
        reason_text=queue.REASON_TEXT,
        all_domains=[str(d) for d in Domain],
        figures=figures,
        done=gedaan if gedaan in {"gezien", "gesloten", "onderwerpen", "signaal"} else "",
    )


def _back(done: str) -> RedirectResponse:
    return RedirectResponse(f"/beoordelen?gedaan={done}", status_code=303)


@router.post("/beoordelen/{intake_id}/onderwerpen")
def correct(
    intake_id: uuid.UUID,
    session: SessionDep,
    login: LoginDep,
    domains: Annotated[list[str] | None, Form()] = None,
    note: NOTE = "",
    csrf_token: Csrf = "",
) -> Response:
    _front_office(login, csrf_token)
    chosen = [Domain(d) for d in dict.fromkeys(domains or []) if d in Domain.__members__]
    if not chosen:
        raise FormInvalid("Kies minstens één onderwerp.")
    flow.correct_domains(
        session=session,
        principal=login.principal,
        intake_id=intake_id,
        domains=chosen,
        note=note.strip() or None,
    )
    return _back("onderwerpen")


# The actions that take a note: the service that does it, what the note must say (for the
# error), and what the page confirms afterwards. After the route above: "onderwerpen" is its own.
_NOTED: dict[str, tuple[Callable[..., object], str, str]] = {
    "signaal": (actions.acknowledge_urgent, "wat er is gedaan met het noodsignaal", "signaal"),
    "gezien": (actions.mark_reviewed, "wat er is gedaan", "gezien"),
    "sluiten": (actions.close, "waarom de vraag klaar is", "gesloten"),
}


@router.post("/beoordelen/{intake_id}/{action}")
def noted(
    intake_id: uuid.UUID,
    action: str,
    session: SessionDep,
    login: LoginDep,
    note: NOTE = "",
    csrf_token: Csrf = "",
) -> Response:
    """Acknowledge an urgent signal, note a review, or close the intake: each with its words."""
    if action not in _NOTED:
        raise HTTPException(status_code=404)
    _front_office(login, csrf_token)
    do, what, done = _NOTED[action]
    do(session=session, principal=login.principal, intake_id=intake_id, note=_text(note, what))
    return _back(done)
