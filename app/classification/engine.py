"""The classification engine: matches a folded text against the lexicon, cue by cue.

Explainable by construction: every score is built from cues found in the text, and those cues are
returned as evidence. Fast because word-level results are cached per distinct word (see
word_cues.py), and phrases and safety patterns are looked for only where an index says they
can match (see anchors.py).
"""

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain

from app.classification import lexicon as lx
from app.classification.anchors import AnchorIndex, Guarded
from app.classification.asking import request_scores
from app.classification.domains import Domain
from app.classification.folding import TOKEN, fold, words_of
from app.classification.word_cues import Cue, WordCues

_PHRASE_CHARS = re.compile(r"[\s\\()|?+\[\]{}^$.]")
_DOMAINS = tuple(Domain)  # iterating the enum itself is slow on the hot path


@dataclass(slots=True)
class Analysis:
    """Everything found in one text, before thresholds."""

    label_scores: dict[str, float]
    domain_scores: dict[Domain, float]
    evidence: dict[Domain, list[str]]
    subcategory_evidence: dict[str, list[str]]
    urgent_reasons: list[str]
    urgent_evidence: dict[str, list[str]]
    dutch: bool
    token_count: int
    negated: list[str] = field(default_factory=list)
    stems: set[str] = field(default_factory=set)
    negated_stems: set[str] = field(default_factory=set)
    urgent_scores: dict[str, float] = field(default_factory=dict)
    # A stem's word as the text has it (folded): evidence shows words, not stems ("sinds").
    surface: dict[str, str] = field(default_factory=dict)
    # The same noisy-OR over the cues in the sentences that ask (see asking.py) only.
    request_scores: dict[str, float] = field(default_factory=dict)


def _strongest_first(cue: Cue) -> tuple[float, str]:
    return -cue.weight, cue.evidence


