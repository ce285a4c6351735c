"""Reading a classification as it is stored with an intake (`Classification.as_dict`)."""

from collections.abc import Iterable
from typing import Any

from app.classification.schemas import DomainScore


def top_subcategory(stored: dict[str, Any], domain: str) -> str | None:
    """The best-scoring subcategory the classifier gave for a domain, if any."""
    for found in stored.get("domains", []):
        if found.get("domain") == domain:
            subs = found.get("subcategories") or []
            if subs:
                best = max(subs, key=lambda s: s.get("score", 0))
                return str(best["subcategory"])
    return None


def scores_for(stored: dict[str, Any], domains: Iterable[str]) -> list[DomainScore]:
    """The classifier's score and evidence for each of these domains; a domain staff added
    that the classifier did not find gets score 1 and no evidence."""
    found = {d["domain"]: d for d in stored.get("domains", [])}
    return [
        DomainScore.model_validate(found.get(d) or {"domain": d, "score": 1.0, "evidence": []})
        for d in domains
    ]
