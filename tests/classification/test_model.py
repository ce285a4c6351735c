"""The learned layer's fast path must give exactly what the feature dict gives."""

import json
import os
import subprocess
import sys
from pathlib import Path

from app.classification import learned
from app.classification.service import engine, model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "classifier"


def _texts(*splits: str) -> list[str]:
    return [
        json.loads(line)["text"]
        for split in splits
        for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def test_assess_equals_scoring_the_features():
    m = model()
    assert m is not None
    texts = [
        *_texts("train", "dev", "foreign"),
        "Geen hulp nodig bij het wassen, wel bij de boodschappen?",
        "Ik wil niet meer leven.",
        "",
    ]
    for text in texts:
        analysis = engine().analyse(text)
        x = learned.features(analysis)
        got = m.assess(analysis)
        # Exactly equal, not close: the same rows summed in the same order.
        assert (got.scores, got.urgency) == m.score_all(x), text
        assert got.top_words() == m.top_words(x), text


def test_evidence_does_not_depend_on_the_process():
    """Python salts string hashes per process; the words shown as evidence must not follow."""
    code = (
        "import json, sys; from app.classification.service import classify;"
        "print(json.dumps([classify(t).as_dict() for t in json.load(sys.stdin)]))"
    )
    texts = json.dumps(_texts("train")[:150])
    answers = [
        subprocess.run(
            [sys.executable, "-c", code],
            input=texts,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert answers[0] == answers[1]


def test_a_feature_the_model_does_not_know_weighs_nothing():
    """Unknown features read the model's zero row: they change no score."""
    import pytest

    m = model()
    assert m is not None
    x = learned.features(engine().analyse("De trap naar de badkamer lukt niet meer."))
    scores, urgency = m.score_all(x)
    more, more_urgency = m.score_all(
        {**x, "w:qqqzzz": 1.0, "lex:wonen.onbekend": 0.9, "ask:zorg.onbekend": 0.7}
    )
    assert more == pytest.approx(scores, abs=1e-12)
    assert more_urgency == pytest.approx(urgency, abs=1e-12)
    assert m.score_all({}) == m.score_all({"w:qqqzzz": 1.0})  # the bias alone
