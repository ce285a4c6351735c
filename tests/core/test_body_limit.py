"""Request bodies above WIJKWINKEL_MAX_BODY_BYTES: 413 problem+json, nothing stored."""

from collections.abc import Iterator

from fastapi.testclient import TestClient

from tests.core.apps import app_with
from tests.helpers import assert_problem

MIB = 1024 * 1024


def _names(client, party) -> list[str]:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/organisations", headers=party.headers)
    return [o["name"] for o in r.json()["data"]]


def test_content_length_over_the_limit_is_413(client, frontoffice_admin):
    body = b'{"name": "Groot", "type": "welzijn", "x": "' + b"a" * MIB + b'"}'
    r = client.post(
        "/api/v1/organisations",
        content=body,
        headers={**frontoffice_admin.headers, "Content-Type": "application/json"},
    )
    problem = assert_problem(r, 413)
    assert problem["title"] == "Request body too large"
    assert "1048576 bytes" in problem["detail"]
    assert "Nothing was stored" in problem["detail"]
    assert problem["max_body_bytes"] == MIB
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "Groot" not in _names(client, frontoffice_admin)


def test_streamed_body_without_content_length_is_counted(client, frontoffice_admin):
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "Gestreamd", "type": "welzijn", "x": "'
        for _ in range(20):
            yield b"a" * 65536
        yield b'"}'

    r = client.post(
        "/api/v1/organisations",
        content=chunks(),
        headers={**frontoffice_admin.headers, "Content-Type": "application/json"},
    )
    assert "content-length" not in r.request.headers  # sent chunked
    assert_problem(r, 413)
    assert "Gestreamd" not in _names(client, frontoffice_admin)


def _body_of(size: int, fill: bytes) -> bytes:
    head, tail = b'{"name": "', b'", "type": "welzijn"}'
    return head + fill * (size - len(head) - len(tail)) + tail


def test_limit_is_a_setting_and_bodies_up_to_it_pass(monkeypatch, frontoffice_admin):
    with app_with(monkeypatch, max_body_bytes="200") as app:
        c = TestClient(app)
        headers = {**frontoffice_admin.headers, "Content-Type": "application/json"}
        small = b'{"name": "Klein", "type": "welzijn"}'
        assert c.post("/api/v1/organisations", content=small, headers=headers).status_code == 201
        exactly = _body_of(200, b"b")
        assert c.post("/api/v1/organisations", content=exactly, headers=headers).status_code == 201
        over = _body_of(201, b"c")
        body = assert_problem(c.post("/api/v1/organisations", content=over, headers=headers), 413)
        assert "200 bytes" in body["detail"]
