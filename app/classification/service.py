"""A first, keyword-based classifier. Explainable: every label names the words behind it.

Its quality is not the point yet; the interface is: classify(text) -> Classification.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from app.classification.schemas import Domain

CLASSIFIER_VERSION = "keywords-0.1"
THRESHOLD = 0.5

# Stems matched at the start of a word, after folding case and diacritics.
KEYWORDS: dict[Domain, tuple[str, ...]] = {
    Domain.wonen: (
        "woning",
        "huis",
        "huur",
        "verhuiz",
        "trap",
        "badkamer",
        "douche",
        "drempel",
        "lekkage",
        "schimmel",
        "reparatie",
        "corporatie",
        "urgentie",
        "overlast",
        "buren",
        "seniorenwoning",
        "aanpassing",
        "traplift",
        "verwarming",
        "kapot",
    ),
    Domain.welzijn: (
        "eenzaam",
        "alleen",
        "contact",
        "schuld",
        "rekening",
        "geld",
        "formulier",
        "digid",
        "brief",
        "vrijwilliger",
        "buurthuis",
        "mantelzorg",
        "ontmoet",
        "maatje",
        "toeslag",
        "belasting",
        "voedselbank",
        "budget",
    ),
    Domain.zorg: (
        "zorg",
        "wassen",
        "douchen",
        "aankleden",
        "verpleeg",
        "medicijn",
        "medicatie",
        "huishoud",
        "schoonma",
        "rollator",
        "rolstoel",
        "hulpmiddel",
        "dement",
        "vergeet",
        "geheugen",
        "somber",
        "depress",
        "angst",
        "psychisch",
        "gevallen",
        "valt",
        "wond",
        "insuline",
        "thuiszorg",
        "wijkverpleg",
    ),
}


@dataclass(frozen=True, slots=True)
class DomainResult:
    domain: Domain
    score: float
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Classification:
    domains: list[DomainResult]
    version: str = CLASSIFIER_VERSION

    @property
    def low_confidence(self) -> bool:
        return not self.domains

    def labels(self) -> list[Domain]:
        return [d.domain for d in self.domains]

    def as_dict(self) -> dict[str, object]:
        return {
            "domains": [
                {"domain": str(d.domain), "score": d.score, "evidence": d.evidence}
                for d in self.domains
            ],
            "classifier_version": self.version,
            "low_confidence": self.low_confidence,
        }


_WORD = re.compile(r"[a-z0-9]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def classify(text: str) -> Classification:
    words = _WORD.findall(_fold(text))
    results: list[DomainResult] = []
    for domain, stems in KEYWORDS.items():
        evidence = sorted({w for w in words if w.startswith(stems)})
        if not evidence:
            continue
        score = round(min(1.0, 0.4 + 0.2 * len(evidence)), 2)
        if score >= THRESHOLD:
            results.append(DomainResult(domain=domain, score=score, evidence=evidence))
    results.sort(key=lambda r: (-r.score, r.domain))
    return Classification(domains=results)
