"""Who may see what of a question and its resident: the contact details and full postcode,
the part of a question a partner may read, and the BSN. One place for these rules, so the API
and the pages cannot disagree."""

import re
from typing import Any

from app.auth.principal import Principal
from app.classification.folding import fold
from app.consent.service import Consented, in_force
from app.core import crypto
from app.organisations.models import OrganisationType

NOTHING_FOR_YOU = (
    "[De vraag noemt uw domein niet met zoveel woorden; de delen over andere domeinen zijn "
    "weggelaten. Vraag de wijkwinkel om toelichting.]"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _recorder_or_desk(subject: Consented, principal: Principal) -> bool:
    return principal.is_frontoffice or principal.organisation_id == subject.organisation_id


def covers(subject: Consented, principal: Principal) -> bool:
    """May this caller see the resident's contact details and full postcode?"""
    if _recorder_or_desk(subject, principal):
        return True  # they recorded it, or run the desk
    return in_force(subject) and str(principal.organisation_type) in (subject.consent_types or [])


def bsn_for(subject: Consented, principal: Principal) -> str | None:
    """The BSN goes to a gemeente only, and only with the resident's consent for gemeenten."""
    if subject.bsn_encrypted is None or principal.organisation_type != OrganisationType.gemeente:
        return None
    if not covers(subject, principal):
        return None
    return crypto.decrypt_bsn(subject.bsn_encrypted)


def _cue_words(found: dict[str, Any]) -> list[str]:
    """The words that tied a domain to the question: the subcategories' cue words (from the
    lexicon), not the learned layer's word stems, which also pick up words like 'heeft'."""
    words = [e for sub in found.get("subcategories") or [] for e in sub.get("evidence") or []]
    return [fold(w) for w in (words or found.get("evidence") or []) if w]


def question_part(subject: Consented, domain: str, principal: Principal) -> tuple[str, bool]:
    """The part of the question a partner acting on `domain` may read, and whether it is the
    whole question. A multi-domain question is split into sentences; a sentence that the
    classifier tied only to other domains (by the words it quoted) is left out, so the
    corporatie does not read about the resident's psychiatric care. Neutral sentences stay:
    they are the context everyone needs. The recorder and the desk read everything."""
    if _recorder_or_desk(subject, principal):
        return subject.question, True
    classification = subject.classification
    evidence = {d.get("domain"): _cue_words(d) for d in classification.get("domains", [])}
    others = {d for d in evidence if d != domain}
    if not others:
        return subject.question, True
    kept, dropped = [], False
    for sentence in (s for s in _SENTENCE.split(subject.question) if s.strip()):
        folded = fold(sentence)
        tied = {d for d, words in evidence.items() if any(w in folded for w in words)}
        if tied and domain not in tied:
            dropped = True
            continue
        kept.append(sentence.strip())
    if not kept:
        # Every sentence is about other domains (this one was added by staff or by the
        # learned layer, without cue words): better ask the desk than read the rest.
        return NOTHING_FOR_YOU, False
    return " ".join(kept), not dropped
