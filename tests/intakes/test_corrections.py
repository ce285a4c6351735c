import json

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests.helpers import assert_problem
from tests.intakes.helpers import make_intake
from tests.referrals.helpers import set_status


def _put(client, party, intake_id, domains, note=None):
    return client.put(
        f"/api/v1/intakes/{intake_id}/domains",
        json={"domains": domains, **({"note": note} if note else {})},
        headers=party.headers,
    )


def test_correction_reroutes_adds_and_cancels_unpicked(client, world):
    intake = make_intake(client, world.thuiszorg, question="De trap lukt niet meer.")
    assert [r["domain"] for r in intake["referrals"]] == ["wonen"]
    wonen_id = intake["referrals"][0]["id"]

    r = _put(client, world.thuiszorg, intake["id"], ["zorg", "welzijn"], note="was zorgvraag")
    assert r.status_code == 200
    body = r.json()
    assert body["domains_source"] == "staff"
    assert sorted(d["domain"] for d in body["domains"]) == ["welzijn", "zorg"]
    by_domain = {x["domain"]: x for x in body["referrals"]}
    assert by_domain["wonen"]["status"] == "cancelled"
    assert by_domain["zorg"]["organisation_id"] == world.thuiszorg.id
    assert by_domain["welzijn"]["organisation_id"] == world.welzijn.id
    assert body["status"] == "open"

    history = client.get(f"/api/v1/referrals/{wonen_id}/history", headers=world.corporatie.headers)
    last = history.json()["data"][-1]
    assert last["to_status"] == "cancelled"
    assert "was zorgvraag" in last["note"]


def test_correction_keeps_referrals_a_partner_already_has(client, world):
    intake = make_intake(client, world.thuiszorg, domains=["wonen"])
    rid = intake["referrals"][0]["id"]
    set_status(client, world.corporatie, rid, "received")
    body = _put(client, world.frontoffice, intake["id"], ["zorg"]).json()
    by_domain = {x["domain"]: x["status"] for x in body["referrals"]}
    assert by_domain == {"wonen": "received", "zorg": "requested"}


def test_correction_without_consent_makes_no_referrals(client, world):
    intake = make_intake(client, world.thuiszorg, consent=False)
    body = _put(client, world.thuiszorg, intake["id"], ["welzijn"]).json()
    assert body["status"] == "no_consent"
    assert body["referrals"] == []


def test_correction_routes_a_needs_review_intake(client, world):
    intake = make_intake(client, world.frontoffice, question="Goedemiddag, ik heb een vraag.")
    assert intake["status"] == "needs_review"
    body = _put(client, world.frontoffice, intake["id"], ["welzijn"]).json()
    assert body["status"] == "open"
    assert [x["domain"] for x in body["referrals"]] == ["welzijn"]


def test_correction_errors(client, world):
    intake = make_intake(client, world.thuiszorg)
    assert_problem(_put(client, world.corporatie, intake["id"], ["zorg"]), 404)
    assert_problem(_put(client, world.thuiszorg, intake["id"], []), 422)
    assert_problem(_put(client, world.thuiszorg, intake["id"], ["zorg", "zorg"]), 422)
    assert_problem(_put(client, world.thuiszorg, intake["id"], ["tuin"]), 422)


