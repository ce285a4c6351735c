"""Classify a question: domains with subcategories, scores, evidence and safety signals."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.classification import learned, lexicon
from app.classification.domains import Domain
from app.classification.engine import Engine

LEXICON_VERSION = "lexicon-1.8"

# Tuned on the train and dev splits for recall: a missed care need costs more than an extra
# referral. The test split is never used to set these.
THRESHOLD = 0.5
SUBCATEGORY_THRESHOLD = 0.45
_PREFIX = {d: f"{d}." for d in Domain}


@dataclass(frozen=True, slots=True)
class DomainResult:
    domain: Domain
    score: float
    evidence: list[str] = field(default_factory=list)
    subcategories: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Classification:
    domains: list[DomainResult]
    urgent_reasons: list[str]
    urgent_evidence: dict[str, list[str]]
    low_confidence_reason: str | None
    version: str = LEXICON_VERSION

    @property
    def urgent(self) -> bool:
        return bool(self.urgent_reasons)

    @property
    def low_confidence(self) -> bool:
        return self.low_confidence_reason is not None

    def labels(self) -> list[Domain]:
        return [d.domain for d in self.domains]

    def guidance(self) -> list[str]:
        return guidance_for(self.urgent_reasons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "domains": [
                {
                    "domain": str(d.domain),
                    "score": d.score,
                    "evidence": d.evidence,
                    "subcategories": d.subcategories,
                }
                for d in self.domains
            ],
            "classifier_version": self.version,
            "low_confidence": self.low_confidence,
            "low_confidence_reason": self.low_confidence_reason,
            "urgent": self.urgent,
            "urgent_reasons": self.urgent_reasons,
            "urgent_evidence": self.urgent_evidence,
            "guidance": self.guidance(),
        }


def guidance_for(reasons: Iterable[str]) -> list[str]:
    """What to do now for these urgent reasons, in Dutch (113, Veilig Thuis, 112); a reason
    stored by an older lexicon without guidance is passed over."""
    return [lexicon.GUIDANCE[r] for r in reasons if r in lexicon.GUIDANCE]


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine()


@lru_cache(maxsize=1)
def model() -> learned.Model | None:
    return learned.load()


def version() -> str:
    m = model()
    return f"{LEXICON_VERSION}+{m.version}" if m else LEXICON_VERSION


def warm_up() -> None:
    """Build the engine and load the model now, not on the first request."""
    engine()
    model()
    classify("Warm-up: de trap naar de badkamer lukt niet meer.")


def classify(text: str, *, using: learned.Model | None = None) -> Classification:
    """Classify with the shipped model, or with ``using`` (cross-validation folds)."""
    analysis = engine().analyse(text)
    m = using or model()
    assessment: learned.Assessment | None = None
    if m is not None:
        assessment = m.assess(analysis)
        scores, urgency, thresholds = assessment.scores, assessment.urgency, m.thresholds
        urgent_threshold = m.urgent_threshold
    else:
        scores, thresholds = analysis.domain_scores, dict.fromkeys(Domain, THRESHOLD)
        urgency, urgent_threshold = 0.0, 1.0
    results: list[DomainResult] = []
    for position, domain in enumerate(learned.DOMAINS):
        score = scores[domain]
        if score < thresholds[domain]:
            continue
        evidence = list(analysis.evidence[domain])
        if assessment is not None:
            words = assessment.top_words()
            # The learned layer's stems as the text wrote them ("sind" -> "sinds").
            written = [analysis.surface.get(w, w) for w in words[position]]
            evidence += [w for w in dict.fromkeys(written) if w not in evidence]
        if not evidence or not analysis.dutch:
            continue  # a label must name the words behind it
        prefix = _PREFIX[domain]  # formatting the enum each time is slow
        subs = sorted(
            (
                (label[len(prefix) :], s)
                for label, s in analysis.label_scores.items()
                if label.startswith(prefix) and label != prefix
            ),
            key=lambda item: -item[1],
        )
        chosen = [x for x in subs if x[1] >= SUBCATEGORY_THRESHOLD] or subs[:1]
        results.append(
            DomainResult(
                domain=domain,
                score=round(score, 2),
                evidence=evidence,
                subcategories=[
                    {
                        "subcategory": name,
                        "score": round(s, 2),
                        "evidence": analysis.subcategory_evidence.get(prefix + name, []),
                    }
                    for name, s in chosen
                ],
            )
        )
    results.sort(key=lambda r: (-r.score, r.domain))

    urgent_reasons = list(analysis.urgent_reasons)
    urgent_evidence = dict(analysis.urgent_evidence)
    if (
        assessment is not None
        and not urgent_reasons
        and analysis.dutch
        and urgency >= urgent_threshold
    ):
        # The learned head caught a signal the rules did not name: take the reason whose cues
        # came closest (danger when none did), and show the words that weighed most.
        guess = max(analysis.urgent_scores.items(), key=lambda kv: (kv[1], kv[0] == "danger"))[0]
        urgent_reasons = [guess]
        words = assessment.top_words()
        written = list(dict.fromkeys(analysis.surface.get(w, w) for w in words[-1]))
        urgent_evidence = {guess: written or ["(learned from examples)"]}

    reason: str | None = None
    if not analysis.dutch:
        reason = "The text does not look like Dutch; a person should read it."
    elif not results:
        reason = "Nothing in the text points clearly at wonen, welzijn or zorg."
    elif max(analysis.domain_scores.values()) < 0.5:
        reason = "Only weak cues were found; check the domains."
    return Classification(
        version=version(),
        domains=results,
        urgent_reasons=urgent_reasons,
        urgent_evidence=urgent_evidence,
        low_confidence_reason=reason,
    )
