"""The access matrix: every operation in the OpenAPI document × every organisation type.

Each operation has a row in POLICY saying who may call it. A new operation without a row fails
the first test, so no endpoint is left out silently. Then, for every organisation type:
- no key → 401, a key without the operation's scope → 403, a partner calling what only the front
  office's admin may do → 403;
- another organisation's object (intake, referral, webhook subscription, API keys) → 404 (403
  for key management, whose organisations are public), with a body that would otherwise
  succeed, and the object is unchanged.
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from app.auth.scopes import Scope
from app.organisations.models import OrganisationType
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake

ANY = "any key"
PUBLIC = "public"


@dataclass(frozen=True)
class Rule:
    scope: Scope | str  # a scope, ANY or PUBLIC
    deployment_admin: bool = False  # only the front office (its admin, or with the scope)
    owned: str | None = None  # the path parameter naming another organisation's object
    foreign: int = 404  # what another organisation gets for that object
    frontoffice_sees_all: bool = False  # the desk may open any intake or referral by design
    body: dict[str, Any] | None = None  # a body that would succeed on one's own object


POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/health"): Rule(PUBLIC),
    ("GET", "/ready"): Rule(PUBLIC),
    ("GET", "/organisations"): Rule(ANY),
    ("POST", "/organisations"): Rule(Scope.admin, deployment_admin=True),
    ("GET", "/organisations/{organisation_id}"): Rule(ANY),
    ("PATCH", "/organisations/{organisation_id}"): Rule(Scope.admin, deployment_admin=True),
    ("GET", "/organisations/{organisation_id}/api-keys"): Rule(
        Scope.admin, owned="organisation_id", foreign=403, frontoffice_sees_all=True
    ),
    ("POST", "/organisations/{organisation_id}/api-keys"): Rule(
        Scope.admin,
        owned="organisation_id",
        foreign=403,
        frontoffice_sees_all=True,
        body={"name": "inbraak", "scopes": ["referrals:read"]},
    ),
    ("POST", "/organisations/{organisation_id}/api-keys/{key_id}/revoke"): Rule(
        Scope.admin, owned="organisation_id", foreign=403, frontoffice_sees_all=True
    ),
    ("POST", "/organisations/{organisation_id}/api-keys/{key_id}/rotate"): Rule(
        Scope.admin, owned="organisation_id", foreign=403, frontoffice_sees_all=True
    ),
    ("POST", "/classify"): Rule(Scope.intakes_write),
    ("POST", "/intakes"): Rule(Scope.intakes_write),
    ("GET", "/intakes/{intake_id}"): Rule(
        Scope.intakes_read, owned="intake_id", frontoffice_sees_all=True
    ),
    ("PUT", "/intakes/{intake_id}/domains"): Rule(
        Scope.intakes_write,
        owned="intake_id",
        frontoffice_sees_all=True,
        body={"domains": ["zorg"]},
    ),
    ("POST", "/intakes/{intake_id}/erasure"): Rule(Scope.admin, deployment_admin=True),
    ("POST", "/intakes/{intake_id}/consent/withdrawal"): Rule(
        Scope.intakes_write,
        owned="intake_id",
        frontoffice_sees_all=True,
        body={"method": "verbaal"},
    ),
    ("GET", "/referrals"): Rule(Scope.referrals_read),  # the caller's own feed
    ("GET", "/referrals/{referral_id}"): Rule(
        Scope.referrals_read, owned="referral_id", frontoffice_sees_all=True
    ),
    ("POST", "/referrals/{referral_id}/status"): Rule(
        Scope.referrals_write,
        owned="referral_id",
        frontoffice_sees_all=True,
        body={"status": "received"},
    ),
    ("POST", "/referrals/{referral_id}/forward"): Rule(
        Scope.referrals_write,
        owned="referral_id",
        frontoffice_sees_all=True,
        body={"organisation_id": "GEMEENTE", "reason": "niet voor ons"},
    ),
    ("GET", "/referrals/{referral_id}/history"): Rule(
        Scope.referrals_read, owned="referral_id", frontoffice_sees_all=True
    ),
    ("GET", "/routing-rules"): Rule(Scope.admin, deployment_admin=True),
    ("POST", "/routing-rules"): Rule(Scope.admin, deployment_admin=True),
    ("GET", "/routing-rules/{rule_id}"): Rule(Scope.admin, deployment_admin=True),
    ("PUT", "/routing-rules/{rule_id}"): Rule(Scope.admin, deployment_admin=True),
    ("DELETE", "/routing-rules/{rule_id}"): Rule(Scope.admin, deployment_admin=True),
    ("GET", "/sla-policies"): Rule(ANY),
    ("PUT", "/sla-policies/{domain}/{urgency}"): Rule(Scope.admin, deployment_admin=True),
    ("GET", "/areas"): Rule(ANY),
    ("POST", "/areas"): Rule(Scope.admin, deployment_admin=True),
    ("GET", "/areas/{area_id}"): Rule(ANY),
    ("PUT", "/areas/{area_id}"): Rule(Scope.admin, deployment_admin=True),
    ("DELETE", "/areas/{area_id}"): Rule(Scope.admin, deployment_admin=True),
    ("GET", "/stats/referrals"): Rule(Scope.stats_read),
    ("GET", "/audit"): Rule(Scope.admin),  # the front office all, others their own entries
    ("GET", "/webhook-subscriptions"): Rule(Scope.admin),  # the caller's own
    ("POST", "/webhook-subscriptions"): Rule(Scope.admin),
    ("GET", "/webhook-subscriptions/{subscription_id}"): Rule(Scope.admin, owned="subscription_id"),
    ("PATCH", "/webhook-subscriptions/{subscription_id}"): Rule(
        Scope.admin, owned="subscription_id", body={"enabled": False}
    ),
    ("DELETE", "/webhook-subscriptions/{subscription_id}"): Rule(
        Scope.admin, owned="subscription_id"
    ),
    ("POST", "/webhook-subscriptions/{subscription_id}/rotate-secret"): Rule(
        Scope.admin, owned="subscription_id"
    ),
    ("POST", "/webhook-subscriptions/{subscription_id}/ping"): Rule(
        Scope.admin, owned="subscription_id"
    ),
    ("GET", "/webhook-subscriptions/{subscription_id}/deliveries"): Rule(
        Scope.admin, owned="subscription_id"
    ),
    ("POST", "/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/replay"): Rule(
        Scope.admin, owned="subscription_id"
    ),
    # The front office's review (any front-office key with the scope; partners 403).
    ("GET", "/review-queue"): Rule(Scope.intakes_write, deployment_admin=True),
    ("POST", "/intakes/{intake_id}/urgent-acknowledgement"): Rule(
        Scope.intakes_write, deployment_admin=True
    ),
    ("POST", "/intakes/{intake_id}/review"): Rule(Scope.intakes_write, deployment_admin=True),
    ("POST", "/intakes/{intake_id}/closure"): Rule(Scope.intakes_write, deployment_admin=True),
    ("GET", "/classification/agreement"): Rule(Scope.admin, deployment_admin=True),
}


def operations() -> list[tuple[str, str]]:
    from app.main import app

    return [
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        for method in ops
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    ]


def test_every_operation_is_in_the_matrix():
    found = set(operations())
    missing = found - POLICY.keys()
    assert not missing, f"operations without an access rule: {sorted(missing)}"
    stale = POLICY.keys() - found
    assert not stale, f"rules for operations that no longer exist: {sorted(stale)}"


@pytest.fixture
def objects(client, world, monkeypatch):
    """Objects of other organisations, and harmless ids for the rest of each path."""
    from app.core.config import get_settings

    monkeypatch.setattr(get_settings(), "webhook_allow_private_targets", True)
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    sub = client.post(
        "/api/v1/webhook-subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "event_types": []},
        headers=world.corporatie.headers,
    ).json()
    client.post(f"/api/v1/webhook-subscriptions/{sub['id']}/ping", headers=world.corporatie.headers)
    deliveries = client.get(
        f"/api/v1/webhook-subscriptions/{sub['id']}/deliveries", headers=world.corporatie.headers
    ).json()["data"]
    keys = client.get(
        f"/api/v1/organisations/{world.corporatie.id}/api-keys",
        headers=world.corporatie.headers,
    ).json()["data"]
    area = client.get("/api/v1/areas", headers=world.corporatie.headers).json()["data"][0]
    return {
        "intake_id": intake["id"],
        "referral_id": intake["referrals"][0]["id"],
        "subscription_id": sub["id"],
        "organisation_id": world.corporatie.id,
        "key_id": keys[0]["id"],
        "delivery_id": str(deliveries[0]["id"]),
        "rule_id": str(uuid.uuid4()),
        "area_id": area["id"],
        "domain": "wonen",
        "urgency": "normal",
    }


def concrete(path: str, ids: dict[str, str]) -> str:
    return "/api/v1" + re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], path)


def test_no_key_is_401_everywhere_but_the_public_operations(client, objects):
    for (method, path), rule in POLICY.items():
        r = client.request(method, concrete(path, objects))
        if rule.scope == PUBLIC:
            assert r.status_code == 200, (method, path)
        else:
            assert_problem(r, 401)


@pytest.mark.parametrize("org_type", list(OrganisationType))
def test_a_missing_scope_is_403(client, objects, make_party, org_type):
    for (method, path), rule in POLICY.items():
        if not isinstance(rule.scope, Scope):
            continue
        party = make_party(org_type, scopes=[s for s in Scope if s != rule.scope])
        r = client.request(method, concrete(path, objects), json=rule.body, headers=party.headers)
        body = assert_problem(r, 403)
        assert rule.scope.value in body["detail"], (method, path)


@pytest.mark.parametrize(
    "org_type", [t for t in OrganisationType if t != OrganisationType.frontoffice]
)
def test_partners_cannot_run_the_deployment(client, objects, make_party, org_type):
    party = make_party(org_type, scopes=list(Scope))
    for (method, path), rule in POLICY.items():
        if rule.deployment_admin:
            r = client.request(method, concrete(path, objects), json={}, headers=party.headers)
            assert_problem(r, 403)


@pytest.mark.parametrize("org_type", list(OrganisationType))
def test_another_organisations_objects_are_out_of_reach(
    client, world, objects, make_party, org_type
):
    party = make_party(org_type, scopes=list(Scope))
    tried = 0
    for (method, path), rule in POLICY.items():
        if rule.owned is None:
            continue
        if rule.frontoffice_sees_all and org_type == OrganisationType.frontoffice:
            continue
        body = rule.body
        if body and body.get("organisation_id") == "GEMEENTE":
            body = {**body, "organisation_id": world.gemeente.id}
        r = client.request(method, concrete(path, objects), json=body, headers=party.headers)
        assert_problem(r, rule.foreign)
        tried += 1
    assert tried >= (7 if org_type == OrganisationType.frontoffice else 16)
    # Nothing changed on the way.
    ref = client.get(
        f"/api/v1/referrals/{objects['referral_id']}", headers=world.corporatie.headers
    ).json()
    assert ref["status"] == "requested"
    sub = client.get(
        f"/api/v1/webhook-subscriptions/{objects['subscription_id']}",
        headers=world.corporatie.headers,
    )
    assert sub.status_code == 200
    assert sub.json()["enabled"] is True
    keys = client.get(
        f"/api/v1/organisations/{world.corporatie.id}/api-keys",
        headers=world.corporatie.headers,
    ).json()["data"]
    assert all(k["revoked_at"] is None for k in keys)
