"""Logging in and out: the start redirect, the login form, logout and the no-access page."""

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import SessionDep
from app.auth import logins
from app.auth.logins import Login, check_csrf, count_failure, too_many_failures
from app.auth.passwords import LoginFailed, authenticate_password
from app.auth.scopes import Scope
from app.core.config import get_settings
from app.organisations.models import OrganisationType
from app.web.deps import (
    LOGIN_COOKIE,
    LOGIN_CSRF_COOKIE,
    Csrf,
    LoginDep,
    client_address,
    set_cookie,
)
from app.web.pages import render

router = APIRouter(include_in_schema=False)


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