class Engine:
    def __init__(self) -> None:
        # A cue with a space or regular-expression syntax is a phrase, found in the text as a
        # pattern; any other is a word, looked up per word of the text.
        words: list[tuple[str, str, float]] = []
        phrases: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for label, cues in lx.LEXICON.items():
            for raw, weight in cues:
                if _PHRASE_CHARS.search(raw.strip("*")):
                    phrases[label].append((raw, weight))
                else:
                    words.append((label, raw, weight))
        # The hot path calls these for every word, so they are the engine's own attributes.
        word_cues = WordCues(words)
        self._word_cues = word_cues.word_cues
        self._cached_stem = word_cues.stem
        self._word = word_cues.word
        # Every phrase and safety pattern in one index that skips what cannot match
        # (see anchors.py). Payload: ("phrase", label, weight) | ("strong"|"cue", reason, w).
        entries: list[tuple[str, tuple[str, str, float]]] = []
        for label, items in phrases.items():
            for pattern, weight in items:
                entries.append((rf"\b(?:{pattern})\b", ("phrase", label, weight)))
        for reason, patterns in lx.URGENT_PATTERNS.items():
            entries += [(p, ("strong", reason, 0.9)) for p in patterns]
        for reason, cues in lx.URGENT_CUES.items():
            entries += [(p, ("cue", reason, w)) for p, w in cues]
        # Negation frames last, in the same index: one pass over the text finds the candidates
        # of both, and most texts can match no frame at all.
        self._negation_from = len(entries)
        entries += [(p, ("negation", "", 0.0)) for p in lx.NEGATION_FRAMES]
        self._index = AnchorIndex([p for p, _ in entries])
        self._payloads = [payload for _, payload in entries]
        self._abbreviations = frozenset(lx.ABBREVIATIONS)
        self._abbrev = re.compile(r"\b(" + "|".join(map(re.escape, lx.ABBREVIATIONS)) + r")\b")
        self._breaks = re.compile(lx.NEGATION_BREAKS)
        self._urgent = {
            reason: [Guarded(p) for p in patterns]
            for reason, patterns in lx.URGENT_PATTERNS.items()
        }
        self._urgent_negation = re.compile("|".join(f"(?:{p})" for p in lx.URGENT_NEGATIONS))
        self._label_domain = {
            label: Domain(label.split(".", 1)[0])
            for label in [*lx.LEXICON, *(lbl for v in lx.URGENT_IMPLIES.values() for lbl, _ in v)]
        }
        # "wonen.onderhoud" -> "wonen.": the domain's own label, as the request scores name it.
        self._domain_label = {label: f"{d}." for label, d in self._label_domain.items()}

    def analyse(self, text: str) -> Analysis:
        expanded = fold(text)
        words = words_of(expanded)
        abbreviations = self._abbreviations
        if not abbreviations.isdisjoint(words) or (
            "-" in expanded and any(not abbreviations.isdisjoint(w.split("-")) for w in words)
        ):
            # Only then: a substitution costs more than the set test, and most texts have no
            # abbreviation. What the regex matches is a token, or a part of a "hh-bezoek" one.
            expanded = self._abbrev.sub(lambda m: lx.ABBREVIATIONS[m.group(1)], expanded)
            words = words_of(expanded)

        # Clauses, for negation: "geen hulp nodig bij het wassen, wel bij de boodschappen".
        starts = [0]
        negated_clauses: set[int] = set()
        scanners = self._index.scanners
        # The index looks whole-word patterns up in the text's \w+ runs: the tokens, split at
        # their hyphens (a "_" would join runs that tokens split, so then it finds them itself).
        runs = words if "-" not in expanded else [p for w in words for p in w.split("-")]
        candidates = self._index.candidates(expanded, None if "_" in expanded else runs)
        # Sorted, so the negation frames come last.
        first_frame = bisect.bisect_left(candidates, self._negation_from)
        negations = [m for i in candidates[first_frame:] for m in scanners[i].finditer(expanded)]
        if negations:
            starts += [m.end() for m in self._breaks.finditer(expanded)]
            for m in negations:
                negated_clauses.add(bisect.bisect_right(starts, m.start()) - 1)

        cues: list[Cue] = []
        negated: list[str] = []
        stems: set[str] = set()
        negated_stems: set[str] = set()
        surface: dict[str, str] = {}
        if not negated_clauses:
            # Fast path: no positions needed, each distinct word once, in text order (a stem's
            # surface form is its first word). Cached per word; no Python step per word.
            distinct = list(dict.fromkeys(words))
            looked_up = list(map(self._word, distinct))
            if looked_up:
                stem_of, cues_of = zip(*looked_up, strict=True)
                stems = set(stem_of)
                # Reversed, so the first word of a stem is the one kept.
                surface = dict(zip(reversed(stem_of), reversed(distinct), strict=True))
                cues = list(chain.from_iterable(cues_of))
        else:
            tokens = list(TOKEN.finditer(expanded))
            words = [m.group() for m in tokens]
            for m in tokens:
                token = m.group()
                in_negation = bisect.bisect_right(starts, m.start()) - 1 in negated_clauses
                stem = self._cached_stem(token)
                (negated_stems if in_negation else stems).add(stem)
                surface.setdefault(stem, token)
                word_cues = self._word_cues(token)
                if not word_cues:
                    continue
                if in_negation:
                    negated.append(token)
                    continue
                cues.extend(word_cues)
        n_word_cues = len(cues)  # the words' cues come first; phrases and signals follow
        strong_hits: dict[str, list[str]] = defaultdict(list)
        cue_hits: dict[str, list[tuple[str, float]]] = defaultdict(list)
        phrase_at: list[tuple[int, Cue]] = []
        payloads = self._payloads
        for i in candidates[:first_frame]:
            kind, name, weight = payloads[i]
            pattern = scanners[i]
            if kind == "phrase":
                for m in pattern.finditer(expanded):
                    if bisect.bisect_right(starts, m.start()) - 1 in negated_clauses:
                        negated.append(m.group())
                        continue
                    cue = Cue(name, weight, m.group().strip())
                    cues.append(cue)
                    phrase_at.append((m.start(), cue))
            elif kind == "strong":
                if found_all := [m.group().strip() for m in pattern.finditer(expanded)]:
                    strong_hits[name] += found_all
            else:
                found = pattern.search(expanded)
                if found:
                    cue_hits[name].append((found.group().strip(), weight))

        urgent: list[str] = []
        urgent_evidence: dict[str, list[str]] = {}
        urgent_scores: dict[str, float] = dict.fromkeys(lx.URGENT_PATTERNS, 0.0)
        for reason in lx.URGENT_PATTERNS:
            if reason not in strong_hits and reason not in cue_hits:
                continue  # nothing found: 0.0 (most texts, for every reason)
            hits = list(strong_hits.get(reason, []))
            miss = 0.1 if hits else 1.0  # a strong signal counts 0.9
            for hit, weight in cue_hits.get(reason, []):
                miss *= 1 - weight
                hits.append(hit)
            urgent_scores[reason] = round(1 - miss, 4)
            if 1 - miss >= lx.URGENT_THRESHOLD and self._negated_signal(expanded, reason):
                urgent_scores[reason] = 0.0  # "geen sprake van geweld": stated absent
            elif 1 - miss >= lx.URGENT_THRESHOLD:
                urgent.append(reason)
                urgent_evidence[reason] = list(dict.fromkeys(hits))
                for label, weight in lx.URGENT_IMPLIES.get(reason, []):
                    cues.append(Cue(label, weight, hits[0]))

        # Noisy-OR per label and per domain over distinct evidence.
        seen: set[tuple[str, str]] = set()
        miss_label: dict[str, float] = defaultdict(lambda: 1.0)
        miss_domain: dict[Domain, float] = dict.fromkeys(_DOMAINS, 1.0)
        evidence: dict[Domain, list[str]] = {d: [] for d in _DOMAINS}
        sub_evidence: dict[str, list[str]] = defaultdict(list)
        label_domain = self._label_domain
        for cue in sorted(cues, key=_strongest_first):
            label, said = cue.label, cue.evidence
            if (label, said) in seen:
                continue
            seen.add((label, said))
            domain = label_domain[label]
            miss_label[label] *= 1 - cue.weight
            miss_domain[domain] *= 1 - cue.weight
            shown = evidence[domain]
            if said not in shown:
                shown.append(said)
            if label[-1] != ".":
                sub_evidence[label].append(said)

        label_scores = {k: round(1 - v, 4) for k, v in miss_label.items()}
        domain_scores = {d: round(1 - v, 4) for d, v in miss_domain.items()}
        asked = request_scores(
            text=expanded,
            phrase_at=phrase_at,
            negated_clauses=negated_clauses,
            starts=starts,
            word_cues=None if negated_clauses else cues[:n_word_cues],
            word=self._word,
            domain_of=self._domain_label,
        )

        # Each test only when the one before fails (most texts pass the first two); the first
        # also keeps the ratio from dividing by zero.
        dutch = (
            len(words) < 4
            or sum(map(lx.DUTCH_FUNCTION_WORDS.__contains__, words)) / len(words) >= 0.12
            # terse staff notes: few function words, clear jargon
            or max((c.weight for c in cues), default=0.0) >= 0.8
        )
        return Analysis(
            label_scores=label_scores,
            domain_scores=domain_scores,
            evidence=evidence,
            subcategory_evidence=dict(sub_evidence),
            urgent_reasons=urgent,
            urgent_evidence=urgent_evidence,
            dutch=dutch and bool(words),
            token_count=len(words),
            negated=negated,
            stems=stems,
            negated_stems=negated_stems,
            surface=surface,
            urgent_scores=urgent_scores,
            request_scores=asked,
        )

    def _negated_signal(self, text: str, reason: str) -> bool:
        """True when the text says outright that this signal is absent ("geen suïcidale
        gedachten") and nothing else points at it."""
        m = self._urgent_negation.search(text)
        if m is None:
            return False
        stated = m.group()
        kinds = {
            "suicide": ("suicid", "zelfmoord", "dood"),
            "violence": ("geweld", "mishandeling", "misbruik"),
            "danger": ("gevaar", "brand"),
        }[reason]
        if not any(k in stated for k in kinds):
            return False
        rest = text[: m.start()] + text[m.end() :]
        return not any(g.search(rest) for g in self._urgent[reason])