def test_export_corrections_as_training_data(client, world, tmp_path):
    intake = make_intake(client, world.thuiszorg, question="Mijn vader vergeet zijn medicijnen.")
    _put(client, world.thuiszorg, intake["id"], ["zorg", "welzijn"])
    out = tmp_path / "corrections.jsonl"
    result = CliRunner().invoke(cli, ["classifier", "export-corrections", "--output", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["text"] == "Mijn vader vergeet zijn medicijnen."
    assert row["domains"] == ["welzijn", "zorg"]
    assert "zorg" in row["classifier_domains"]
    assert row["classifier_version"].startswith("lexicon-")
    # The export reads residents' questions: it is in the access log.
    log = client.get("/api/v1/audit", headers=world.frontoffice.headers).json()["data"]
    assert log[-1]["purpose"] == "exporting corrections as classifier training data"
    assert log[-1]["intake_ids"] == [intake["id"]]
    # An anonymised intake is not exported.
    client.post(f"/api/v1/intakes/{intake['id']}/erasure", headers=world.frontoffice.headers)
    CliRunner().invoke(cli, ["classifier", "export-corrections", "--output", str(out)])
    assert out.read_text() == ""


def test_urgent_intake_carries_guidance_and_short_deadline(client, world):
    intake = make_intake(
        client,
        world.thuiszorg,
        question="Mevrouw zegt dat ze niet meer wil leven en spaart haar pillen op.",
        domains=None,
    )
    assert intake["urgent"] is True
    assert "suicide" in intake["urgent_reasons"]
    assert any("0800-0113" in g for g in intake["guidance"])
    assert intake["referrals"]
    assert all(r["urgent"] and r["due_at"] for r in intake["referrals"])
    feed = client.get("/api/v1/referrals", headers=world.thuiszorg.headers).json()["data"]
    assert feed[0]["urgent"] is True


def test_classifier_eval_command(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_text(
        json.dumps({"text": "De huur is te hoog", "domains": ["wonen"]})
        + "\n"
        + json.dumps({"text": "Ik ben eenzaam", "domains": ["welzijn"], "urgent": False})
        + "\n"
    )
    r = CliRunner().invoke(cli, ["classifier", "eval", "--data", str(f), "--json"])
    assert r.exit_code == 0, r.output
    figures = json.loads(r.stdout)
    assert figures["examples"] == 2
    assert set(figures["domains"]) == {"wonen", "welzijn", "zorg"}
    assert "macro_f1" in figures
    # Two files are evaluated as one set.
    r = CliRunner().invoke(
        cli, ["classifier", "eval", "--data", str(f), "--data", str(f), "--json"]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["examples"] == 4
    assert json.loads(r.stdout)["data"] == [str(f), str(f)]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = CliRunner().invoke(cli, ["classifier", "eval", "--data", str(empty)])
    assert r.exit_code == 1
    assert "no labelled rows" in r.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n')
    r = CliRunner().invoke(cli, ["classifier", "eval", "--data", str(bad)])
    assert r.exit_code == 1
    assert "domains" in r.output


@pytest.mark.parametrize("split", ["test5.jsonl", "test6.jsonl"])
def test_classifier_train_refuses_the_test_splits(split):
    r = CliRunner().invoke(
        cli,
        [
            "classifier",
            "train",
            "--data",
            "tests/data/classifier/train.jsonl",
            "--data",
            f"tests/data/classifier/{split}",
            "--output",
            "/dev/null",
        ],
    )
    assert r.exit_code == 1
    assert "held out" in r.output


# Ten labelled questions, enough for a 2-fold cross-validation.
TINY = [
    ("De huur is te hoog en ik kan hem niet betalen", ["wonen"]),
    ("Mijn huurachterstand loopt op", ["wonen"]),
    ("De lekkage in de badkamer is nog niet gemaakt", ["wonen"]),
    ("Ik ben eenzaam en zie niemand", ["welzijn"]),
    ("Ik zoek een maatje om mee te wandelen", ["welzijn"]),
    ("Hulp bij het invullen van formulieren graag", ["welzijn"]),
    ("Mijn moeder heeft hulp nodig bij het douchen", ["zorg"]),
    ("Vader vergeet zijn medicijnen", ["zorg"]),
    ("Ik heb een rollator nodig", ["zorg"]),
    ("Wie helpt mij met aankleden in de ochtend", ["zorg"]),
]


def _labelled_file(path, texts):
    path.write_text("".join(json.dumps({"text": t, "domains": d}) + "\n" for t, d in texts))
    return path


def test_classifier_cv_command(tmp_path):
    # Every row is answered by a model that never saw it; the test split is refused.
    f = _labelled_file(tmp_path / "x.jsonl", TINY)
    r = CliRunner().invoke(cli, ["classifier", "cv", "--data", str(f), "--folds", "2"])
    assert r.exit_code == 0, r.output
    assert "2-fold cross-validation" in r.output
    assert "macro-F1" in r.output
    r = CliRunner().invoke(cli, ["classifier", "cv", "--data", "tests/data/classifier/test5.jsonl"])
    assert r.exit_code == 1
    assert "held out" in r.output


def test_classifier_cv_by_writer(tmp_path):
    # Rows without ids: each file is one writer, answered by a model trained on the other only.
    # Every other question per file, so each writer has every domain.
    args = ["classifier", "cv", "--by-writer"]
    for name, texts in (("a", TINY[0::2]), ("b", TINY[1::2])):
        args += ["--data", str(_labelled_file(tmp_path / f"{name}.jsonl", texts))]
    r = CliRunner().invoke(cli, [*args, "--folds", "2"])
    assert r.exit_code == 0, r.output
    assert "2-fold by-writer cross-validation on a+b: 10 examples" in r.output
    r = CliRunner().invoke(cli, args)  # 5 folds need 5 writers
    assert r.exit_code == 1
    assert "at least 5 writers" in r.output


def test_a_writer_is_an_ids_letters_across_files():
    from pathlib import Path

    from app.cli.classifier import _writer

    # train, dev and train_t1 are all the first writer's (q…): one group, not three.
    assert _writer({"id": "q0001"}, Path("train.jsonl")) == "q"
    assert _writer({"id": "q0450"}, Path("dev.jsonl")) == "q"
    assert _writer({"id": "tc012"}, Path("train_t3.jsonl")) == "tc"
    assert _writer({"text": "zonder id"}, Path("corrections.jsonl")) == "corrections"
