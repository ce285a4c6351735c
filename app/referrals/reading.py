"""Reading one referral and its history. Referrals show the resident's question (and contact
details, with consent): every read goes in the access log."""

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.intakes.models import Intake
from app.organisations.models import Organisation
from app.referrals.access import not_found, visible_to
from app.referrals.models import Referral, ReferralEvent


def log(
    session: Session,
    principal: Principal,
    action: audit.Action,
    purpose: audit.Purpose,
    referrals: Sequence[Referral],
) -> None:
    """Put a read or change of these referrals in the access log; the entry joins the log at
    commit."""
    audit.record(
        session=session,
        principal=principal,
        action=action,
        purpose=purpose,
        object_type="referral",
        object_ids=[r.id for r in referrals],
        intake_ids=[r.intake_id for r in referrals],
    )


def get(*, session: Session, referral_id: uuid.UUID, principal: Principal) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None or not visible_to(referral, principal):
        raise not_found(referral_id)
    return referral


def intake_of(session: Session, referral: Referral) -> Intake:
    """The referral's intake, for a caller that logged its access already."""
    intake = session.get(Intake, referral.intake_id)
    assert intake is not None  # foreign key
    return intake


def get_with_intake(
    *, session: Session, referral_id: uuid.UUID, principal: Principal
) -> tuple[Referral, Intake]:
    referral = get(session=session, referral_id=referral_id, principal=principal)
    intake = intake_of(session, referral)
    log(session, principal, audit.Action.read, audit.Purpose.referral, [referral])
    return referral, intake


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
        log(session, principal, audit.Action.read, audit.Purpose.referral, [referral])
    return rows
