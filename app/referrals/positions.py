"""The commit-order counter: feed positions that commit in the order they are handed out.

A plain database sequence is not enough for a poll-with-cursor feed: transaction A takes 10, B takes
11, B commits first, a poller reads 11 and moves its cursor past 10, and A's change is never seen.
Here the counter is one row that each writer updates; the row lock is held until the writer
commits, so the next number is only handed out after the previous one is visible. Writers queue
their rows during the request and take the numbers at commit (app/core/database.py, commit writers),
so the lock is held for a few statements, not for the whole request. On SQLite, writers are
serialised by the database anyway.
"""

from collections.abc import Sequence

from sqlalchemy import func, select, text, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from app.core import database
from app.referrals.models import FeedCounter, Referral, ReferralEvent

REFERRALS_FEED = "referrals"


def take(*, session: Session, count: int = 1, feed: str = REFERRALS_FEED) -> list[int]:
    """Reserve `count` consecutive positions; the caller must commit soon after."""
    stmt = (
        update(FeedCounter)
        .where(col(FeedCounter.name) == feed)
        .values(value=col(FeedCounter.value) + count)
        .returning(col(FeedCounter.value))
    )
    top = session.execute(stmt).scalar()
    if top is None:
        # First use (or a lost row): start after the highest position in use, so numbers never
        # collide and existing cursors keep working. Racing writers agree on one row.
        highest = select(func.coalesce(func.max(Referral.feed_seq), 0)).scalar_subquery()
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(FeedCounter).values(name=feed, value=highest).on_conflict_do_nothing()
        )
        top = session.execute(stmt).scalar_one()
    return list(range(top - count + 1, top + 1))


_QUEUE = "referral-feed"


def stamp_at_commit(*, session: Session, pairs: Sequence[tuple[Referral, ReferralEvent]]) -> None:
    """Give these (flushed) referrals and their events the next positions when the session
    commits."""
    database.pending(session, _QUEUE).extend(pairs)


# PostgreSQL: the counter, the referrals and their events in one statement, one round trip
# under the counter's lock instead of three.
_STAMP_SQL = text(
    """
    WITH counter AS (
        UPDATE feed_counters SET value = value + :count WHERE name = :feed RETURNING value
    ), stamped AS (
        UPDATE referrals SET feed_seq = counter.value - :count + v.n
        FROM counter, unnest(CAST(:referrals AS uuid[]), CAST(:ns AS bigint[])) AS v(id, n)
        WHERE referrals.id = v.id
    ), events AS (
        UPDATE referral_events SET feed_seq = counter.value - :count + v.n
        FROM counter, unnest(CAST(:events AS uuid[]), CAST(:ns AS bigint[])) AS v(id, n)
        WHERE referral_events.id = v.id
    )
    SELECT value FROM counter
    """
)


def _assign(session: Session) -> None:
    queued = database.pending(session, _QUEUE)
    # Rows that a rolled-back savepoint took away again get no position.
    pairs = [
        (referral, event)
        for referral, event in queued
        if sa_inspect(referral).persistent and sa_inspect(event).persistent
    ]
    queued.clear()
    if not pairs:
        return
    session.flush()
    if not database.is_sqlite(session):
        top = session.execute(
            _STAMP_SQL,
            {
                "count": len(pairs),
                "feed": REFERRALS_FEED,
                "referrals": [r.id for r, _ in pairs],
                "events": [e.id for _, e in pairs],
                "ns": list(range(1, len(pairs) + 1)),
            },
        ).scalar()
        if top is not None:
            for n, (referral, event) in enumerate(pairs, start=1):
                # What the statement wrote, without making the ORM write it again.
                set_committed_value(referral, "feed_seq", top - len(pairs) + n)
                set_committed_value(event, "feed_seq", top - len(pairs) + n)
            return
        # No counter row yet: the general way below makes it.
    with session.no_autoflush:
        positions = take(session=session, count=len(pairs))
    for (referral, event), position in zip(pairs, positions, strict=True):
        referral.feed_seq = position
        event.feed_seq = position
        session.add(referral)
        session.add(event)
    session.flush()


# First of the commit-time writers (the access log comes after): one lock order for all.
COMMIT_WRITER = database.CommitWriter(order=10, queue=_QUEUE, write=_assign)


def stamp(session: Session, pairs: Sequence[tuple[Referral, ReferralEvent]]) -> None:
    """Flush these changed referrals and their events, and queue them for their feed
    positions, given at commit."""
    session.flush()  # the rows exist now; only their position waits
    stamp_at_commit(session=session, pairs=pairs)
