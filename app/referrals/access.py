"""Who may see and change a referral: the organisation it was sent to and the front office;
for anyone else it does not exist (404). Locking for a change, and the ETag check."""

import uuid

from sqlmodel import Session, select

from app.auth.principal import Principal
from app.consent.service import in_force
from app.core.errors import Conflict, NotFound, PreconditionFailed
from app.intakes import service as intakes
from app.intakes.models import Intake
from app.referrals.models import Referral
from app.referrals.states import FINAL, ReferralStatus, next_statuses


class ReferralNotFound(NotFound):
    title = "Referral not found"
    slug = "referral-not-found"


class EtagMismatch(PreconditionFailed):
    title = "Referral changed meanwhile"
    slug = "etag-mismatch"


class ConsentWithdrawn(Conflict):
    title = "Consent withdrawn"
    slug = "consent-withdrawn"


def visible_to(referral: Referral, principal: Principal) -> bool:
    return principal.is_frontoffice or referral.organisation_id == principal.organisation_id


def not_found(referral_id: uuid.UUID) -> ReferralNotFound:
    # Another organisation's referral is "not found": its existence is not ours to tell.
    return ReferralNotFound(f"No referral with id {referral_id}.")


def allowed_for(referral: Referral, principal: Principal) -> list[ReferralStatus]:
    return next_statuses(
        ReferralStatus(referral.status),
        is_owner=referral.organisation_id == principal.organisation_id,
        is_frontoffice=principal.is_frontoffice,
    )


def can_forward(referral: Referral, intake: Intake, principal: Principal) -> bool:
    """Whether `forward` would accept this referral from this caller now (for offering it).
    Who may forward is who may see it (`visible_to`), which fetching it checked already."""
    return (
        visible_to(referral, principal)
        and ReferralStatus(referral.status) not in FINAL
        and in_force(intake)
    )


def etag(referral: Referral) -> str:
    return f'"{referral.version}"'


def check_if_match(referral: Referral, if_match: str | None) -> None:
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


def lock(session: Session, referral_id: uuid.UUID, principal: Principal) -> tuple[Referral, Intake]:
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
        raise not_found(referral_id)
    intake = intakes.locked(session, referral.intake_id)
    assert intake is not None  # foreign key
    return referral, intake
