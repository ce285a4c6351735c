"""Engine, metadata naming convention and the per-request session."""

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, SQLModel

from app.core.config import get_settings

# Every constraint gets a predictable name, so Alembic can alter and drop it on both engines.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

_engine: Engine | None = None


def _sqlite_pragmas(
    dbapi_connection: Any, _record: Any, *, foreign_keys: bool = True, busy_ms: int = 15000
) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (needed for
    # SAVEPOINT and for BEGIN IMMEDIATE below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")  # first: the next ones may have to wait
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # SQLite allows one writer. A deferred transaction that read first and writes later fails at
    # once with "database is locked" when another writer got in between; taking the write lock at
    # the start makes concurrent requests queue (busy_timeout) instead of failing.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None, *, for_migrations: bool = False) -> Engine:
    """An engine for the app (or, with for_migrations, for Alembic: on SQLite without foreign
    key enforcement, because altering a table there means copying and dropping it)."""
    settings = get_settings()
    url = url or settings.database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Migrating processes that start together wait for each other (SQLite has no advisory
        # lock); a whole upgrade can take longer than a request would ever wait.
        busy_seconds = 120 if for_migrations else 15
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_seconds},
            hide_parameters=True,  # errors are logged: no resident's data in them
        )
        event.listen(
            engine,
            "connect",
            functools.partial(
                _sqlite_pragmas, foreign_keys=not for_migrations, busy_ms=busy_seconds * 1000
            ),
        )
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        hide_parameters=True,  # errors are logged: no resident's data in them
        # A server that does not answer at all (a dropped packet, a host that is gone) must
        # give an error soon, not hold the request until the client gives up.
        connect_args={"connect_timeout": settings.db_connect_timeout_seconds},
    )


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine()
    return _engine


def dispose_engine() -> None:
    global _engine
    if _engine is not None:
        _engine.dispose()
        _engine = None


# --- work that must happen at commit time ----------------------------------------------------
#
# Some writes take a lock that every writer needs: the feed counter (positions in commit order)
# and the access log's head (one hash chain). Whoever holds such a lock holds it until commit,
# so those writes are queued during the request and done here, as the very last statements
# before COMMIT: the lock is then held for a few statements, not for the whole request.
# Writers run in a fixed order (lowest first), so two transactions take the locks in one order.
#
# The writers are installed by the process at its start (app/models.py `install`, called by the
# app, the worker, the command line and the tests), not by importing a module. Queueing work for
# a writer that is not installed fails at once instead of losing it at commit.


@dataclass(frozen=True, slots=True)
class CommitWriter:
    order: int
    queue: str  # the name its work is queued under (`pending(session, queue)`)
    write: Callable[[Session], None]


_writers: dict[str, CommitWriter] = {}


def install_commit_writer(writer: CommitWriter) -> None:
    """Run `writer.write` in every session's commit, before the final flush. Installing the
    same writer again changes nothing."""
    _writers[writer.queue] = writer


PENDING_PREFIX = "pending:"


@event.listens_for(OrmSession, "before_commit")
def _run_writers(session: OrmSession) -> None:
    for writer in sorted(_writers.values(), key=lambda w: w.order):
        writer.write(session)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_pending(session: OrmSession, transaction: SessionTransaction) -> None:
    # A rolled-back (or committed) outer transaction leaves nothing queued for the next one.
    if transaction.parent is None:
        for key in [k for k in session.info if str(k).startswith(PENDING_PREFIX)]:
            del session.info[key]


def pending(session: Session, queue: str) -> list[Any]:
    """The work queued under `queue` that this session's commit will do."""
    if queue not in _writers:
        raise RuntimeError(
            f"nothing writes the '{queue}' queue at commit: call app.models.install() where "
            "the process starts"
        )
    items: list[Any] = session.info.setdefault(PENDING_PREFIX + queue, [])
    return items


def end_session(session: Session, *, commit: bool) -> None:
    """End a request's transaction: commit when the endpoint succeeded, roll back otherwise,
    then give the connection back. The one place a request's transaction ends."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# --- failures of the database itself ---------------------------------------------------------


class Failure(StrEnum):
    """What a database error means for the request that met it."""

    conflict = "conflict"  # deadlock or serialization failure: run the transaction again
    unavailable = "unavailable"  # no connection: the server is down, restarting or unreachable
    busy = "busy"  # no free connection in time, or SQLite's write lock
    other = "other"  # a bug or a broken invariant: 500


# SQLSTATE classes (PostgreSQL appendix A): 40001 serialization_failure, 40P01 deadlock_detected;
# 08 connection exceptions; 57P01-57P03 admin/crash shutdown and "cannot connect now" (starting).
_CONFLICT = frozenset({"40001", "40P01"})
_UNAVAILABLE_PREFIXES = ("08", "57P")
# SQLite error names for a database file that cannot be opened or read at all.
_SQLITE_UNAVAILABLE = frozenset({"SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_NOTADB"})


def classify_failure(exc: BaseException) -> Failure:
    if isinstance(exc, sa_exc.TimeoutError):
        return Failure.busy
    if not isinstance(exc, sa_exc.DBAPIError):
        return Failure.other
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _CONFLICT:
        return Failure.conflict
    if exc.connection_invalidated or (sqlstate or "").startswith(_UNAVAILABLE_PREFIXES):
        return Failure.unavailable
    sqlite_name = getattr(orig, "sqlite_errorname", None)
    if sqlite_name is not None:
        if sqlite_name in {"SQLITE_BUSY", "SQLITE_LOCKED"}:
            return Failure.busy
        return Failure.unavailable if sqlite_name in _SQLITE_UNAVAILABLE else Failure.other
    # psycopg gives no SQLSTATE when there is no server to give one: the connection could not
    # be made (refused, timed out, name unknown) or was lost mid-statement.
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and sqlstate is None:
        return Failure.unavailable
    return Failure.other


class _Outage:
    def __init__(self) -> None:
        self.since: float | None = None
        self.lock = threading.Lock()


_outage = _Outage()
_log = logging.getLogger(__name__)


def outage_began(exc: BaseException) -> None:
    """Log a lost database once per outage, not once per request (with no traceback: the
    cause is outside this process)."""
    with _outage.lock:
        if _outage.since is not None:
            return
        _outage.since = time.monotonic()
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
    _log.error("database unreachable, answering 503 until it is back: %s", reason)


def outage_ongoing() -> bool:
    return _outage.since is not None


@event.listens_for(OrmSession, "after_commit")
def _back(session: OrmSession) -> None:
    # A commit that went through is the proof the database is back (a request's, or a job's).
    if _outage.since is not None:
        outage_ended()


def outage_ended() -> None:
    with _outage.lock:
        since, _outage.since = _outage.since, None
    if since is not None:
        _log.warning("database reachable again after %.0f s", time.monotonic() - since)


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "sqlite"
