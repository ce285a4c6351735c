"""The loop behind `wijkwinkel worker`: runs the jobs of schedule.py until stopped.

Each job fails on its own: a failing job is logged and tried again next round, the others go
on. While the database is away every job fails the same way; that is logged once per outage,
not once per job and second.
"""

import logging
import signal
import threading
import time

from app.core import database
from app.jobs.schedule import JOBS, Job

log = logging.getLogger(__name__)


def _run(job: Job) -> int:
    try:
        done = job.run()
    except Exception as exc:
        if database.classify_failure(exc) == database.Failure.unavailable:
            database.outage_began(exc)
        else:
            log.exception("job %s failed; it runs again next round", job.name)
        return 0
    return done


def run_once() -> int:
    """Every job that runs each round, once, and deliveries until none is due; returns how
    many deliveries were attempted (`wijkwinkel worker --once`)."""
    attempted = 0
    for job in JOBS:
        if job.every is not None:
            continue
        if job.name == "deliver":
            while sent := _run(job):
                attempted += sent
        else:
            _run(job)
    return attempted


def run(*, poll_seconds: float, stop: threading.Event | None = None) -> None:
    """Run the jobs until stopped (SIGTERM or SIGINT finish the current round first)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    log.info("worker started: %s", ", ".join(job.name for job in JOBS))
    next_run = {job.name: 0.0 for job in JOBS}
    while not stop.is_set():
        busy = False
        for job in JOBS:
            now = time.monotonic()
            if now < next_run[job.name]:
                continue
            if job.every is not None:
                next_run[job.name] = now + job.every.total_seconds()
            done = _run(job)
            # Work left over from an every-round job: go round again at once, not after a rest.
            busy = busy or (done > 0 and job.every is None)
        if not busy:
            stop.wait(poll_seconds)
    log.info("worker stopped")
