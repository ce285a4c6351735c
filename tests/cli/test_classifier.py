"""`wijkwinkel classifier train` keeps the shipped model unless the new one does no worse on
the held-out set."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.cli.classifier import CLASSIFIER_DATA

runner = CliRunner()


def _small_training_file(tmp_path: Path, n: int) -> Path:
    lines = (CLASSIFIER_DATA / "train.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    path = tmp_path / "train_small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_worse_model_does_not_replace_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.classification import learned

    shipped = tmp_path / "model.json"
    shipped.write_bytes(learned.MODEL_FILE.read_bytes())
    monkeypatch.setattr(learned, "MODEL_FILE", shipped)
    small = _small_training_file(tmp_path, 150)  # far too little to learn the task from
    r = runner.invoke(cli, ["classifier", "train", "--data", str(small)])
    assert r.exit_code == 1, r.output
    assert "does worse on the held-out set" in r.output
    assert "macro-F1" in r.output
    assert shipped.read_bytes() == (Path(learned.__file__).parent / "model.json").read_bytes()
    # Written elsewhere it is kept, to compare.
    elsewhere = tmp_path / "candidate.json"
    r = runner.invoke(
        cli, ["classifier", "train", "--data", str(small), "--output", str(elsewhere)]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(elsewhere.read_text(encoding="utf-8"))


def test_the_test_split_is_never_training_data(tmp_path: Path) -> None:
    r = runner.invoke(cli, ["classifier", "train", "--data", str(CLASSIFIER_DATA / "test5.jsonl")])
    assert r.exit_code == 1
    assert "held out" in r.output


def test_eval_reports_false_urgent_flags_and_questions_without_a_domain() -> None:
    r = runner.invoke(cli, ["classifier", "eval", "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert 0 <= report["urgent"]["false_alarm_rate"] <= 1
    assert report["urgent"]["false_alarms"] <= report["urgent"]["not_urgent"]
    assert report["no_domain"] <= report["examples"]
