from app.health import service
from tests.helpers import assert_problem


def test_ready_reports_database_and_schema(client):
    r = client.get("/api/v1/ready")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["database"] in {"sqlite", "postgresql"}
    assert body["schema_revision"] == service.migration_head()


def test_ready_is_503_when_schema_is_behind(client, monkeypatch):
    monkeypatch.setattr(service, "migration_head", lambda: "9999_future")
    body = assert_problem(client.get("/api/v1/ready"), 503)
    assert "wijkwinkel migrate" in body["detail"]


def test_health_needs_no_database_or_key(client):
    assert client.get("/api/v1/health").status_code == 200
