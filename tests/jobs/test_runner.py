"""The worker's loop: every job runs each round (the daily one once a day), a failing job does
not stop the others, and a lost database is logged once, not once per job and round."""

import importlib
import logging
import threading
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from app.core import database
from app.jobs import runner
from app.jobs.schedule import JOBS, Job


def test_every_job_names_an_owner_package_and_says_what_it_does() -> None:
    names = [job.name for job in JOBS]
    assert len(names) == len(set(names))
    for job in JOBS:
        importlib.import_module(f"app.{job.owner}")  # the package whose rules it runs
        assert job.what
    assert {j.name for j in JOBS if j.every is None} >= {"overdue", "fan-out", "deliver"}
    assert [j.every for j in JOBS if j.name == "retention"] == [timedelta(days=1)]


def _lost() -> Exception:
    return sa_exc.OperationalError(
        "SELECT 1", {}, psycopg.OperationalError("connection failed: Connection refused")
    )


def test_a_lost_database_is_logged_once_and_a_bug_each_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []
    rounds = {"n": 0}
    stop = threading.Event()

    def away() -> int:
        ran.append("away")
        raise _lost()

    def broken() -> int:
        ran.append("broken")
        raise ValueError("a bug")

    def fine() -> int:
        ran.append("fine")
        rounds["n"] += 1
        if rounds["n"] == 3:
            stop.set()
        return 0

    monkeypatch.setattr(database, "_outage", database._Outage())
    monkeypatch.setattr(
        runner,
        "JOBS",
        (
            Job("away", "webhooks", None, "needs the database", away),
            Job("broken", "stats", None, "has a bug", broken),
            Job("fine", "referrals", None, "works", fine),
        ),
    )
    caplog.set_level(logging.INFO)
    runner.run(poll_seconds=0.01, stop=stop)
    assert ran == ["away", "broken", "fine"] * 3  # each failure left the others running
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert sum("database unreachable" in r.getMessage() for r in errors) == 1
    bugs = [r for r in errors if "job broken failed" in r.getMessage()]
    assert len(bugs) == 3
    assert all(r.exc_info for r in bugs)  # a bug keeps its traceback


def test_the_daily_job_runs_once_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    stop = threading.Event()

    def daily() -> int:
        ran.append("daily")
        return 1

    def each() -> int:
        ran.append("each")
        if ran.count("each") == 4:
            stop.set()
        return 0

    monkeypatch.setattr(
        runner,
        "JOBS",
        (
            Job("daily", "retention", timedelta(days=1), "once a day", daily),
            Job("each", "referrals", None, "every round", each),
        ),
    )
    runner.run(poll_seconds=0.01, stop=stop)
    assert ran.count("daily") == 1
    assert ran.count("each") == 4


def test_once_runs_each_round_job_and_delivers_until_nothing_is_due(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    left = {"deliveries": 5}
    ran: list[str] = []

    def deliver() -> int:
        sent = min(2, left["deliveries"])
        left["deliveries"] -= sent
        return sent

    monkeypatch.setattr(
        runner,
        "JOBS",
        (
            Job("fan-out", "webhooks", None, "", lambda: ran.append("fan-out") or 0),
            Job("deliver", "webhooks", None, "", deliver),
            Job("retention", "retention", timedelta(days=1), "", lambda: ran.append("r") or 0),
        ),
    )
    assert runner.run_once() == 5
    assert ran == ["fan-out"]  # the daily job is the worker's, not --once's
