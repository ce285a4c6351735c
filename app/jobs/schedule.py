"""Every background job: its name, cadence, owner and what it does.

A job is one unit of work in its own transaction(s); it returns how much it did (0 when there
was nothing to do), so the runner knows when to rest. The rules a job applies live in its owner
package; this list only says when they run. A new job goes here and nowhere else.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app.core.config import get_settings
from app.core.database import get_engine
from app.referrals import overdue
from app.retention import service as retention
from app.stats import cube as stats_cube
from app.webhooks import delivery
from app.webhooks.fan_out import fan_out_pending


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    owner: str  # the package whose rules it runs
    every: timedelta | None  # None: every round (about once a second when idle)
    what: str
    run: Callable[[], int]


def _in_transaction(work: Callable[[Session], int]) -> Callable[[], int]:
    def run() -> int:
        with Session(get_engine()) as session:
            done = work(session)
            session.commit()
        return done

    return run


def _refresh_cube(session: Session) -> int:
    # Younger than requests accept (half their limit), so they rarely wait for it.
    max_age = timedelta(seconds=get_settings().stats_max_age_seconds / 2)
    return stats_cube.refresh(session, max_age=max_age)


JOBS: tuple[Job, ...] = (
    Job(
        name="overdue",
        owner="referrals",
        every=None,
        what="announce referral.overdue once for each referral past a deadline",
        run=_in_transaction(lambda s: overdue.announce_overdue(session=s)),
    ),
    Job(
        name="fan-out",
        owner="webhooks",
        every=None,
        what="turn committed outbox events into webhook deliveries",
        run=_in_transaction(lambda s: fan_out_pending(session=s)),
    ),
    Job(
        name="deliver",
        owner="webhooks",
        every=None,
        what="send due webhook deliveries (signed, retried on a schedule)",
        run=lambda: delivery.deliver_once(),
    ),
    Job(
        name="statistics",
        owner="stats",
        every=None,
        what="bring the statistics cube up to date when it is older than half its limit",
        run=_in_transaction(_refresh_cube),
    ),
    Job(
        name="retention",
        owner="retention",
        every=timedelta(days=1),
        what="anonymise closed intakes older than WIJKWINKEL_RETENTION_MONTHS",
        run=lambda: retention.purge_all().anonymised,
    ),
)
