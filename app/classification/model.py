"""The learned layer: one logistic regression per domain over the lexicon's findings and word stems.

The lexicon says what a text mentions; the model learns, from the labelled train split, when a
mention is a need (``the thuiszorg comes twice a day`` mentions care, but asks for company). It
is trained by ``wijkwinkel classifier train`` into ``model.json`` beside this file (a few hundred
kilobytes, committed), so nothing is trained or downloaded when the service starts, and the
runtime needs no numerical library: scoring is a sparse dot product.
"""

import heapq
import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.classification.engine import Analysis, Engine
from app.classification.lexicon import DUTCH_FUNCTION_WORDS
from app.classification.schemas import Domain

MODEL_FILE = Path(__file__).with_name("model.json")
MIN_STEM_COUNT = 2
URGENT_MIN_RECALL = 0.95
# Words that say nothing about a domain: not features, never evidence.
STOP = frozenset(DUTCH_FUNCTION_WORDS) | {
    "heb",
    "hebt",
    "ben",
    "zijn",
    "word",
    "wordt",
    "ook",
    "vraag",
}


def features(analysis: Analysis) -> dict[str, float]:
    """What the model sees of a text: lexicon scores per (sub)category and domain, safety
    signals, and the stems of the words in it."""
    x: dict[str, float] = {}
    for label, score in analysis.label_scores.items():
        x[f"lex:{label}"] = score
    for domain, score in analysis.domain_scores.items():
        x[f"dom:{domain}"] = score
    for reason in analysis.urgent_reasons:
        x[f"urgent:{reason}"] = 1.0
    for reason, score in analysis.urgent_scores.items():
        if score:
            x[f"urgency:{reason}"] = score
    for stem in analysis.stems - STOP:
        x[f"w:{stem}"] = 1.0
    for stem in analysis.negated_stems - STOP:
        x[f"neg:{stem}"] = 1.0
    return x


@dataclass(frozen=True, slots=True)
class Model:
    weights: dict[Domain, dict[str, float]]
    bias: dict[Domain, float]
    thresholds: dict[Domain, float]
    version: str
    # The urgency head: is there a safety signal at all (the rules name which).
    urgent_weights: dict[str, float] = field(default_factory=dict)
    urgent_bias: float = 0.0
    urgent_threshold: float = 1.0
    # Per feature, its weight for each domain: one lookup per feature when scoring.
    _joint: dict[str, tuple[float, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Column order: wonen, welzijn, zorg (Domain order), urgency.
        assert list(Domain) == [Domain.wonen, Domain.welzijn, Domain.zorg]
        heads = [*(self.weights[d] for d in Domain), self.urgent_weights]
        keys = {k for w in heads for k in w}
        joint = {k: tuple(w.get(k, 0.0) for w in heads) for k in keys}
        object.__setattr__(self, "_joint", joint)

    def score_all(self, x: dict[str, float]) -> tuple[dict[Domain, float], float]:
        """Domain scores and the urgency score, in one pass over the features."""
        wonen, welzijn, zorg = Domain.wonen, Domain.welzijn, Domain.zorg
        z0, z1, z2, z3 = self.bias[wonen], self.bias[welzijn], self.bias[zorg], self.urgent_bias
        joint = self._joint
        for k, v in x.items():
            w = joint.get(k)
            if w is not None:  # unrolled: this loop runs for every word of every question
                z0 += v * w[0]
                z1 += v * w[1]
                z2 += v * w[2]
                z3 += v * w[3]

        def p(z: float) -> float:
            return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

        return {wonen: p(z0), welzijn: p(z1), zorg: p(z2)}, p(z3)

    def scores(self, x: dict[str, float]) -> dict[Domain, float]:
        return self.score_all(x)[0]

    def urgency(self, x: dict[str, float]) -> float:
        return self.score_all(x)[1]

    def top_words(self, x: dict[str, float], top: int = 4) -> list[list[str]]:
        """Per head (the domains, then urgency): the word stems that pushed it up most, in one
        pass over the features (part of the evidence)."""
        joint = self._joint
        found: list[list[tuple[float, str]]] = [[] for _ in range(len(Domain) + 1)]
        for k, v in x.items():
            if not k.startswith("w:"):
                continue
            w = joint.get(k)
            if w is None:
                continue
            for i, wi in enumerate(w):
                if v * wi > 0.3:
                    found[i].append((v * wi, k[2:]))
        return [[word for _, word in heapq.nlargest(top, head)] for head in found]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "bias": {str(d): b for d, b in self.bias.items()},
            "thresholds": {str(d): t for d, t in self.thresholds.items()},
            "weights": {
                str(d): {k: round(v, 5) for k, v in sorted(w.items()) if abs(v) >= 1e-4}
                for d, w in self.weights.items()
            },
            "urgent": {
                "bias": self.urgent_bias,
                "threshold": self.urgent_threshold,
                "weights": {
                    k: round(v, 5) for k, v in sorted(self.urgent_weights.items()) if abs(v) >= 1e-4
                },
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Model":
        return cls(
            weights={Domain(d): dict(w) for d, w in data["weights"].items()},
            bias={Domain(d): float(b) for d, b in data["bias"].items()},
            thresholds={Domain(d): float(t) for d, t in data["thresholds"].items()},
            version=str(data["version"]),
            urgent_weights=dict(data.get("urgent", {}).get("weights", {})),
            urgent_bias=float(data.get("urgent", {}).get("bias", 0.0)),
            urgent_threshold=float(data.get("urgent", {}).get("threshold", 1.0)),
        )


def save(model: Model, path: Path = MODEL_FILE) -> None:
    path.write_text(json.dumps(model.to_json(), indent=0, sort_keys=True) + "\n", encoding="utf-8")


def data_digest(files: Iterable[Path]) -> str:
    """Names the training data, so a model's version says what it learned from."""
    import hashlib

    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:10]


def load(path: Path = MODEL_FILE) -> Model | None:
    if not path.exists():
        return None
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))


