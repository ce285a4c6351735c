"""The learned layer at run time: logistic regressions over the lexicon's findings and word stems.

The lexicon says what a text mentions; the model learns, from the labelled train split, when a
mention is a need (``the thuiszorg comes twice a day`` mentions care, but asks for company).
There is one head per domain, one for urgency and one per subcategory; a domain's score is the
mean of its own head and the noisy-OR of its subcategory heads (the subcategory labels are finer
supervision: "douchestoel" is zorg.hulpmiddelen, "douche aanpassen" wonen.woningaanpassing).
It is trained (model.py, by ``wijkwinkel classifier train``) into ``model.json`` beside this
file (under a megabyte, committed), so nothing is trained or downloaded when the service starts;
scoring is one small numpy product over the features a text has."""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from app.classification.domains import Domain
from app.classification.engine import Analysis
from app.classification.lexicon import DUTCH_FUNCTION_WORDS

DOMAINS = tuple(Domain)  # iterating the enum itself is slow on the hot path
MODEL_FILE = Path(__file__).with_name("model.json")
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
    for label, score in analysis.request_scores.items():
        x[f"ask:{label}"] = score
    for stem in analysis.stems - STOP:
        x[f"w:{stem}"] = 1.0
    for stem in analysis.negated_stems - STOP:
        x[f"neg:{stem}"] = 1.0
    return x


_FAMILIES = ("lex:", "dom:", "urgent:", "urgency:", "ask:", "w:", "neg:")


@dataclass(slots=True)
class Assessment:
    """The learned layer's answer for one text."""

    scores: dict[Domain, float]
    urgency: float
    # The text's word stems that push a head up (see Model._pushes), for the evidence.
    pushed: list[tuple[str, tuple[tuple[int, float], ...]]]
    _top: list[list[str]] | None = None

    def top_words(self, top: int = 4) -> list[list[str]]:
        """As Model.top_words: per head (the domains, then urgency), the stems that pushed it
        up most."""
        if self._top is None:
            # A word feature's value is 1.0.
            self._top = _strongest(((stem, 1.0, p) for stem, p in self.pushed), top)
        return self._top


