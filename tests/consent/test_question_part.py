from tests.intakes.helpers import make_intake

LEAK = "Meneer heeft een lekkage in de badkamer en de kraan is kapot."
MIND = "Hij is erg somber, hij heeft een psychiater nodig."
CONTEXT = "Hij is 81."
QUESTION = f"{LEAK} {MIND} {CONTEXT}"


def view(client, party, intake, domain):
    ref = next(r for r in intake["referrals"] if r["domain"] == domain)
    r = client.get(f"/api/v1/referrals/{ref['id']}", headers=party.headers)
    assert r.status_code == 200, r.text
    return r.json()["intake"]


def test_each_partner_reads_its_own_domains_part(client, world):
    intake = make_intake(client, world.frontoffice, question=QUESTION, channel="balie")
    domains = {r["domain"] for r in intake["referrals"]}
    assert {"wonen", "zorg"} <= domains

    corporatie = view(client, world.corporatie, intake, "wonen")
    assert LEAK in corporatie["question"]
    assert "psychiater" not in corporatie["question"]
    assert CONTEXT in corporatie["question"]  # neutral context stays
    assert corporatie["question_whole"] is False

    thuiszorg = view(client, world.thuiszorg, intake, "zorg")
    assert MIND in thuiszorg["question"]
    assert "lekkage" not in thuiszorg["question"]

    # The desk that recorded it reads everything.
    desk = view(client, world.frontoffice, intake, "wonen")
    assert (desk["question"], desk["question_whole"]) == (QUESTION, True)


def test_a_single_domain_question_is_shown_whole(client, world):
    intake = make_intake(client, world.thuiszorg, question=LEAK, domains=["wonen"])
    seen = view(client, world.corporatie, intake, "wonen")
    assert (seen["question"], seen["question_whole"]) == (LEAK, True)


def test_a_domain_without_words_of_its_own_gets_no_other_domains_sentences(client, world):
    # Staff added welzijn; no sentence speaks of it, and each speaks of another domain.
    question = f"{LEAK} {MIND}"
    intake = make_intake(
        client, world.frontoffice, question=question, domains=["wonen", "zorg", "welzijn"]
    )
    seen = view(client, world.welzijn, intake, "welzijn")
    assert "lekkage" not in seen["question"]
    assert "psychiater" not in seen["question"]
    assert "wijkwinkel" in seen["question"]  # it says whom to ask
    assert seen["question_whole"] is False
