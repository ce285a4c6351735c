"""Quality on the labelled data, and the model artefact matches the data it claims to be from."""

import json
from pathlib import Path

from app.classification import evaluate, model, service
from app.classification.schemas import Domain

DATA = Path(__file__).resolve().parents[1] / "data" / "classifier"


def _report(split: str) -> evaluate.Report:
    rows = evaluate.load_jsonl(DATA / f"{split}.jsonl")

    def predict(text: str) -> tuple[set[str], bool]:
        result = service.classify(text)
        return {str(d) for d in result.labels()}, result.urgent

    return evaluate.evaluate(rows, predict)


def test_dataset_shape():
    rows = [r for s in ("train", "dev", "test") for r in evaluate.load_jsonl(DATA / f"{s}.jsonl")]
    assert len(rows) >= 400
    assert sum(len(r["domains"]) > 1 for r in rows) / len(rows) >= 0.30
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    test_texts = {r["text"] for r in evaluate.load_jsonl(DATA / "test.jsonl")}
    train_texts = {
        r["text"]
        for s in ("train", "train_extra", "train_more", "dev")
        for r in evaluate.load_jsonl(DATA / f"{s}.jsonl")
    }
    assert not test_texts & train_texts


def test_held_out_quality_does_not_regress():
    # Floors just under the level measured for lexicon-1.3 (see README: macro-F1 0.875, recall
    # wonen 0.955, welzijn 0.816, zorg 0.946, urgent 0.95). Macro-F1 and welzijn recall are
    # below the targets of 0.90 / 0.90; welzijn recall fell from 0.898 (lexicon-1.2) although
    # cross-validation on the training files rose (0.879 -> 0.896). They catch a change that
    # makes things worse.
    d = _report("test").as_dict()
    assert d["macro_f1"] >= 0.87
    recall = {name: m["recall"] for name, m in d["domains"].items()}
    assert recall["wonen"] >= 0.93
    assert recall["welzijn"] >= 0.80
    assert recall["zorg"] >= 0.92
    assert d["urgent"]["recall"] >= 0.90


def test_model_artefact_is_trained_from_the_shipped_data():
    files = [
        DATA / "train.jsonl",
        DATA / "train_extra.jsonl",
        DATA / "train_more.jsonl",
        DATA / "dev.jsonl",
    ]
    shipped = model.load()
    assert shipped is not None
    assert shipped.version == f"lr-{model.data_digest(files)}", (
        "app/classification/model.json is stale: run `wijkwinkel classifier train`"
    )
    rows = [r for f in files for r in evaluate.load_jsonl(f)]
    retrained, _ = model.fit(rows, service.engine(), version=shipped.version)
    assert retrained.thresholds == shipped.thresholds
    for domain in Domain:
        assert abs(retrained.bias[domain] - shipped.bias[domain]) < 1e-3


def test_eval_metrics_on_a_tiny_file(tmp_path):
    f = tmp_path / "mini.jsonl"
    rows = [
        {"text": "a", "domains": ["wonen"], "urgent": True},
        {"text": "b", "domains": ["wonen", "zorg"], "urgent": False},
        {"text": "c", "domains": ["welzijn"]},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows))
    answers = {"a": ({"wonen"}, False), "b": ({"wonen"}, True), "c": ({"welzijn", "zorg"}, False)}
    report = evaluate.evaluate(evaluate.load_jsonl(f), lambda t: answers[t])
    d = report.as_dict()
    assert d["domains"]["wonen"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2}
    assert d["domains"]["zorg"]["precision"] == 0.0
    assert d["domains"]["zorg"]["recall"] == 0.0
    assert d["urgent"]["recall"] == 0.0
    assert d["urgent"]["support"] == 1
    assert d["exact_match"] == round(1 / 3, 4)
