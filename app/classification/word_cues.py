"""The cues of one word: the lexicon's single-word entries found by their exact form, stem,
compound part or one typo away, each distinct word worked out once and then cached."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from app.classification import lexicon as lx

_FUZZY_MIN = 5
# A typo is only assumed in a word of this length whose first letter is right: shorter words
# are mostly other, correctly spelled words one letter away from a cue (willen/pillen,
# jaren/haren, onder/sonde, morgen/zorgen), and people seldom get the first letter wrong.
_FUZZY_TOKEN_MIN = 7
# Function words count only when the lexicon names them as they are ("alleen"): their stems
# collide with cues ("was" is the stem of "wassen", "haar" that of "haren").
_FUNCTION_WORDS = frozenset(lx.DUTCH_FUNCTION_WORDS) | {"gewoon", "gewone"}  # stem: woon


@dataclass(frozen=True, slots=True)
class Cue:
    label: str  # "domain.subcategory" or "domain."
    weight: float
    evidence: str


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class WordCues:
    """Looks words up in the lexicon's single-word cues. ``word``, ``word_cues`` and ``stem``
    are cached per word: what the engine calls for each word of every text."""

    def __init__(self, entries: Iterable[tuple[str, str, float]]) -> None:
        """``entries``: (label, cue, weight), a cue being a word, "*" marking where a compound
        may go on ("huur*", "*schuld")."""
        self._stemmer = snowballstemmer.stemmer("dutch")
        self._exact: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._stems: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._prefixes: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._suffixes: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._fuzzy: dict[str, set[str]] = defaultdict(set)
        for label, raw, weight in entries:
            word = raw.strip("*")
            self._exact[word].append((label, weight))
            stem = self._stem(word)
            cut = len(word) - len(stem)
            if cut <= 4 and (word.startswith(stem) or (word[:2] == "ge" and len(stem) >= 5)):
                # Not when the stemmer cut deep (gezondheid -> zon, gewassen -> was,
                # vergeetachtigheid -> vergeet = vergeten); geschreeuw -> schreeuw is fine.
                self._stems[stem].append((label, weight))
            if raw.endswith("*"):
                self._prefixes[word].append((label, weight))
            if raw.startswith("*"):
                self._suffixes[word].append((label, weight))
            if len(word) >= _FUZZY_MIN:
                for variant in _deletions(word) | {word}:
                    self._fuzzy[variant].add(word)
        self.word_cues = lru_cache(maxsize=200_000)(self._word_cues_uncached)
        self.stem = lru_cache(maxsize=200_000)(self._stem)
        # Stem and cues of a word in one cached call: the hot path of every classification.
        self.word = lru_cache(maxsize=200_000)(
            lambda token: (self.stem(token), self.word_cues(token))
        )

    def _stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    def _word_cues_uncached(self, token: str) -> tuple[Cue, ...]:
        found: dict[str, Cue] = {}

        def add(entries: list[tuple[str, float]], factor: float = 1.0) -> None:
            for label, weight in entries:
                cue = Cue(label, round(weight * factor, 3), token)
                if label not in found or found[label].weight < cue.weight:
                    found[label] = cue

        add(self._exact.get(token, []))
        if token in _FUNCTION_WORDS:
            return tuple(found.values())
        add(self._stems.get(self._stem(token), []))
        if not found and "-" in token:
            # wmo-rolstoel, burenhulp-app: the parts count as words of their own.
            for part in token.split("-"):
                if len(part) >= 2:
                    for cue in self.word_cues(part):
                        add([(cue.label, cue.weight)])
        if not found and len(token) >= 6:
            # Compounds: Dutch glues words together (huur|achterstand, badkamer|deur).
            for i in range(3, len(token) - 2):
                head, tail = token[:i], token[i:]
                if head in self._prefixes:
                    add(self._prefixes[head], 0.9)
                if tail in self._suffixes:
                    add(self._suffixes[tail], 0.9)
                elif tail.startswith("s") and tail[1:] in self._suffixes:  # betaling|s|schuld
                    add(self._suffixes[tail[1:]], 0.9)
        if not found and len(token) >= _FUZZY_TOKEN_MIN:
            # One typo: insert, delete or change a letter (via deletion neighbourhoods), not
            # the first one.
            candidates: set[str] = set()
            for variant in _deletions(token) | {token}:
                candidates |= self._fuzzy.get(variant, set())
            candidates = {c for c in candidates if c[0] == token[0]}
            for word in sorted(candidates):
                add(self._exact[word], 0.85)
        return tuple(found.values())
