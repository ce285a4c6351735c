"""Referrals: creation from routing, the partner feed, status changes, forwarding, history."""

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.classification.schemas import Domain
from app.consent import service as consents
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from app.core.types import utcnow
from app.intakes.models import Intake
from app.organisations.models import Organisation, OrganisationType
from app.outbox import service as outbox
from app.outbox.service import EventType
from app.referrals import feed
from app.referrals.models import Referral, ReferralEvent
from app.referrals.states import FINAL, Outcome, ReferralStatus, any_next, next_statuses
from app.routing.schemas import RoutedBy
from app.routing.service import RouteDecision
from app.sla import service as sla
from app.stats import facts

MAX_PAGE = 500


class ReferralNotFound(NotFound):
    title = "Referral not found"
    slug = "referral-not-found"


class IllegalTransition(Conflict):
    title = "Illegal status change"
    slug = "illegal-transition"


class EtagMismatch(PreconditionFailed):
    title = "Referral changed meanwhile"
    slug = "etag-mismatch"


class ConsentWithdrawn(Conflict):
    title = "Consent withdrawn"
    slug = "consent-withdrawn"


class InvalidCursor(InvalidInput):
    title = "Invalid cursor"
    slug = "invalid-cursor"


def etag(referral: Referral) -> str:
    return f'"{referral.version}"'


def visible_to(referral: Referral, principal: Principal) -> bool:
    return principal.is_frontoffice or referral.organisation_id == principal.organisation_id


def can_forward(referral: Referral, intake: Intake, principal: Principal) -> bool:
    """Whether `forward` would accept this referral from this caller now (for offering it).
    Who may forward is who may see it (`visible_to`), which fetching it checked already."""
    return (
        visible_to(referral, principal)
        and ReferralStatus(referral.status) not in FINAL
        and consents.in_force(intake)
    )


def allowed_for(referral: Referral, principal: Principal) -> list[ReferralStatus]:
    return next_statuses(
        ReferralStatus(referral.status),
        is_owner=referral.organisation_id == principal.organisation_id,
        is_frontoffice=principal.is_frontoffice,
    )


# --- creation --------------------------------------------------------------------------------


def create_for_intake(
    *,
    session: Session,
    intake: Intake,
    decisions: Sequence[RouteDecision],
    actor: Principal,
    note: str | None = None,
) -> list[Referral]:
    """One referral per routed domain; their feed positions are given at commit."""
    pairs: list[tuple[Referral, ReferralEvent]] = []
    now = utcnow()
    for d in decisions:
        due = sla.deadlines(session=session, domain=d.domain, urgent=intake.urgent, start=now)
        referral = Referral(
            intake_id=intake.id,
            organisation_id=d.organisation_id,
            domain=str(d.domain),
            status=ReferralStatus.requested,
            routed_by=d.routed_by,
            urgent=intake.urgent,
            due_at=due.accept_by,
            complete_due_at=due.complete_by,
            created_at=now,
            updated_at=now,
            subcategory=facts.top_subcategory(intake.classification, str(d.domain)),
            channel=intake.channel,
            area_id=intake.area_id,
            created_month=facts.month_of(now),
            created_week=facts.week_of(now),
        )
        event = ReferralEvent(
            referral_id=referral.id,
            to_status=ReferralStatus.requested,
            actor_organisation_id=actor.organisation_id,
            note=note or f"routed by {d.routed_by}",
        )
        session.add(referral)
        session.add(event)
        pairs.append((referral, event))
    if pairs:
        _stamp(session, pairs)  # flushes: the referrals exist before events point at them
    for referral, _ in pairs:
        _announce_created(session, referral)
    return [referral for referral, _ in pairs]


def _announce_created(session: Session, referral: Referral) -> None:
    outbox.emit(
        session=session,
        type=EventType.referral_created,
        organisation_id=referral.organisation_id,
        referral_id=referral.id,
        intake_id=referral.intake_id,
        data={
            "status": referral.status,
            "domain": referral.domain,
            "urgent": referral.urgent,
            "due_at": referral.due_at.isoformat() if referral.due_at else None,
            "routed_by": referral.routed_by,
            "forwarded_from_id": str(referral.forwarded_from_id)
            if referral.forwarded_from_id
            else None,
        },
    )


def _announce_status(session: Session, referral: Referral, previous: str) -> None:
    outbox.emit(
        session=session,
        type=EventType.referral_status_changed,
        organisation_id=referral.organisation_id,
        referral_id=referral.id,
        intake_id=referral.intake_id,
        data={"previous_status": previous, "status": referral.status, "outcome": referral.outcome},
    )


# --- reading ---------------------------------------------------------------------------------


