from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Party


def make_intake(client: TestClient, party: Party, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "question": "Mevrouw kan de trap naar de badkamer niet meer op en slaapt beneden.",
        "channel": "signalering",
        "postcode": "3811 AB",
        "consent": True,
        "resident": {"name": "mevrouw J. de Vries", "phone": "06-12345678"},
    }
    body.update(overrides)
    body = {k: v for k, v in body.items() if v is not None}
    r = client.post("/api/v1/intakes", json=body, headers=party.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]
