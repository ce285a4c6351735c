"""Feed positions that commit in the order they are handed out.

A plain database sequence is not enough for a poll-with-cursor feed: transaction A takes 10, B takes
11, B commits first, a poller reads 11 and moves its cursor past 10, and A's change is never seen.
Here the counter is one row that each writer updates; the row lock is held until the writer
commits, so the next number is only handed out after the previous one is visible. Writers take it
as their last step, which keeps the time under the lock short. On SQLite, writers are serialised
by the database anyway.
"""

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.referrals.models import FeedCounter, Referral

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