def get(*, session: Session, referral_id: uuid.UUID, principal: Principal) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None or not visible_to(referral, principal):
        # Another organisation's referral is "not found": its existence is not ours to tell.
        raise ReferralNotFound(f"No referral with id {referral_id}.")
    return referral


def _log(
    session: Session,
    principal: Principal,
    action: audit.Action,
    purpose: audit.Purpose,
    referrals: Sequence[Referral],
) -> None:
    """Referrals show the resident's question (and contact details, with consent): every
    read or change goes in the access log. The entry joins the log at commit."""
    audit.record(
        session=session,
        principal=principal,
        action=action,
        purpose=purpose,
        object_type="referral",
        object_ids=[r.id for r in referrals],
        intake_ids=[r.intake_id for r in referrals],
    )


def get_with_intake(
    *, session: Session, referral_id: uuid.UUID, principal: Principal
) -> tuple[Referral, Intake]:
    referral = get(session=session, referral_id=referral_id, principal=principal)
    intake = session.get(Intake, referral.intake_id)
    assert intake is not None  # foreign key
    _log(session, principal, audit.Action.read, audit.Purpose.referral, [referral])
    return referral, intake


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"s{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("s"):
            raise ValueError(raw)
        position = int(raw[1:])
        if not 0 <= position < 2**63:  # a BIGINT
            raise ValueError(raw)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidCursor(
            "The cursor is not one this API handed out; use next_cursor from a previous page, "
            "or leave it out to start from the beginning."
        ) from exc
    return position


@dataclass(frozen=True, slots=True)
class FeedPage:
    rows: list[tuple[Referral, Intake]]
    next_cursor: str
    has_more: bool


def feed_page(
    *,
    session: Session,
    principal: Principal,
    cursor: str | None,
    limit: int,
    status: ReferralStatus | None = None,
    overdue: bool | None = None,
) -> FeedPage:
    """The caller's referrals created or changed after the cursor, oldest change first.

    A referral appears once per poll with its current state; changes between two polls fold into
    that one appearance. One query, whatever the page size.
    """
    after = decode_cursor(cursor)
    stmt = (
        select(Referral, Intake)
        .join(Intake, col(Intake.id) == col(Referral.intake_id))
        .where(col(Referral.feed_seq) > after)
        .order_by(col(Referral.feed_seq))
        .limit(limit)
    )
    # Everyone's feed, the front office's too, holds only their own referrals; the front office
    # can open any referral by id (to follow up or cancel), which it finds through its intakes.
    stmt = stmt.where(Referral.organisation_id == principal.organisation_id)
    if status is not None:
        stmt = stmt.where(Referral.status == str(status))
    if overdue is not None:
        condition = sla.overdue_condition(utcnow())
        stmt = stmt.where(condition if overdue else ~condition)
    rows = [(r, i) for r, i in session.exec(stmt).all()]
    _log(session, principal, audit.Action.read, audit.Purpose.feed, [r for r, _ in rows])
    last = (rows[-1][0].feed_seq or after) if rows else after
    return FeedPage(rows=rows, next_cursor=encode_cursor(last), has_more=len(rows) == limit)


