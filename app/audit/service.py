"""The access log: record every read or change of personal data, and check the chain."""

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import String, cast, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit.models import GENESIS, AuditEntry, AuditHead
from app.auth.principal import Principal
from app.core import database
from app.core.types import utcnow

MAX_PAGE = 500


class Action(StrEnum):
    create = "create"
    read = "read"
    update = "update"
    erase = "erase"


class Purpose(StrEnum):
    """Why personal data was touched; named by what the caller was doing."""

    intake = "registering a question (intake)"
    referral = "handling a referral"
    feed = "receiving referrals (feed)"
    correction = "correcting an intake's domains"
    erasure = "erasure request of the resident"
    retention = "retention period over"
    consent = "recording the resident's consent"
    training = "exporting corrections as classifier training data"
    review = "reviewing intakes that need a look (front office)"


def _hash(entry: AuditEntry) -> str:
    canonical = json.dumps(entry.content(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _head(session: Session) -> AuditHead:
    """The chain's head, locked until commit. Made again if someone emptied the table (two
    processes may race to do so; the loser uses the winner's row)."""
    # populate_existing: a session that appended before may hold an outdated copy.
    locked = (
        select(AuditHead)
        .where(col(AuditHead.id) == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.exec(locked).first()
    if head is None:
        try:
            with session.begin_nested():
                session.add(AuditHead(id=1))
        except IntegrityError:
            pass
        head = session.exec(locked).one()
    return head


def record(
    *,
    session: Session,
    principal: Principal | None,
    action: Action,
    purpose: Purpose,
    object_type: str,
    object_ids: Iterable[uuid.UUID],
    intake_ids: Iterable[uuid.UUID],
) -> None:
    """Log one read or change. The entry joins the chain when the session commits (so the
    chain's head is locked only for the last statements), and only if it commits: a request
    that fails stores neither its change nor its log entry."""
    objects = sorted({str(i) for i in object_ids})
    intakes = sorted({str(i) for i in intake_ids})
    if not objects and not intakes:
        return  # nothing personal was touched (an empty feed page)
    entry = AuditEntry(
        at=utcnow(),
        organisation_id=principal.organisation_id if principal else None,
        api_key_id=principal.key_id if principal else None,
        actor=principal.actor if principal else None,
        action=action,
        purpose=purpose,
        object_type=object_type,
        object_ids=objects,
        intake_ids=intakes,
        prev_hash="",
        hash="",
    )
    database.pending(session, _QUEUE).append(entry)


def record_intakes(
    *,
    session: Session,
    principal: Principal | None,
    action: Action,
    purpose: Purpose,
    intake_ids: Iterable[uuid.UUID],
) -> None:
    """Log a read or change of intakes themselves (the objects are the intakes)."""
    ids = list(intake_ids)
    record(
        session=session,
        principal=principal,
        action=action,
        purpose=purpose,
        object_type="intake",
        object_ids=ids,
        intake_ids=ids,
    )


_QUEUE = "access-log"


# PostgreSQL: reserve the ids and read the previous hash in one statement, then write the
# entries and the new head in one more: two round trips under the head's lock instead of three.
_RESERVE_SQL = text(
    "UPDATE audit_head SET last_id = last_id + :count WHERE id = 1 RETURNING last_id, hash"
)


def _append(session: Session) -> None:
    """Chain the queued entries onto the head, at commit."""
    queued = database.pending(session, _QUEUE)
    entries: list[AuditEntry] = list(queued)
    queued.clear()
    if not entries:
        return
    if not database.is_sqlite(session):
        reserved = session.execute(_RESERVE_SQL, {"count": len(entries)}).first()
        if reserved is not None:
            last_id, previous = reserved
            last_hash = _chain(entries, after_id=last_id - len(entries), previous=previous)
            written = insert(_LOG).values([_row(e) for e in entries]).cte("written")
            session.execute(
                update(_HEAD).where(_HEAD.c.id == 1).values(hash=last_hash).add_cte(written)
            )
            return
        # No head row yet: the general way below makes it.
    head = _head(session)
    head.hash = _chain(entries, after_id=head.last_id, previous=head.hash)
    head.last_id += len(entries)
    session.add_all([*entries, head])
    session.flush()


def _chain(entries: list[AuditEntry], *, after_id: int, previous: str) -> str:
    """Number the entries on from `after_id`, each linked to the hash before it; the last
    hash."""
    for n, entry in enumerate(entries, start=1):
        entry.id, entry.prev_hash = after_id + n, previous
        entry.hash = previous = _hash(entry)
    return previous


_LOG = AuditEntry.__table__  # type: ignore[attr-defined]
_HEAD = AuditHead.__table__  # type: ignore[attr-defined]


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {c.name: getattr(entry, c.name) for c in _LOG.columns}


# After the feed's positions (app/referrals/positions.py): one lock order for every writer.
COMMIT_WRITER = database.CommitWriter(order=20, queue=_QUEUE, write=_append)


def page(
    *,
    session: Session,
    principal: Principal,
    after: int,
    limit: int,
    intake_id: uuid.UUID | None,
) -> list[AuditEntry]:
    """Entries after an id, oldest first. The front office sees all; another admin sees what
    its own organisation did."""
    stmt = select(AuditEntry).where(col(AuditEntry.id) > after)
    if not principal.is_frontoffice:
        stmt = stmt.where(col(AuditEntry.organisation_id) == principal.organisation_id)
    if intake_id is not None:
        # The list is JSON; its text holds the id (a uuid cannot be part of another one).
        stmt = stmt.where(cast(col(AuditEntry.intake_ids), String).contains(str(intake_id)))
    return list(session.exec(stmt.order_by(col(AuditEntry.id)).limit(limit)).all())


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    broken_at: int | None
    reason: str | None
    head_hash: str | None = None  # store it elsewhere: then a rewritten chain shows too

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(*, session: Session, batch: int = 5000) -> Verification:
    """Walk the chain from the start: every entry's hash must match its content, link to the
    previous entry, and the ids run without gaps up to the head."""
    # The head first: entries appended while we walk are for the next check.
    head = session.get(AuditHead, 1)
    last = head.last_id if head is not None else 0
    if head is None and session.exec(select(AuditEntry.id).limit(1)).first() is not None:
        return Verification(0, 1, "the chain's head is missing")
    expected_prev, expected_id, count, after = GENESIS, 1, 0, 0
    while True:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.id) > after, col(AuditEntry.id) <= last)
            .order_by(col(AuditEntry.id))
            .limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.id != expected_id:
                return Verification(count, expected_id, "an entry is missing")
            if entry.prev_hash != expected_prev:
                return Verification(count, entry.id, "does not link to the entry before it")
            if _hash(entry) != entry.hash:
                return Verification(count, entry.id, "its content does not match its hash")
            expected_prev, expected_id, count = entry.hash, expected_id + 1, count + 1
            after = entry.id or after
    if head is not None and (head.last_id != count or head.hash != expected_prev):
        return Verification(count, count + 1, "entries at the end are missing")
    return Verification(count, None, None, expected_prev)