def _strongest(
    pushed: Iterable[tuple[str, float, tuple[tuple[int, float], ...]]], top: int
) -> list[list[str]]:
    """Per head (the domains, then urgency): the ``top`` stems whose value times weight pushed
    it up by more than 0.3, strongest first. ``pushed``: (stem, feature value, Model._pushes)."""
    found: list[list[tuple[float, str]]] = [[] for _ in range(len(DOMAINS) + 1)]
    for stem, v, pushes in pushed:
        for i, wi in pushes:
            if (push := v * wi) > 0.3:
                found[i].append((push, stem))
    # sorted()[:top] is what heapq.nlargest gives (documented), and faster on a few items.
    return [
        [word for _, word in sorted(head, reverse=True)[:top]] if head else [] for head in found
    ]


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
    # One head per subcategory ("zorg.hulpmiddelen"): finer supervision than the domain label.
    # A domain's score is the mean of its own head and the noisy-OR of its subcategory heads.
    sub_weights: dict[str, dict[str, float]] = field(default_factory=dict)
    sub_bias: dict[str, float] = field(default_factory=dict)
    # Per word feature, the domain and urgency heads it pushes up by more than 0.3 (evidence).
    _pushes: dict[str, tuple[tuple[int, float], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # All heads as one matrix (feature row x head column) for scoring in one product.
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    _matrix: Any = field(default=None, compare=False, repr=False)
    # The all-zero row's index (the last row), set in __post_init__.
    _zero: int = field(default=-1, compare=False, repr=False)
    _bias: Any = field(default=None, compare=False, repr=False)
    _groups: tuple[tuple[int, ...], ...] = field(default=(), compare=False, repr=False)
    _families: dict[str, dict[str, int]] = field(default_factory=dict, compare=False, repr=False)
    _stem_pushes: dict[str, tuple[tuple[int, float], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # Column order: wonen, welzijn, zorg (Domain order), urgency, then the subcategories.
        assert list(Domain) == [Domain.wonen, Domain.welzijn, Domain.zorg]
        main = [*(self.weights[d] for d in Domain), self.urgent_weights]
        subs = sorted(self.sub_weights)
        heads = [*main, *(self.sub_weights[s] for s in subs)]
        keys = sorted({k for w in heads for k in w})
        pushes = {
            k: tuple((i, w[k]) for i, w in enumerate(main) if w.get(k, 0.0) > 0.3)
            for k in {k for w in main for k in w if k.startswith("w:")}
        }
        matrix = np.array([[w.get(k, 0.0) for w in heads] for k in keys], dtype=np.float64)
        bias = np.array(
            [*(self.bias[d] for d in Domain), self.urgent_bias, *(self.sub_bias[s] for s in subs)]
        )
        groups = tuple(
            tuple(len(main) + j for j, s in enumerate(subs) if s.startswith(f"{d}."))
            for d in Domain
        )
        object.__setattr__(self, "_pushes", {k: v for k, v in pushes.items() if v})
        object.__setattr__(self, "_index", {k: i for i, k in enumerate(keys)})
        # One row more, all zeros: where a feature the model does not know is looked up.
        zero_row = np.zeros((1, len(heads)))
        matrix = np.vstack([matrix.reshape(len(keys), len(heads)), zero_row])
        object.__setattr__(self, "_matrix", matrix)
        object.__setattr__(self, "_zero", len(keys))
        object.__setattr__(self, "_bias", bias)
        object.__setattr__(self, "_groups", groups)
        # The same rows by feature family and name ("w:", "trap"), so assess() finds a text's
        # rows without building the feature names.
        families: dict[str, dict[str, int]] = {f: {} for f in _FAMILIES}
        for k, i in self._index.items():
            family, _, name = k.partition(":")
            families.setdefault(family + ":", {})[name] = i
        object.__setattr__(self, "_families", families)
        object.__setattr__(self, "_stem_pushes", {k[2:]: v for k, v in self._pushes.items()})

    def score_all(self, x: dict[str, float]) -> tuple[dict[Domain, float], float]:
        """Domain scores and the urgency score, in one product over the features."""
        zero = self._zero
        return self._score_rows(list(map(self._index.get, x, repeat(zero))), list(x.values()))

    def assess(self, analysis: Analysis) -> "Assessment":
        """What ``score_all(features(analysis))`` and ``top_words`` give, without building the
        features: the rows are looked up by family and name, in the order features() has them
        (the same rows, so the same scores). The hot path of every classification: the lookups
        run in C (map), a feature the model does not know reading the zero row."""
        fam = self._families
        zero = repeat(self._zero)
        labels, domains = analysis.label_scores, analysis.domain_scores
        signals = {r: v for r, v in analysis.urgent_scores.items() if v}
        asks = analysis.request_scores
        stems = analysis.stems - STOP
        rows = [
            *map(fam["lex:"].get, labels, zero),
            *map(fam["dom:"].get, domains, zero),
            *map(fam["urgent:"].get, analysis.urgent_reasons, zero),
            *map(fam["urgency:"].get, signals, zero),
            *map(fam["ask:"].get, asks, zero),
            *map(fam["w:"].get, stems, zero),
        ]
        values = [
            *labels.values(),
            *domains.values(),
            *[1.0] * len(analysis.urgent_reasons),
            *signals.values(),
            *asks.values(),
            *[1.0] * len(stems),
        ]
        if analysis.negated_stems:
            negated = analysis.negated_stems - STOP
            rows += map(fam["neg:"].get, negated, zero)
            values += [1.0] * len(negated)
        scores, urgency = self._score_rows(rows, values)
        pushes = self._stem_pushes
        pushed = [(stem, pushes[stem]) for stem in stems if stem in pushes]
        return Assessment(scores=scores, urgency=urgency, pushed=pushed)

    def _score_rows(
        self, rows: list[int], values: list[float]
    ) -> tuple[dict[Domain, float], float]:
        z: list[float] = (
            (np.dot(values, self._matrix.take(rows, 0)) + self._bias) if rows else self._bias
        ).tolist()
        exp = math.exp
        p = [1.0 / (1.0 + exp(-zj)) if zj > -30.0 else 0.0 for zj in z]
        q = [1.0 - pj for pj in p]
        scores: dict[Domain, float] = {}
        for j, (domain, group) in enumerate(zip(DOMAINS, self._groups, strict=True)):
            if group:
                # math.prod multiplies in order from 1.0: the same product as a loop would.
                miss = math.prod(map(q.__getitem__, group))
                scores[domain] = (p[j] + 1.0 - miss) / 2
            else:
                scores[domain] = p[j]
        return scores, p[len(DOMAINS)]

    def top_words(self, x: dict[str, float], top: int = 4) -> list[list[str]]:
        """Per head (the domains, then urgency): the word stems that pushed it up most, in one
        pass over the features (part of the evidence)."""
        pushes = self._pushes
        return _strongest(((k[2:], v, pushes[k]) for k, v in x.items() if k in pushes), top)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "bias": {str(d): b for d, b in self.bias.items()},
            "thresholds": {str(d): t for d, t in self.thresholds.items()},
            "weights": {
                str(d): {k: round(v, 5) for k, v in sorted(w.items()) if abs(v) >= 1e-4}
                for d, w in self.weights.items()
            },
            "subcategories": {
                "bias": dict(sorted(self.sub_bias.items())),
                "weights": {
                    sub: {k: round(v, 5) for k, v in sorted(w.items()) if abs(v) >= 1e-4}
                    for sub, w in sorted(self.sub_weights.items())
                },
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
            sub_weights={
                s: dict(w) for s, w in data.get("subcategories", {}).get("weights", {}).items()
            },
            sub_bias={
                s: float(b) for s, b in data.get("subcategories", {}).get("bias", {}).items()
            },
        )


def load(path: Path = MODEL_FILE) -> Model | None:
    if not path.exists():
        return None
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))