def inbox(
    *,
    session: Session,
    principal: Principal,
    status: ReferralStatus | None = None,
    open_only: bool = False,
    overdue: bool | None = None,
    limit: int = MAX_PAGE,
) -> list[tuple[Referral, Intake]]:
    """The caller's own referrals, most urgent work first (the staff pages' inbox): open ones
    by deadline, then the rest, newest first. Logged as a read, as a feed page is."""
    stmt = (
        select(Referral, Intake)
        .join(Intake, col(Intake.id) == col(Referral.intake_id))
        .where(Referral.organisation_id == principal.organisation_id)
        .order_by(
            col(Referral.closed_at).is_not(None),
            col(Referral.due_at),
            col(Referral.created_at).desc(),
        )
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(Referral.status == str(status))
    if open_only:
        stmt = stmt.where(col(Referral.status).not_in([str(s) for s in FINAL]))
    if overdue is not None:
        condition = sla.overdue_condition(utcnow())
        stmt = stmt.where(condition if overdue else ~condition)
    rows = [(r, i) for r, i in session.exec(stmt).all()]
    _log(session, principal, audit.Action.read, audit.Purpose.referral, [r for r, _ in rows])
    return rows


def history(
    *, session: Session, referral_id: uuid.UUID, principal: Principal, log_read: bool = True
) -> list[tuple[ReferralEvent, str]]:
    """The referral's events, oldest first. `log_read=False` for a caller that logged its read
    of this referral in the same request already (a page showing referral and history)."""
    referral = get(session=session, referral_id=referral_id, principal=principal)
    stmt = (
        select(ReferralEvent, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(ReferralEvent.actor_organisation_id))
        .where(ReferralEvent.referral_id == referral_id)
        .order_by(col(ReferralEvent.feed_seq), col(ReferralEvent.created_at))
    )
    rows = [(event, name) for event, name in session.exec(stmt).all()]
    # The notes are free text about the resident ("not at home, the neighbour says ..").
    if log_read:
        _log(session, principal, audit.Action.read, audit.Purpose.referral, [referral])
    return rows


# --- changes ---------------------------------------------------------------------------------


def _lock(session: Session, referral_id: uuid.UUID, principal: Principal) -> Referral:
    """Lock a referral and then its intake, before anything is written.

    One order everywhere: referral(s), then their intake. The intake is locked at once because
    every change writes rows that point at it (events, outbox), and each such insert takes a
    key-share lock on the intake row; two partners of one intake that both held that weak lock
    and then asked for the intake would wait for each other (a deadlock). FOR NO KEY UPDATE is
    what updating an intake needs, and it does not wait for anyone's key-share lock.
    """
    # FOR UPDATE: two partners clicking at once are served one after the other (PostgreSQL).
    referral = session.exec(
        select(Referral)
        .where(Referral.id == referral_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if referral is None or not visible_to(referral, principal):
        raise ReferralNotFound(f"No referral with id {referral_id}.")
    lock_intake(session, referral.intake_id)
    return referral


def lock_intake(session: Session, intake_id: uuid.UUID) -> Intake | None:
    """The intake row, locked for an update that leaves its key alone (see `_lock`)."""
    return session.exec(
        select(Intake)
        .where(Intake.id == intake_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).first()


def _check_if_match(referral: Referral, if_match: str | None) -> None:
    if if_match is None:
        return
    # Strong comparison (RFC 9110): a weak tag W/"..." never matches.
    tags = {t.strip() for t in if_match.split(",")}
    if "*" not in tags and etag(referral) not in tags:
        raise EtagMismatch(
            f"The referral is at version {referral.version} (ETag {etag(referral)}), not "
            f"{if_match}. Fetch it again and retry.",
            current_etag=etag(referral),
        )


def cancel_for_correction(
    *, session: Session, principal: Principal, referral: Referral, note: str
) -> None:
    """A staff correction removed this referral's domain before the partner picked it up."""
    previous = referral.status
    event = _record(session, referral, to=ReferralStatus.cancelled, actor=principal, note=note)
    _announce_status(session, referral, previous)
    _stamp(session, [(referral, event)])


def refresh_intake(session: Session, intake_id: uuid.UUID) -> None:
    _refresh_intake(session, intake_id)


def _refresh_intake(session: Session, intake_id: uuid.UUID) -> None:
    """Open while any referral is open; closed once every one is final."""
    # Locked (callers hold the lock already): two referrals of one intake closing at once must
    # not both see the other still open.
    intake = lock_intake(session, intake_id)
    assert intake is not None  # foreign key
    statuses = session.exec(select(Referral.status).where(Referral.intake_id == intake_id)).all()
    if not statuses or intake.status not in {"open", "closed"}:
        return
    all_final = all(ReferralStatus(s) in FINAL for s in statuses)
    now = utcnow()
    if all_final and intake.status != "closed":
        intake.status, intake.closed_at = "closed", now
        outbox.emit(
            session=session,
            type=EventType.intake_closed,
            organisation_id=intake.organisation_id,
            intake_id=intake.id,
            data={"status": "closed", "closed_at": now.isoformat()},
        )
    elif not all_final and intake.status != "open":
        intake.status, intake.closed_at = "open", None
    intake.updated_at = now
    session.add(intake)


def _record(
    session: Session,
    referral: Referral,
    *,
    to: ReferralStatus,
    actor: Principal,
    note: str | None,
    outcome: Outcome | None = None,
) -> ReferralEvent:
    event = ReferralEvent(
        referral_id=referral.id,
        from_status=referral.status,
        to_status=to,
        actor_organisation_id=actor.organisation_id,
        note=note,
        outcome=outcome,
    )
    session.add(event)
    now = utcnow()
    referral.status = to
    referral.version += 1
    referral.updated_at = now
    if to in FINAL:
        referral.closed_at = now
    if to == ReferralStatus.accepted and referral.accepted_at is None:
        referral.accepted_at = now
    session.add(referral)
    return event


def _stamp(session: Session, pairs: Sequence[tuple[Referral, ReferralEvent]]) -> None:
    """Queue each changed referral (and its event) for its feed position, given at commit."""
    session.flush()  # the rows exist now; only their position waits
    feed.stamp_at_commit(session=session, pairs=pairs)


def change_status(
    *,
    session: Session,
    principal: Principal,
    referral_id: uuid.UUID,
    status: ReferralStatus,
    note: str | None = None,
    outcome: Outcome | None = None,
    if_match: str | None = None,
) -> Referral:
    referral = _lock(session, referral_id, principal)
    _check_if_match(referral, if_match)
    current = ReferralStatus(referral.status)
    mine = allowed_for(referral, principal)
    if status not in mine:
        if status in any_next(current):
            who = (
                "the front office"
                if status == ReferralStatus.cancelled
                else ("the organisation the referral was sent to")
            )
            raise Forbidden(f"Only {who} may set '{status}' on this referral.")
        allowed = ", ".join(mine) if mine else "none (the referral is final)"
        raise IllegalTransition(
            f"A referral cannot go from '{current}' to '{status}'. Allowed next: {allowed}.",
            current_status=str(current),
            allowed_next_statuses=[str(s) for s in mine],
        )
    if status == ReferralStatus.completed and outcome is None:
        raise InvalidInput("Status 'completed' needs an outcome code.")
    referral.outcome = outcome if status == ReferralStatus.completed else referral.outcome
    event = _record(session, referral, to=status, actor=principal, note=note, outcome=outcome)
    _announce_status(session, referral, str(current))
    _refresh_intake(session, referral.intake_id)
    _stamp(session, [(referral, event)])
    _log(session, principal, audit.Action.update, audit.Purpose.referral, [referral])
    return referral


def forward(
    *,
    session: Session,
    principal: Principal,
    referral_id: uuid.UUID,
    organisation_id: uuid.UUID,
    reason: str,
    if_match: str | None = None,
) -> tuple[Referral, Referral]:
    """Hand a referral to another organisation: the old one ends as `forwarded`, a new one
    (linked both ways) starts as `requested` at the other organisation."""
    # _lock answers 404 to anyone but the organisation it was sent to and the front office:
    # exactly who may forward it.
    referral = _lock(session, referral_id, principal)
    _check_if_match(referral, if_match)
    if ReferralStatus(referral.status) in FINAL:
        raise IllegalTransition(
            f"The referral is '{referral.status}', which is final; it cannot be forwarded.",
            current_status=referral.status,
            allowed_next_statuses=[],
        )
    intake = session.get(Intake, referral.intake_id)
    if intake is None or not consents.in_force(intake):
        raise ConsentWithdrawn(
            "The resident withdrew consent: this referral cannot go to another organisation. "
            "Finish it, or ask the front office to cancel it."
        )
    target = session.get(Organisation, organisation_id)
    if target is None or not target.active:
        raise InvalidInput(f"No active organisation with id {organisation_id}.")
    if target.id == referral.organisation_id:
        raise InvalidInput("The referral is already with that organisation.")
    if target.type == OrganisationType.frontoffice:
        raise InvalidInput("Forward to a partner organisation; the front office cancels instead.")

    now = utcnow()
    new = Referral(
        intake_id=referral.intake_id,
        organisation_id=target.id,
        domain=referral.domain,
        status=ReferralStatus.requested,
        routed_by=RoutedBy.forwarded,
        forwarded_from_id=referral.id,
        urgent=referral.urgent,
        created_at=now,
        updated_at=now,
        subcategory=referral.subcategory,
        channel=referral.channel,
        area_id=referral.area_id,
        created_month=facts.month_of(now),
        created_week=facts.week_of(now),
    )
    due = sla.deadlines(
        session=session, domain=Domain(referral.domain), urgent=referral.urgent, start=now
    )
    new.due_at, new.complete_due_at = due.accept_by, due.complete_by
    session.add(new)
    session.flush()  # the new row must exist before the old one points at it
    referral.forwarded_to_id = new.id
    old_event = _record(
        session, referral, to=ReferralStatus.forwarded, actor=principal, note=reason
    )
    new_event = ReferralEvent(
        referral_id=new.id,
        to_status=ReferralStatus.requested,
        actor_organisation_id=principal.organisation_id,
        note=f"forwarded by {principal.organisation_name}: {reason}",
    )
    session.add(new_event)
    outbox.emit(
        session=session,
        type=EventType.referral_forwarded,
        organisation_id=referral.organisation_id,
        referral_id=referral.id,
        intake_id=referral.intake_id,
        data={
            "status": ReferralStatus.forwarded,
            "forwarded_to_id": str(new.id),
            "to_organisation_id": str(target.id),
        },
    )
    _announce_created(session, new)
    _refresh_intake(session, referral.intake_id)
    _stamp(session, [(referral, old_event), (new, new_event)])
    _log(session, principal, audit.Action.update, audit.Purpose.referral, [referral, new])
    return referral, new
