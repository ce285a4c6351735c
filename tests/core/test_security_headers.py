"""Security headers on every response, CORS on the OpenAPI document only."""

import base64
import hashlib
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.errors import install_error_handlers
from tests.helpers import assert_problem

BASE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def assert_secure(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in BASE.items():
        assert response.headers[name] == value, name


def test_public_response_has_headers_but_may_be_cached(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert_secure(r)
    assert r.headers["content-security-policy"] == API_CSP
    assert "cache-control" not in r.headers
    assert "strict-transport-security" not in r.headers  # plain HTTP


def test_authenticated_responses_are_not_stored(client, make_party):
    party = make_party()
    ok = client.get("/api/v1/organisations", headers=party.headers)
    assert ok.status_code == 200
    assert_secure(ok)
    assert ok.headers["cache-control"] == "no-store"
    missing = client.get(
        "/api/v1/organisations/00000000-0000-0000-0000-000000000000", headers=party.headers
    )
    assert_problem(missing, 404)
    assert_secure(missing)
    assert missing.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"url": "/api/v1/nothing-here"},
        {"url": "/api/v1/organisations"},  # 401
        {"url": "/api/v1/health", "method": "DELETE"},  # 405
    ],
)
def test_error_responses_have_headers(client, request_kwargs):
    r = client.request(request_kwargs.get("method", "GET"), request_kwargs["url"])
    assert r.status_code >= 400
    assert_secure(r)
    assert r.headers["content-security-policy"] == API_CSP


def test_500_has_headers_too():
    # A 500 is answered outside the middleware stack; the problem response carries them itself.
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert_problem(r, 500)
    assert_secure(r)


def test_hsts_only_over_tls(client):
    behind_proxy = client.get("/api/v1/health", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.headers["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains"
    )
    direct = TestClient(client.app, base_url="https://testserver").get("/api/v1/health")
    assert "strict-transport-security" in direct.headers
    plain = client.get("/api/v1/health", headers={"X-Forwarded-Proto": "http"})
    assert "strict-transport-security" not in plain.headers


def test_hsts_can_be_switched_off(monkeypatch):
    from tests.core.apps import app_with

    with app_with(monkeypatch, hsts_max_age_seconds="0") as app:
        r = TestClient(app, base_url="https://testserver").get("/api/v1/health")
    assert "strict-transport-security" not in r.headers


def test_docs_page_runs_only_its_own_script(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert_secure(r)
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self'"  # fetching the document, "Try it out"
    script_src = directives["script-src"].split()
    assert "'unsafe-inline'" not in script_src
    # Every script the page loads or holds is allowed, by host or by hash, and nothing more.
    for src in re.findall(r'<script src="([^"]+)"', r.text):
        assert src.startswith("https://cdn.jsdelivr.net/")
    inline = re.findall(r"<script>(.*?)</script>", r.text, flags=re.DOTALL)
    assert inline
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert "/api/v1/openapi.json" in r.text
    assert '"validatorUrl": null' in r.text  # no third party sees the document


def test_openapi_document_is_readable_cross_origin(client):
    r = client.get("/api/v1/openapi.json", headers={"Origin": "https://developer.example"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    assert_secure(r)

    preflight = client.options(
        "/api/v1/openapi.json",
        headers={"Origin": "https://developer.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD"


@pytest.mark.parametrize(
    "path", ["/api/v1/health", "/api/v1/organisations", "/api/v1/referrals", "/api/v1/docs"]
)
def test_no_cors_anywhere_else(client, make_party, path):
    party = make_party()
    origin = {"Origin": "https://evil.example"}
    r = client.get(path, headers={**origin, **party.headers})
    assert r.status_code == 200
    assert not any(h.startswith("access-control-") for h in r.headers)

    # A preflight is an ordinary OPTIONS request here: 405 problem+json, never a 500.
    preflight = client.options(
        path,
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert_problem(preflight, 405)
    assert not any(h.startswith("access-control-") for h in preflight.headers)
    assert_secure(preflight)
