"""Text a database cannot hold, text that only looks filled in, lax legal fields and bodies that
are not JSON: each is refused with a 422 (or 415) naming what is wrong, and nothing is stored."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.core.schemas import clean_optional_text, clean_text
from app.intakes.models import Intake
from app.referrals.models import ReferralEvent
from tests.conftest import World
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import wonen_referral

LONE_SURROGATE = "\ud83d"  # the first half of an emoji, without its second half
HOSTILE = {
    "lone surrogate": (f"Lindenlaan {LONE_SURROGATE}12", "surrogate"),
    "NUL": ("mevrouw\x00de Vries", "NUL"),
    "only zero-width": ("\u200b\u200c\ufeff\u2060", "invisible"),
}


def send(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    """A request with the JSON written out by hand: json.dumps escapes a lone surrogate as
    \\ud83d, exactly as a client in another language would send it."""
    return client.request(
        method,
        path,
        content=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )


def intake_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "question": "De kraan lekt en ik kan de trap niet meer op.",
        "channel": "balie",
        "consent": True,
        "domains": ["wonen"],
    }
    body.update(overrides)
    return body


def _intake(field: str) -> Callable[[str], tuple[str, str, dict[str, Any]]]:
    def build(value: str) -> tuple[str, str, dict[str, Any]]:
        body = intake_body()
        if field.startswith("resident."):
            body["resident"] = {field.split(".")[1]: value}
        elif field == "consent_details.wording":
            body["consent_details"] = {"method": "verbaal", "wording": value}
        else:
            body[field] = value
        return "POST", "/api/v1/intakes", body

    return build


# Every free-text field of every request that takes one: (field as named in the answer, how to
# send it). The ones that need an existing object get it from `_prepare`.
FIELDS: dict[str, Any] = {
    "question": _intake("question"),
    "resident.name": _intake("resident.name"),
    "resident.phone": _intake("resident.phone"),
    "resident.email": _intake("resident.email"),
    "resident.address": _intake("resident.address"),
    "consent_details.wording": _intake("consent_details.wording"),
    "postcode": _intake("postcode"),
    "bsn": _intake("bsn"),
    "text": lambda v: ("POST", "/api/v1/classify", {"text": v}),
    "note (status)": lambda v, ids: (
        "POST",
        f"/api/v1/referrals/{ids['referral']}/status",
        {"status": "received", "note": v},
    ),
    "note (correction)": lambda v, ids: (
        "PUT",
        f"/api/v1/intakes/{ids['intake']}/domains",
        {"domains": ["zorg"], "note": v},
    ),
    "reason (forward)": lambda v, ids: (
        "POST",
        f"/api/v1/referrals/{ids['referral']}/forward",
        {"organisation_id": ids["gemeente"], "reason": v},
    ),
    "reason (erasure)": lambda v, ids: (
        "POST",
        f"/api/v1/intakes/{ids['intake']}/erasure",
        {"reason": v},
    ),
    "name (organisation)": lambda v: (
        "POST",
        "/api/v1/organisations",
        {"name": v, "type": "welzijn"},
    ),
    "name (api key)": lambda v, ids: (
        "POST",
        f"/api/v1/organisations/{ids['corporatie']}/api-keys",
        {"name": v, "scopes": ["referrals:read"]},
    ),
    "name (area)": lambda v: ("POST", "/api/v1/areas", {"name": v, "pc4": ["3999"]}),
    "url (webhook)": lambda v: ("POST", "/api/v1/webhook-subscriptions", {"url": v}),
}


def _who(field: str, world: World) -> dict[str, str]:
    if field in {"note (status)", "reason (forward)"}:
        return world.corporatie.headers
    if (
        field in {"note (correction)"}
        or field
        in {
            "question",
            "postcode",
            "bsn",
            "consent_details.wording",
        }
        or field.startswith("resident.")
    ):
        return world.thuiszorg.headers
    return world.frontoffice.headers


def _prepare(client: TestClient, world: World, field: str, value: str) -> tuple[str, str, Any]:
    """The request for `field`, after creating what it acts on."""
    build = FIELDS[field]
    if build.__code__.co_argcount == 1:
        return build(value)  # type: ignore[no-any-return]
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    ids = {
        "intake": intake["id"],
        "referral": intake["referrals"][0]["id"],
        "gemeente": world.gemeente.id,
        "corporatie": world.corporatie.id,
    }
    return build(value, ids)  # type: ignore[no-any-return]


def _counts(session: Session) -> tuple[int, int]:
    session.expire_all()
    intakes = session.exec(select(func.count()).select_from(Intake)).one()
    events = session.exec(select(func.count()).select_from(ReferralEvent)).one()
    return intakes, events


def _location(field: str) -> str:
    return field.split(" ")[0]


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("field", list(FIELDS))
def test_text_a_database_cannot_hold_is_refused_naming_the_field(
    client: TestClient, world: World, session: Session, field: str, kind: str
) -> None:
    value, word = HOSTILE[kind]
    method, path, body = _prepare(client, world, field, value)
    before = _counts(session)
    r = send(client, method, path, body, _who(field, world))
    problem = assert_problem(r, 422)
    assert _location(field) in problem["detail"], problem["detail"]
    # The e-mail check says "not a valid email address" for a NUL.
    if not (field == "resident.email" and kind == "NUL"):
        assert word in problem["detail"], problem["detail"]
    locations = [e["location"] for e in problem["errors"]]
    assert any(loc.endswith(_location(field)) for loc in locations), locations
    assert _counts(session) == before


@pytest.mark.parametrize("field", ["resident.name", "resident.phone", "consent_details.wording"])
def test_an_empty_optional_text_counts_as_not_given(
    client: TestClient, world: World, field: str
) -> None:
    method, path, body = _intake(field)("   ")
    r = send(client, method, path, body, world.thuiszorg.headers)
    assert r.status_code == 201, r.text
    if field.startswith("resident."):
        assert r.json()["resident"] is None


def test_text_is_trimmed_of_invisible_characters_at_either_end(
    client: TestClient, world: World
) -> None:
    body = intake_body(resident={"name": "\u200b mevrouw De Vries\ufeff "})
    r = send(client, "POST", "/api/v1/intakes", body, world.thuiszorg.headers)
    assert r.status_code == 201, r.text
    assert r.json()["resident"]["name"] == "mevrouw De Vries"
    # Inside a text a joiner means something (it builds this emoji): it stays.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    r = send(
        client,
        "POST",
        "/api/v1/intakes",
        intake_body(question=f"Wij zijn met z'n drieën {family} en de woning is te klein."),
        world.thuiszorg.headers,
    )
    assert r.status_code == 201, r.text
    assert family in r.json()["question"]


@pytest.mark.parametrize("value", ["yes", "ja", "true", 1, 0, "1", None, [], {}])
def test_consent_is_true_or_false_and_nothing_else(
    client: TestClient, world: World, session: Session, value: Any
) -> None:
    r = send(client, "POST", "/api/v1/intakes", intake_body(consent=value), world.thuiszorg.headers)
    body = assert_problem(r, 422)
    assert "consent" in body["detail"]
    if value is not None:  # null is "required"; anything else is told what it must be
        assert "must be true or false" in body["detail"]
    assert _counts(session) == (0, 0)


@pytest.mark.parametrize("value", [True, False])
def test_consent_true_and_false_are_taken(client: TestClient, world: World, value: bool) -> None:
    r = send(client, "POST", "/api/v1/intakes", intake_body(consent=value), world.thuiszorg.headers)
    assert r.status_code == 201, r.text
    assert r.json()["consent"] is value


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "jan@@example.nl", "jan @example.nl"])
def test_resident_email_must_be_an_email_address(
    client: TestClient, world: World, session: Session, email: str
) -> None:
    body = intake_body(resident={"name": "J. de Vries", "email": email})
    r = send(client, "POST", "/api/v1/intakes", body, world.thuiszorg.headers)
    problem = assert_problem(r, 422)
    assert "resident.email" in problem["detail"]
    assert _counts(session) == (0, 0)


def test_a_real_email_address_is_taken(client: TestClient, world: World) -> None:
    body = intake_body(resident={"email": " j.devries@Example.NL "})
    r = send(client, "POST", "/api/v1/intakes", body, world.thuiszorg.headers)
    assert r.status_code == 201, r.text
    assert r.json()["resident"]["email"] == "j.devries@example.nl"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json-patch+json",
        "application/merge-patch+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        None,
    ],
)
def test_only_application_json_is_read_as_json(
    client: TestClient, world: World, session: Session, content_type: str | None
) -> None:
    headers = dict(world.thuiszorg.headers)
    if content_type:
        headers["Content-Type"] = content_type
    r = client.post("/api/v1/intakes", content=json.dumps(intake_body()).encode(), headers=headers)
    body = assert_problem(r, 415)
    assert "application/json" in body["detail"]
    assert "Nothing was stored" in body["detail"]
    assert _counts(session) == (0, 0)


def test_json_in_another_charset_is_refused(
    client: TestClient, world: World, session: Session
) -> None:
    headers = {**world.thuiszorg.headers, "Content-Type": "application/json; charset=latin-1"}
    r = client.post("/api/v1/intakes", content=json.dumps(intake_body()).encode(), headers=headers)
    body = assert_problem(r, 415)
    assert "UTF-8" in body["detail"]
    assert _counts(session) == (0, 0)


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_application_json_is_read(client: TestClient, world: World, content_type: str) -> None:
    headers = {**world.thuiszorg.headers, "Content-Type": content_type}
    r = client.post("/api/v1/intakes", content=json.dumps(intake_body()).encode(), headers=headers)
    assert r.status_code == 201, r.text


def test_a_post_without_a_body_needs_no_content_type(client: TestClient, world: World) -> None:
    referral_id = wonen_referral(client, world)
    r = client.get(f"/api/v1/referrals/{referral_id}", headers=world.corporatie.headers)
    assert r.status_code == 200
    r = client.post(
        f"/api/v1/organisations/{world.corporatie.id}/api-keys/00000000-0000-0000-0000-000000000000/revoke",
        headers=world.frontoffice.headers,
    )
    assert r.status_code == 404, r.text  # a 404 for the key, not a 415 for the missing body


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (f"a{LONE_SURROGATE}b", "lone surrogate"),
        ("a\udc00b", "lone surrogate"),
        ("a\x00b", "NUL"),
        ("a\ufffeb", "non-character"),
        ("a\U0010ffffb", "non-character"),
        ("a\ufdd0b", "non-character"),
        ("a\x07b", "control character"),
        ("a\x9bb", "control character"),
    ],
)
def test_the_text_type_refuses_what_cannot_be_stored(value: str, why: str) -> None:
    """The same check for a text that reaches a schema as a Python string, not through the
    JSON parser (a form, another schema, a future caller)."""
    with pytest.raises(ValueError, match=why):
        clean_text(value)
    with pytest.raises(ValueError, match=why):
        clean_optional_text(value)


@pytest.mark.parametrize(
    "value", ["regel 1\nregel 2\ttab\r\n", "Zorgcoöperatie", "👨\u200d👩\u200d👧", "ملف", "ﷺ"]
)
def test_the_text_type_keeps_real_text(value: str) -> None:
    assert clean_text(value) == value.strip()
