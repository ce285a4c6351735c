from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Party, World
from tests.intakes.helpers import make_intake

# How to bring a fresh referral into each status: (actor, status, extra body) steps.
PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "requested": [],
    "received": [("owner", "received", {})],
    "accepted": [("owner", "received", {}), ("owner", "accepted", {})],
    "rejected": [("owner", "received", {}), ("owner", "rejected", {"note": "niet ons werkgebied"})],
    "in_progress": [
        ("owner", "received", {}),
        ("owner", "accepted", {}),
        ("owner", "in_progress", {}),
    ],
    "on_hold": [
        ("owner", "received", {}),
        ("owner", "accepted", {}),
        ("owner", "in_progress", {}),
        ("owner", "on_hold", {}),
    ],
    "completed": [
        ("owner", "received", {}),
        ("owner", "accepted", {}),
        ("owner", "in_progress", {}),
        ("owner", "completed", {"outcome": "geholpen"}),
    ],
    "cancelled": [("desk", "cancelled", {"note": "bewoner trok vraag in"})],
}


def set_status(
    client: TestClient, party: Party, referral_id: str, status: str, **extra: Any
) -> Any:
    return client.post(
        f"/api/v1/referrals/{referral_id}/status",
        json={"status": status, **extra},
        headers=party.headers,
    )


def wonen_referral(client: TestClient, world: World, status: str = "requested") -> str:
    """A wonen referral at the corporatie, brought into `status`."""
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    referral_id: str = intake["referrals"][0]["id"]
    if status == "forwarded":
        r = client.post(
            f"/api/v1/referrals/{referral_id}/forward",
            json={"organisation_id": world.gemeente.id, "reason": "urgentie via gemeente"},
            headers=world.corporatie.headers,
        )
        assert r.status_code == 201, r.text
        return referral_id
    for actor, step, extra in PATHS[status]:
        party = world.corporatie if actor == "owner" else world.frontoffice
        r = set_status(client, party, referral_id, step, **extra)
        assert r.status_code == 200, r.text
    return referral_id
