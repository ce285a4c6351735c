"""The HTTP wiring every router shares: the request's database session (with admission
control) and the caller's identity as FastAPI dependencies. The rules behind them live in
app/auth; this module only connects them to requests."""

import asyncio
import functools
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

import anyio
from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.auth import api_keys
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.core.config import get_settings
from app.core.database import end_session, get_engine
from app.core.errors import ServiceUnavailable

_admission: dict[int, anyio.Semaphore] = {}


def _semaphore() -> anyio.Semaphore:
    # One per event loop (tests start several); made lazily inside the loop.
    loop = id(asyncio.get_running_loop())
    if loop not in _admission:
        settings = get_settings()
        limit = settings.max_db_requests or (
            4
            if settings.database_url.startswith("sqlite")
            # Python threads share one interpreter lock: more requests at once than the CPU
            # can serve only make each one wait longer, and the slowest far longer (measured,
            # docs/performance-notes.md). Below the pool and the thread pool (40) always.
            else min(
                max(4, 2 * (os.cpu_count() or 2)),
                settings.db_pool_size + settings.db_max_overflow,
                32,
            )
        )
        _admission[loop] = anyio.Semaphore(limit)
    return _admission[loop]


async def admit() -> AsyncIterator[None]:
    """Admission control: at most N requests hold a connection (or SQLite's write lock) at once.

    Waiting happens here, in the event loop, not in worker threads: without it a burst of
    requests fills every thread with work that waits for a connection, while the requests that
    hold connections wait for a thread to finish on.
    """
    semaphore = _semaphore()
    with anyio.move_on_after(get_settings().admission_timeout_seconds) as waited:
        await semaphore.acquire()
    if waited.cancelled_caught:
        raise ServiceUnavailable(
            "The service is busy; please retry in a few seconds.", headers={"Retry-After": "5"}
        )
    try:
        yield
    finally:
        semaphore.release()


async def admitted_session(
    _: Annotated[None, Depends(admit, scope="function")],
) -> AsyncIterator[Session]:
    """One transaction per request: committed when the endpoint succeeded, rolled back
    otherwise, before the response is sent (a client never sees 201 for something that was
    not stored).

    Async on purpose: opening a session does no I/O (the connection is taken at the first
    query), so it needs no worker thread; the end (commit, close) runs in one. Each sync
    dependency costs a round trip through the thread pool."""
    session = Session(get_engine(), expire_on_commit=False)
    ok = False
    try:
        yield session
        ok = True
    finally:
        # Shielded: a cancelled request still gives its connection back.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(functools.partial(end_session, session, commit=ok))


# scope="function": the session's commit runs before the response goes out (and before the
# admission slot is given back).
SessionDep = Annotated[Session, Depends(admitted_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer wwk_...`")


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    actor: Annotated[
        str | None,
        Header(
            alias="X-Actor",
            max_length=200,
            description="Who is acting through this key: an employee number or name in your "
            "own system. Recorded in the access log with every read or change of personal "
            "data (NEN 7513). Shown to your own admins and the front office's (access log), "
            "and with a consent step to the organisation that recorded the intake; to no one "
            "else.",
        ),
    ] = None,
) -> Principal:
    resolution = timedelta(seconds=get_settings().key_last_used_resolution_seconds)
    principal = api_keys.authenticate(
        session=session,
        token=credentials.credentials if credentials else None,
        last_used_resolution=resolution,
    )
    return replace(principal, actor=actor.strip() or None) if actor else principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(scope: Scope) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that authenticates and checks one scope (403 when it is missing)."""

    # Async: a check without I/O needs no trip through the thread pool.
    async def dependency(principal: PrincipalDep) -> Principal:
        principal.require(scope)
        return principal

    dependency.__name__ = f"require_{scope.value.replace(':', '_')}"
    return dependency


async def _deployment_admin(
    principal: Annotated[Principal, Depends(require(Scope.admin))],
) -> Principal:
    """Changes that affect every organisation: the front office's admin only. A dependency, so
    a partner gets 403 before its request body is even looked at."""
    principal.require_deployment_admin()
    return principal


DeploymentAdminDep = Annotated[Principal, Depends(_deployment_admin)]


AdminDep = Annotated[Principal, Depends(require(Scope.admin))]
