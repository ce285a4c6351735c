"""Test set-up: a real database (SQLite file, or PostgreSQL via WIJKWINKEL_TEST_DATABASE_URL),
migrated with Alembic once per run and emptied after every test."""

import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

_tmp = tempfile.mkdtemp(prefix="wijkwinkel-test-")
TEST_DATABASE_URL = os.environ.get("WIJKWINKEL_TEST_DATABASE_URL") or (f"sqlite:///{_tmp}/test.db")
# Before any app import, so settings and the engine see it.
os.environ["WIJKWINKEL_DATABASE_URL"] = TEST_DATABASE_URL
os.environ.setdefault("WIJKWINKEL_LOG_LEVEL", "warning")
# Statistics read what was just written (in use they may be a minute old).
os.environ.setdefault("WIJKWINKEL_STATS_MAX_AGE_SECONDS", "0")
# A key for the BSN at rest, for the tests only.
os.environ.setdefault(
    "WIJKWINKEL_BSN_ENCRYPTION_KEYS", "qTnVOvjP7Tu64fzwgISA4PljPu3zUIvwgIb1hhSTY6c="
)
# The limiter stays on, but far above what any test sends; tests/core/test_rate_limit.py builds
# apps with low limits of its own.
os.environ.setdefault("WIJKWINKEL_RATE_LIMIT_PER_MINUTE", "1000000")
os.environ.setdefault("WIJKWINKEL_RATE_LIMIT_BURST", "100000")
os.environ.setdefault("WIJKWINKEL_AUTH_FAILURES_PER_MINUTE", "100000")
# Staff passwords: argon2id with the cheapest parameters, so the demo's six logins cost nothing.
os.environ.setdefault("WIJKWINKEL_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("WIJKWINKEL_PASSWORD_HASH_MEMORY_KIB", "256")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from app import models  # noqa: E402
from app.auth import api_keys  # noqa: E402
from app.auth.scopes import Scope  # noqa: E402
from app.core import migrate  # noqa: E402
from app.core.database import _sqlite_begin, get_engine, make_engine  # noqa: E402
from app.organisations import service as organisations  # noqa: E402
from app.organisations.models import Organisation, OrganisationType  # noqa: E402


def _reset_schema() -> None:
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade()


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[None]:
    models.install()
    _reset_schema()
    yield
    get_engine().dispose()


def _empty_tables() -> None:
    engine = get_engine()
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(autouse=True)
def _isolate() -> Iterator[None]:
    """Every test starts from an empty, migrated database, and leaves an access log whose
    hash chain is intact, whatever it did."""
    yield
    from app.audit import service as audit

    with Session(get_engine()) as s:
        result = audit.verify(session=s)
    _empty_tables()
    assert result.intact, f"access log chain broken at {result.broken_at}: {result.reason}"


@pytest.fixture(scope="session")
def _test_side_engine():  # type: ignore[no-untyped-def]
    """The tests' own engine. On SQLite its transactions begin deferred, so a test that reads
    while it also calls the API does not hold the write lock the app is waiting for."""
    engine = make_engine()
    if engine.dialect.name == "sqlite":
        event.remove(engine, "begin", _sqlite_begin)
    yield engine
    engine.dispose()


@pytest.fixture
def session(_test_side_engine) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    with Session(_test_side_engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client() -> Iterator[TestClient]:
    from app.main import app

    with TestClient(app) as c:
        yield c


@dataclass
class Party:
    """An organisation with an API key, as a test caller."""

    org: Organisation
    key: str

    @property
    def id(self) -> str:
        return str(self.org.id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


ALL_PARTNER_SCOPES = [
    Scope.intakes_write,
    Scope.intakes_read,
    Scope.referrals_read,
    Scope.referrals_write,
]


@pytest.fixture
def make_party():  # type: ignore[no-untyped-def]
    """Create an organisation of a type with a key carrying the given scopes."""
    counter = {"n": 0}

    def factory(
        type: OrganisationType = OrganisationType.corporatie,
        scopes: list[Scope] | None = None,
        name: str | None = None,
    ) -> Party:
        counter["n"] += 1
        with Session(get_engine(), expire_on_commit=False) as s:
            org = organisations.create(
                session=s, name=name or f"{type.value} {counter['n']}", type=type
            )
            _, plain = api_keys.create_key(
                session=s,
                organisation_id=org.id,
                name="test",
                scopes=scopes if scopes is not None else ALL_PARTNER_SCOPES,
            )
            s.commit()
        return Party(org=org, key=plain)

    return factory


@pytest.fixture
def frontoffice_admin(make_party) -> Party:  # type: ignore[no-untyped-def]
    return make_party(OrganisationType.frontoffice, scopes=list(Scope), name="Wijkwinkel Test")


@dataclass
class World:
    """The demo deployment: one organisation of each type, demo routing rules."""

    parties: dict[OrganisationType, Party]

    def __getattr__(self, name: str) -> Party:
        try:
            return self.parties[OrganisationType(name)]
        except (ValueError, KeyError) as exc:
            raise AttributeError(name) from exc


@pytest.fixture
def world() -> World:
    from app import demo

    with Session(get_engine(), expire_on_commit=False) as s:
        result = demo.seed(session=s)
        s.commit()
        parties = {}
        for entry in result["organisations"]:
            org = s.get(Organisation, uuid.UUID(entry["id"]))
            assert org is not None
            parties[OrganisationType(entry["type"])] = Party(org=org, key=entry["api_key"])
    return World(parties=parties)


@pytest.fixture
def live_server() -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, for real concurrency."""
    from app.main import app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