def train(
    rows: Iterable[dict[str, Any]],
    engine: Engine,
    *,
    l2: float = 1.0,
    epochs: int = 400,
    learning_rate: float = 0.5,
    version: str,
) -> Model:
    """Full-batch gradient descent on the logistic loss with L2, per domain (numpy)."""
    import numpy as np

    data = list(rows)
    xs = [features(engine.analyse(r["text"])) for r in data]
    counts = Counter(k for x in xs for k in x if k.startswith(("w:", "neg:")))
    vocab = sorted(
        {
            k
            for x in xs
            for k in x
            if not k.startswith(("w:", "neg:")) or counts[k] >= MIN_STEM_COUNT
        }
    )
    index = {k: i for i, k in enumerate(vocab)}
    matrix = np.zeros((len(xs), len(vocab)))
    for row, x in enumerate(xs):
        for k, v in x.items():
            if k in index:
                matrix[row, index[k]] = v
    n = len(xs)

    def fit_head(y: Any) -> tuple[dict[str, float], float]:
        w = np.zeros(len(vocab))
        b = 0.0
        for _ in range(epochs):
            p = 1.0 / (1.0 + np.exp(-(matrix @ w + b)))
            grad = matrix.T @ (p - y) / n + l2 * w / n
            w -= learning_rate * grad
            b -= learning_rate * float(np.mean(p - y))
        return {k: float(w[i]) for k, i in index.items()}, b

    weights: dict[Domain, dict[str, float]] = {}
    bias: dict[Domain, float] = {}
    for domain in Domain:
        y = np.array([1.0 if str(domain) in r["domains"] else 0.0 for r in data])
        weights[domain], bias[domain] = fit_head(y)
    urgent = np.array([1.0 if r.get("urgent") else 0.0 for r in data])
    urgent_weights, urgent_bias = fit_head(urgent)
    return Model(
        weights=weights,
        bias=bias,
        thresholds=dict.fromkeys(Domain, 0.5),
        version=version,
        urgent_weights=urgent_weights,
        urgent_bias=urgent_bias,
    )


def fit(
    rows: list[dict[str, Any]],
    engine: Engine,
    *,
    version: str,
    l2: float = 1.0,
    folds: int = 5,
    min_recall: float = 0.9,
    seed: int = 7,
) -> tuple[Model, dict[str, Any]]:
    """Train on all rows; choose each domain's threshold from out-of-fold scores (k-fold cross-
    validation), as the one with the best F1 among those that keep recall >= min_recall."""
    import random

    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)  # noqa: S311  (reproducible folds, not secrecy)
    oof: list[dict[Domain, float]] = [{} for _ in rows]
    oof_urgency: list[float] = [0.0 for _ in rows]
    for k in range(folds):
        held = {i for n, i in enumerate(order) if n % folds == k}
        part = train(
            [r for i, r in enumerate(rows) if i not in held], engine, l2=l2, version=version
        )
        for i in held:
            x = features(engine.analyse(rows[i]["text"]))
            oof[i] = part.scores(x)
            oof_urgency[i] = part.urgency(x)
    thresholds: dict[Domain, float] = {}
    report: dict[str, Any] = {}
    for domain in Domain:
        gold = [str(domain) in r["domains"] for r in rows]
        best: tuple[float, float, float, float] | None = None  # (f1, t, precision, recall)
        for step in range(5, 96):
            t = step / 100
            tp = sum(1 for s, g in zip(oof, gold, strict=True) if g and s[domain] >= t)
            fp = sum(1 for s, g in zip(oof, gold, strict=True) if not g and s[domain] >= t)
            fn = sum(1 for s, g in zip(oof, gold, strict=True) if g and s[domain] < t)
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            if recall >= min_recall and (best is None or f1 > best[0]):
                best = (f1, t, precision, recall)
        chosen = best or (0.0, 0.05, 0.0, 0.0)
        thresholds[domain] = chosen[1]
        report[str(domain)] = {
            "threshold": chosen[1],
            "cv_f1": round(chosen[0], 4),
            "cv_precision": round(chosen[2], 4),
            "cv_recall": round(chosen[3], 4),
        }
    report["cv_macro_f1"] = round(sum(report[str(d)]["cv_f1"] for d in Domain) / len(Domain), 4)
    # Urgency: the highest threshold at which the learned head alone keeps recall >= 0.95 out
    # of fold; at run time it is OR-ed with the rules, which name the reason.
    labelled = [bool(r.get("urgent")) for r in rows]
    positives = sum(labelled)
    urgent_threshold = 0.5
    report["urgent_head"] = {"threshold": urgent_threshold}
    for step in range(50, 4, -1):
        t = step / 100
        tp = sum(1 for u, g in zip(oof_urgency, labelled, strict=True) if g and u >= t)
        fp = sum(1 for u, g in zip(oof_urgency, labelled, strict=True) if not g and u >= t)
        if positives and tp / positives >= URGENT_MIN_RECALL:
            urgent_threshold = t
            report["urgent_head"] = {
                "threshold": t,
                "cv_recall": round(tp / positives, 4),
                "cv_precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            }
            break

    final = train(rows, engine, l2=l2, version=version)
    return (
        Model(
            weights=final.weights,
            bias=final.bias,
            thresholds=thresholds,
            version=version,
            urgent_weights=final.urgent_weights,
            urgent_bias=final.urgent_bias,
            urgent_threshold=urgent_threshold,
        ),
        report,
    )
