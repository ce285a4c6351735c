"""Every table model (so SQLModel.metadata is complete for Alembic and the tests), and
`install`: what any process that writes must set up before its first commit."""

from app.areas.models import Area, AreaPostcode
from app.audit.models import AuditEntry, AuditHead
from app.auth.models import ApiKey, StaffLogin, StaffUser
from app.consent.models import ConsentRecord
from app.core import database  # the naming convention every table uses
from app.intakes.models import DomainCorrection, Intake
from app.organisations.models import Organisation
from app.outbox.models import OutboxEvent
from app.referrals.models import FeedCounter, Referral, ReferralEvent
from app.routing.models import RoutingRule
from app.sla.models import SlaPolicy
from app.stats.models import UnreferredSignal
from app.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey",
    "Area",
    "AreaPostcode",
    "AuditEntry",
    "AuditHead",
    "ConsentRecord",
    "DomainCorrection",
    "FeedCounter",
    "Intake",
    "Organisation",
    "OutboxEvent",
    "Referral",
    "ReferralEvent",
    "RoutingRule",
    "SlaPolicy",
    "StaffLogin",
    "StaffUser",
    "UnreferredSignal",
    "WebhookDelivery",
    "WebhookSubscription",
]


def install() -> None:
    """Install the commit-time writers: feed positions, then the access log (in that order,
    so every transaction takes their locks alike). The app, the worker, the command line and
    the tests call this where they start; it may be called more than once."""
    from app.audit import service as access_log
    from app.referrals import positions

    database.install_commit_writer(positions.COMMIT_WRITER)
    database.install_commit_writer(access_log.COMMIT_WRITER)
