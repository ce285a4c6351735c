"""The partner feed: an organisation's referrals created or changed after a cursor, in the
order the changes committed (positions: app/referrals/positions.py)."""

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.core.errors import InvalidInput
from app.core.types import utcnow
from app.intakes.models import Intake
from app.referrals.models import Referral
from app.referrals.overdue import overdue_condition
from app.referrals.reading import log
from app.referrals.states import ReferralStatus

MAX_PAGE = 500


class InvalidCursor(InvalidInput):
    title = "Invalid cursor"
    slug = "invalid-cursor"


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


def own_referrals(principal: Principal) -> Any:
    """The caller's own referrals with their intakes: what a feed page and an inbox list.
    Everyone's list, the front office's too, holds only their own referrals; the front office
    can open any referral by id (to follow up or cancel), which it finds through its intakes."""
    return (
        select(Referral, Intake)
        .join(Intake, col(Intake.id) == col(Referral.intake_id))
        .where(Referral.organisation_id == principal.organisation_id)
    )


def filtered(stmt: Any, *, status: ReferralStatus | None, overdue: bool | None) -> Any:
    """Only this status, and only past (True) or within (False) a deadline."""
    if status is not None:
        stmt = stmt.where(Referral.status == str(status))
    if overdue is not None:
        condition = overdue_condition(utcnow())
        stmt = stmt.where(condition if overdue else ~condition)
    return stmt


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
        own_referrals(principal)
        .where(col(Referral.feed_seq) > after)
        .order_by(col(Referral.feed_seq))
        .limit(limit)
    )
    stmt = filtered(stmt, status=status, overdue=overdue)
    rows = [(r, i) for r, i in session.exec(stmt).all()]
    log(session, principal, audit.Action.read, audit.Purpose.feed, [r for r, _ in rows])
    last = (rows[-1][0].feed_seq or after) if rows else after
    return FeedPage(rows=rows, next_cursor=encode_cursor(last), has_more=len(rows) == limit)
