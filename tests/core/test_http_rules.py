"""NL GOV API Design Rules and RFC 9457 behaviour as a client sees it."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import API_VERSION
from app.core.errors import InvalidInput, install_error_handlers
from app.core.middleware import APIVersionMiddleware
from tests.helpers import assert_problem


def test_health_has_api_version_header(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.headers["API-Version"] == API_VERSION
    assert r.json() == {"status": "ok", "version": API_VERSION}


def test_api_version_is_full_semver():
    major, minor, patch = API_VERSION.split(".")
    assert major == "1"  # matches /api/v1
    assert minor.isdigit()
    assert patch.isdigit()


@pytest.mark.parametrize("path", ["/api/v1/health/", "/api/v1/organisations/", "/api/v1/ready/"])
def test_trailing_slash_is_404_not_redirect(client, path):
    r = client.get(path, follow_redirects=False)
    body = assert_problem(r, 404)
    assert "trailing slash" in body["detail"]
    assert "location" not in r.headers


def test_unknown_path_is_problem(client):
    body = assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert body["instance"] == "/api/v1/nothing-here"


def test_unsupported_method_is_405_with_allow(client):
    r = client.delete("/api/v1/health")
    body = assert_problem(r, 405)
    assert r.headers["Allow"] == "GET"
    assert "DELETE" in body["detail"]


def test_missing_key_is_401(client):
    r = client.get("/api/v1/organisations")
    body = assert_problem(r, 401)
    assert "Bearer" in body["detail"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_key_is_401(client):
    r = client.get("/api/v1/organisations", headers={"Authorization": "Bearer wwk_nope"})
    assert_problem(r, 401)


def test_wrong_scheme_is_401(client, make_party):
    party = make_party()
    r = client.get("/api/v1/organisations", headers={"Authorization": f"Basic {party.key}"})
    assert_problem(r, 401)


def test_invalid_json_is_422_problem(client, frontoffice_admin):
    r = client.post(
        "/api/v1/organisations",
        content=b'{"name": ',
        headers={**frontoffice_admin.headers, "Content-Type": "application/json"},
    )
    body = assert_problem(r, 422)
    assert "not valid JSON" in body["detail"]


def test_validation_errors_name_the_field(client, frontoffice_admin):
    r = client.post(
        "/api/v1/organisations",
        json={"name": "", "type": "bakker"},
        headers=frontoffice_admin.headers,
    )
    body = assert_problem(r, 422)
    locations = {e["location"] for e in body["errors"]}
    assert locations == {"body.name", "body.type"}
    assert "name" in body["detail"]
    assert "type" in body["detail"]


def _tiny_app() -> FastAPI:
    tiny = FastAPI()
    install_error_handlers(tiny)
    tiny.add_middleware(APIVersionMiddleware, version=API_VERSION)

    @tiny.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @tiny.get("/rule")
    def rule() -> None:
        raise InvalidInput("Postcode 0000 AA does not exist.", field="postcode")

    return tiny


def test_unexpected_error_is_500_problem_without_internals():
    with TestClient(_tiny_app(), raise_server_exceptions=False) as c:
        r = c.get("/boom")
    body = assert_problem(r, 500)
    assert "secret" not in r.text
    assert "Nothing was stored" in body["detail"]


def test_domain_error_maps_to_problem_with_type_and_extensions():
    with TestClient(_tiny_app()) as c:
        r = c.get("/rule")
    body = assert_problem(r, 422)
    assert body["type"] == "urn:wijkwinkel:problem:invalid-input"
    assert body["field"] == "postcode"
    assert body["detail"] == "Postcode 0000 AA does not exist."
