from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake


def test_demo_areas_and_intakes_are_assigned(client, world):
    areas = client.get("/api/v1/areas", headers=world.gemeente.headers).json()["data"]
    by_name = {a["name"]: a for a in areas}
    assert by_name["Hoogland"]["pc4"] == ["3828"]
    intake = make_intake(client, world.thuiszorg, postcode="3828 AB")
    assert intake["area_id"] == by_name["Hoogland"]["id"]
    outside = make_intake(client, world.thuiszorg, postcode="1011 AB")
    assert outside["area_id"] is None


def test_area_crud_and_conflicts(client, world):
    admin = world.frontoffice.headers
    r = client.post("/api/v1/areas", json={"name": "Zuid", "pc4": ["3822", "3821"]}, headers=admin)
    assert r.status_code == 201
    area = r.json()
    assert area["pc4"] == ["3821", "3822"]
    assert client.get(r.headers["Location"], headers=admin).json() == area

    taken = client.post("/api/v1/areas", json={"name": "Oost", "pc4": ["3822"]}, headers=admin)
    assert "3822 (Zuid)" in assert_problem(taken, 409)["detail"]
    same_name = client.post("/api/v1/areas", json={"name": "Zuid", "pc4": ["3899"]}, headers=admin)
    assert_problem(same_name, 409)

    redrawn = client.put(
        f"/api/v1/areas/{area['id']}",
        json={"name": "Zuid-West", "pc4": ["3822", "3823"]},
        headers=admin,
    )
    assert redrawn.json()["pc4"] == ["3822", "3823"]
    assert client.delete(f"/api/v1/areas/{area['id']}", headers=admin).status_code == 204
    assert_problem(client.get(f"/api/v1/areas/{area['id']}", headers=admin), 404)


def test_area_validation_and_rights(client, world):
    admin = world.frontoffice.headers
    assert_problem(
        client.post("/api/v1/areas", json={"name": "X", "pc4": ["012"]}, headers=admin), 422
    )
    assert_problem(client.post("/api/v1/areas", json={"name": "X", "pc4": []}, headers=admin), 422)
    assert_problem(
        client.post("/api/v1/areas", json={"name": " ", "pc4": ["3899"]}, headers=admin), 422
    )
    assert_problem(
        client.post(
            "/api/v1/areas", json={"name": "X", "pc4": ["3899"]}, headers=world.gemeente.headers
        ),
        403,
    )


def test_an_area_with_intakes_cannot_be_deleted(client, world):
    admin = world.frontoffice.headers
    hoogland = next(
        a
        for a in client.get("/api/v1/areas", headers=admin).json()["data"]
        if a["name"] == "Hoogland"
    )
    make_intake(client, world.thuiszorg, postcode="3828 AB")
    assert_problem(client.delete(f"/api/v1/areas/{hoogland['id']}", headers=admin), 409)
