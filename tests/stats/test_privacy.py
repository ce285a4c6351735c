"""A gemeente sees outcomes, never a resident: no endpoint gives a gemeente key any personal
data of intakes that were not sent to the gemeente. Every operation in the OpenAPI document is
tried, with every id we know, so a new endpoint is covered without anyone remembering to."""

import itertools
import re
import uuid

import pytest
from sqlmodel import select

from app.auth.models import ApiKey
from app.auth.scopes import Scope
from app.core.config import get_settings
from app.organisations.models import OrganisationType
from app.routing.models import RoutingRule
from app.webhooks.models import WebhookDelivery
from tests.intakes.helpers import make_intake

RESIDENT = {
    "name": "Aaltje Zwaluwstaart",
    "phone": "06-98765432",
    "email": "a.zwaluwstaart@example.nl",
    "address": "Kievitlaan 77",
}
QUESTION = "Dossier QX-7781: de trap naar de badkamer lukt niet meer, ze slaapt beneden."
SECRETS = [*RESIDENT.values(), "QX-7781", "3811 AB", "3811AB"]

# Bodies that would make each kind of write succeed if it were allowed.
BODIES = [
    None,
    {},
    {"status": "received"},
    {"status": "cancelled", "note": "test"},
    {"domains": ["zorg"]},
    {"reason": "test"},
]


@pytest.fixture
def others(client, world, session, monkeypatch):
    """Intakes with personal data, none of them routed to the gemeente; ids of everything."""
    monkeypatch.setattr(get_settings(), "webhook_allow_private_targets", True)
    made = [
        make_intake(client, world.thuiszorg, question=QUESTION, resident=RESIDENT, domains=d)
        for d in (["wonen"], ["zorg"], ["wonen", "welzijn"])
    ]
    made.append(
        make_intake(client, world.thuiszorg, question=QUESTION, resident=RESIDENT, consent=False)
    )
    sub = client.post(
        "/api/v1/webhook-subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "event_types": []},
        headers=world.corporatie.headers,
    ).json()
    referral_ids = [r["id"] for i in made for r in i["referrals"]]
    assert referral_ids
    ids = {
        "intake_id": [i["id"] for i in made],
        "referral_id": referral_ids,
        "organisation_id": [p.id for p in world.parties.values()],
        "key_id": [str(k.id) for k in session.exec(select(ApiKey)).all()],
        "rule_id": [str(r.id) for r in session.exec(select(RoutingRule)).all()],
        "area_id": [
            a["id"]
            for a in client.get("/api/v1/areas", headers=world.frontoffice.headers).json()["data"]
        ],
        "subscription_id": [sub["id"]],
        "delivery_id": [str(d.id) for d in session.exec(select(WebhookDelivery)).all()]
        or [str(uuid.uuid4())],
        "domain": ["wonen"],
        "urgency": ["normal"],
    }
    return ids


def _paths(app, ids):
    for path, operations in app.openapi()["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        missing = [n for n in names if n not in ids]
        assert not missing, f"{path}: no test ids for {missing}; add them to the fixture"
        for values in itertools.product(*(ids[n] for n in names)):
            concrete = path
            for name, value in zip(names, values, strict=True):
                concrete = concrete.replace("{" + name + "}", value)
            for method in operations:
                yield method.upper(), "/api/v1" + concrete


@pytest.mark.parametrize(
    "scopes",
    [
        pytest.param([Scope.stats_read], id="dashboard key"),
        pytest.param(list(Scope), id="every scope"),
    ],
)
def test_a_gemeente_key_reaches_no_personal_data(client, world, others, make_party, scopes):
    from app.main import app

    gemeente = make_party(OrganisationType.gemeente, scopes=scopes)
    tried = 0
    for method, path in _paths(app, others):
        for body in BODIES if method in {"POST", "PUT", "PATCH"} else [None]:
            r = client.request(method, path, json=body, headers=gemeente.headers)
            tried += 1
            assert r.status_code < 500, (method, path, r.text)
            text = r.text
            for secret in SECRETS:
                assert secret not in text, (method, path, body, r.status_code, secret)
    assert tried > 100


def test_the_partners_it_was_sent_to_do_see_it(client, world, others):
    """The check above is not vacuous: the personal data is there for those who may see it."""
    referral = others["referral_id"][0]
    body = client.get(f"/api/v1/referrals/{referral}", headers=world.corporatie.headers).text
    assert RESIDENT["name"] in body
    assert "QX-7781" in body
