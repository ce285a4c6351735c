"""The pages' side of a login: the cookies, the CSRF form field, and the FastAPI dependencies that
turn a cookie into a Login (the rules are in app/auth/logins.py)."""

from typing import Annotated

from fastapi import Depends, Form, Request, Response

from app.api.deps import SessionDep
from app.auth import logins
from app.auth.logins import Login
from app.core.config import get_settings
from app.core.errors import Unauthenticated
from app.core.headers import over_tls

LOGIN_COOKIE = "wwk_session"
# Before login there is no login to hold a CSRF token: the login form uses a cookie that must
# match the form's field (double submit). A foreign site can set neither.
LOGIN_CSRF_COOKIE = "wwk_login_csrf"

# The hidden field that carries a form's CSRF token; each handler compares it (check_csrf).
Csrf = Annotated[str, Form()]


class LoginRequired(Unauthenticated):
    """Not logged in (or the login ended): the pages answer with the login page."""

    title = "Login required"
    slug = "login-required"


def cookie_secure(request: Request) -> bool:
    setting = get_settings().web_cookie_secure
    if setting is not None:
        return setting
    return over_tls(request.url.scheme, request.headers.get("x-forwarded-proto"))


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        # Lax: a link from an e-mail to a referral still opens logged in; a form posted from
        # another site arrives without the cookie.
        samesite="lax",
        secure=cookie_secure(request),
    )


def current_login(request: Request, session: SessionDep) -> Login:
    login = logins.resolve(session=session, token=request.cookies.get(LOGIN_COOKIE))
    if login is None:
        raise LoginRequired("Log in to use this page.")
    return login


LoginDep = Annotated[Login, Depends(current_login)]


def maybe_login(request: Request, session: SessionDep) -> Login | None:
    """For a form that must not lose what was typed when the login ran out."""
    return logins.resolve(session=session, token=request.cookies.get(LOGIN_COOKIE))


MaybeLoginDep = Annotated[Login | None, Depends(maybe_login)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
