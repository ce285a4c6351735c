"""The front office's review page: what needs a look and why, and the actions, in Dutch."""

import re

from tests.intakes.helpers import make_intake
from tests.web.helpers import csrf_of, log_in, main_text


def _page(client):  # type: ignore[no-untyped-def]
    r = client.get("/beoordelen")
    assert r.status_code == 200, r.text
    return r.text


def test_the_desk_sees_why_each_question_needs_a_look_and_deals_with_it(client, staff):
    thuiszorg = staff["thuiszorg"]
    urgent = make_intake(
        client, thuiszorg, question="Meneer wil niet meer leven.", domains=["zorg"]
    )
    waiting = make_intake(client, thuiszorg, consent=False, domains=["wonen"])
    desk = staff["frontoffice"]
    log_in(client, desk.username, desk.password)
    page = _page(client)
    text = main_text(page)
    assert "Mogelijk een noodsituatie" in text
    assert "Geen toestemming om te delen: bel de bewoner terug." in text
    token = csrf_of(page)

    r = client.post(
        f"/beoordelen/{urgent['id']}/signaal", data={"csrf_token": token, "note": "113 gebeld"}
    )
    assert "Opgeslagen wat er met het noodsignaal is gedaan" in main_text(r.text)
    r = client.post(
        f"/beoordelen/{waiting['id']}/sluiten",
        data={"csrf_token": token, "note": "Bewoner teruggebeld, wil geen hulp."},
    )
    assert "De vraag is afgesloten" in main_text(r.text)
    assert f"vraag-{urgent['id']}" not in r.text
    assert f"vraag-{waiting['id']}" not in r.text
    body = client.get(f"/api/v1/intakes/{waiting['id']}", headers=desk.headers).json()
    assert (body["status"], body["closed_reason"]) == (
        "closed",
        "Bewoner teruggebeld, wil geen hulp.",
    )


def test_correcting_the_domains_sends_it_again(client, staff):
    intake = make_intake(client, staff["thuiszorg"], question="I need help with my house please")
    desk = staff["frontoffice"]
    log_in(client, desk.username, desk.password)
    token = csrf_of(_page(client))
    r = client.post(
        f"/beoordelen/{intake['id']}/onderwerpen",
        data={"csrf_token": token, "domains": ["wonen"], "note": "over de woning"},
    )
    assert "opnieuw doorgestuurd" in main_text(r.text)
    body = client.get(f"/api/v1/intakes/{intake['id']}", headers=desk.headers).json()
    assert body["status"] == "open"
    assert [x["domain"] for x in body["referrals"]] == ["wonen"]


def test_an_action_needs_words_and_the_forms_token(client, staff):
    intake = make_intake(client, staff["thuiszorg"], consent=False, domains=["wonen"])
    desk = staff["frontoffice"]
    log_in(client, desk.username, desk.password)
    token = csrf_of(_page(client))
    r = client.post(f"/beoordelen/{intake['id']}/gezien", data={"csrf_token": token, "note": " "})
    assert r.status_code == 422
    assert "Schrijf op wat er is gedaan" in main_text(r.text)
    r = client.post(f"/beoordelen/{intake['id']}/gezien", data={"note": "gebeld"})
    assert r.status_code == 403
    assert f"vraag-{intake['id']}" in _page(client)


def test_the_desk_sees_how_often_people_agree_with_the_proposal(client, staff):
    make_intake(client, staff["thuiszorg"], question="De trap lukt niet meer.", domains=["zorg"])
    desk = staff["frontoffice"]
    log_in(client, desk.username, desk.password)
    page = _page(client)
    assert "Hoe vaak zijn mensen het eens met het voorstel?" in main_text(page)
    # wonen proposed and removed, zorg added: one row each this month.
    assert re.search(r"wonen \(het huis\)</td><td>0</td><td>1</td><td>0</td>", page)
    assert re.search(r"zorg \(lichaam en geest\)</td><td>0</td><td>0</td><td>1</td>", page)


def test_partners_have_no_review_page(client, staff):
    for who in ("corporatie", "thuiszorg", "gemeente"):
        client.cookies.clear()
        user = staff[who]
        log_in(client, user.username, user.password)
        r = client.get("/beoordelen")
        assert r.status_code == 403, who
        assert "Nakijken" not in client.get("/").text
