"""The referral life cycle, in the FHIR Task vocabulary."""

from enum import StrEnum


class ReferralStatus(StrEnum):
    requested = "requested"
    received = "received"
    accepted = "accepted"
    rejected = "rejected"
    in_progress = "in_progress"
    on_hold = "on_hold"
    completed = "completed"
    cancelled = "cancelled"
    forwarded = "forwarded"


class Outcome(StrEnum):
    geholpen = "geholpen"
    doorverwezen = "doorverwezen"
    geen_hulp_nodig = "geen_hulp_nodig"
    niet_bereikbaar = "niet_bereikbaar"
    wachtlijst = "wachtlijst"


S = ReferralStatus
FINAL: frozenset[ReferralStatus] = frozenset({S.rejected, S.completed, S.cancelled, S.forwarded})
OPEN: frozenset[ReferralStatus] = frozenset(set(S) - FINAL)

# What the receiving organisation may do next. Cancelling is the front office's; forwarding has
# its own endpoint.
PARTNER_NEXT: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    S.requested: frozenset({S.received}),
    S.received: frozenset({S.accepted, S.rejected}),
    S.accepted: frozenset({S.in_progress}),
    S.in_progress: frozenset({S.on_hold, S.completed}),
    S.on_hold: frozenset({S.in_progress}),
}


def next_statuses(
    current: ReferralStatus, *, is_owner: bool, is_frontoffice: bool
) -> list[ReferralStatus]:
    """The statuses this caller may set now, in life-cycle order."""
    allowed: set[ReferralStatus] = set()
    if is_owner:
        allowed |= PARTNER_NEXT.get(current, frozenset())
    if is_frontoffice and current in OPEN:
        allowed.add(S.cancelled)
    return sorted(allowed, key=_ORDER.__getitem__)


# Iterating an Enum is slow; a feed page asks this a hundred times.
_ORDER = {s: i for i, s in enumerate(S)}


def any_next(current: ReferralStatus) -> frozenset[ReferralStatus]:
    """Legal next statuses for anyone at all (to tell 'illegal' from 'not yours to set')."""
    legal = set(PARTNER_NEXT.get(current, frozenset()))
    if current in OPEN:
        legal.add(S.cancelled)
    return frozenset(legal)


# The stages a deadline applies to: waiting to be picked up (accept by `due_at`) and being
# worked on (complete by `complete_due_at`).
WAITING: frozenset[ReferralStatus] = frozenset({S.requested, S.received})
WORKING: frozenset[ReferralStatus] = frozenset({S.accepted, S.in_progress, S.on_hold})
