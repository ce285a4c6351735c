"""Imports every table model, so SQLModel.metadata is complete (Alembic, tests)."""

from app.areas.models import Area, AreaPostcode
from app.audit.models import AuditEntry, AuditHead
from app.auth.models import ApiKey, StaffLogin, StaffUser
from app.consent.models import ConsentRecord
from app.core import database  # noqa: F401  (sets the naming convention first)
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
