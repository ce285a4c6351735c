"""The staff pages' login: the session cookie, CSRF tokens, and who is logged in."""

import secrets
import threading
from typing import Annotated

from fastapi import Depends, Request, Response

from app.api.deps import SessionDep
from app.core.config import get_settings
from app.core.errors import Forbidden, Unauthenticated
from app.core.ratelimit import TokenBucketLimiter
from app.users import service as users
from app.users.service import Login

SESSION_COOKIE = "wwk_session"
# Before login there is no session to hold a CSRF token: the login form uses a cookie that
# must match the form's field (double submit). A foreign site can set neither.
LOGIN_CSRF_COOKIE = "wwk_login_csrf"


class LoginRequired(Unauthenticated):
    """Not logged in (or the login ended): the pages answer with the login page."""

    title = "Login required"
    slug = "login-required"


class CsrfFailed(Forbidden):
    title = "CSRF token missing or wrong"
    slug = "csrf-failed"


def over_tls(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def cookie_secure(request: Request) -> bool:
    setting = get_settings().web_cookie_secure
    return over_tls(request) if setting is None else setting


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
    login = users.resolve_session(session=session, token=request.cookies.get(SESSION_COOKIE))
    if login is None:
        raise LoginRequired("Log in to use this page.")
    return login


LoginDep = Annotated[Login, Depends(current_login)]


def maybe_login(request: Request, session: SessionDep) -> Login | None:
    """For a form that must not lose what was typed when the login ran out."""
    return users.resolve_session(session=session, token=request.cookies.get(SESSION_COOKIE))


MaybeLoginDep = Annotated[Login | None, Depends(maybe_login)]


def check_csrf(expected: str | None, given: str | None) -> None:
    if not expected or not given or not secrets.compare_digest(expected, given):
        raise CsrfFailed("The form's CSRF token is missing or does not match your session.")


# Failed logins per client address, on top of the lockout per account: the lockout stops
# guessing one password, this stops trying one password on many accounts. Per process, like
# the API's limiter of failed keys (and with the same setting).
_failures: TokenBucketLimiter | None = None
_failures_lock = threading.Lock()


def _failure_limiter() -> TokenBucketLimiter | None:
    global _failures
    per_minute = get_settings().auth_failures_per_minute
    if not per_minute:
        return None
    with _failures_lock:
        if _failures is None:
            _failures = TokenBucketLimiter(per_minute=per_minute, burst=per_minute)
        return _failures


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many_failures(address: str) -> bool:
    limiter = _failure_limiter()
    if limiter is None:
        return False
    with _failures_lock:
        return not limiter.peek(address).allowed


def count_failure(address: str) -> None:
    limiter = _failure_limiter()
    if limiter is not None:
        with _failures_lock:
            limiter.take(address)
