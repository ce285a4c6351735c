"""The OpenAPI document: served without auth, committed up to date, shaped to the ADR."""

import json
import re
from pathlib import Path

from app.core.config import API_VERSION
from app.main import app

SPEC_FILE = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_served_without_auth(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.headers["API-Version"] == API_VERSION
    spec = r.json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["version"] == API_VERSION


def test_committed_spec_is_not_stale():
    committed = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    assert committed == app.openapi(), "openapi/openapi.json is stale: run `make openapi`"


def test_every_success_response_documents_api_version():
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            for code, resp in op["responses"].items():
                if code[0] in "23":
                    assert "API-Version" in resp.get("headers", {}), (method, path, code)


def test_every_error_response_is_problem_json():
    spec = app.openapi()
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"status", "title", "detail"}
    assert set(problem["properties"]) <= {"type", "title", "status", "detail", "instance"}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for code, resp in op["responses"].items():
                if code[0] in "45":
                    assert list(resp["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        code,
                    )


def test_paths_are_versioned_kebab_case_without_trailing_slash():
    spec = app.openapi()
    assert re.search(r"/v\d", spec["servers"][0]["url"])
    for path in spec["paths"]:
        assert not path.endswith("/") or path == "/", path
        for segment in path.strip("/").split("/"):
            assert re.fullmatch(r"[a-z0-9\-]+|\{[a-z_]+\}", segment), path


def test_contact_is_complete():
    contact = app.openapi()["info"]["contact"]
    assert {"name", "email", "url"} <= set(contact)
