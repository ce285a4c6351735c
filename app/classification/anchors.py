"""Skip regular expressions that cannot match, using literals every match must contain.

Hundreds of cue patterns each scanning every text is the classifier's main cost. From a pattern's
parse tree we derive a small set of strings such that any match contains at least one of them;
when none occurs in the text (a fast substring test), the pattern is not run at all.
"""

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MIN_ANCHOR = 3  # shorter literals are too common to skip anything
# Words in nearly every Dutch text: poor anchors.
COMMON = frozenset(
    [
        "niet",
        "meer",
        "haar",
        "zijn",
        "mijn",
        "het",
        "een",
        "de",
        "van",
        "dat",
        "die",
        "iet",
        "ook",
        "nog",
        "wel",
        "kan",
        "kon",
        "wil",
        "geen",
        "heeft",
        "hebben",
        "maar",
        "naar",
        "voor",
        "met",
        "als",
        "dan",
        "ergens",
        "zou",
        "hij",
        "zij",
        "ze",
    ]
)
_TRIGRAMS = re.compile(r"(?=(...))", re.DOTALL)  # every trigram of a text, found in C


def _necessary(items: Any) -> frozenset[str] | None:
    """Strings of which every match of this sequence contains one (None: no such set)."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        close_run()
        sub: frozenset[str] | None = None
        if op is c.SUBPATTERN:
            sub = _necessary(av[3])
        elif op is c.BRANCH:
            parts = [_necessary(branch) for branch in av[1]]
            if all(p is not None for p in parts):
                sub = frozenset().union(*[p for p in parts if p is not None])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            sub = _necessary(av[2])
        if sub is not None:
            candidates.append(sub)
    close_run()
    good = [s for s in candidates if s and min(len(x) for x in s) >= MIN_ANCHOR]
    if not good:
        return None
    # The most selective set: no everyday words in it, then the longest shortest member, then
    # the fewest members.
    return max(
        good,
        key=lambda s: (
            not any(x.strip() in COMMON for x in s),
            min(len(x) for x in s),
            -len(s),
        ),
    )


def required_literals(pattern: str) -> tuple[str, ...] | None:
    found = _necessary(sre_parse.parse(pattern))
    return tuple(sorted(found)) if found else None


class AnchorIndex:
    """Many patterns; per text, only those that can match are returned, found with one pass over
    the distinct anchors instead of one check per pattern."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = [re.compile(p) for p in patterns]
        self._always: list[int] = []
        by_anchor: dict[str, list[int]] = {}
        for i, p in enumerate(patterns):
            anchors = required_literals(p)
            if anchors is None:
                self._always.append(i)
            else:
                for a in anchors:
                    by_anchor.setdefault(a, []).append(i)
        self._by_anchor = by_anchor
        # Anchors by their first three characters: only those whose trigram occurs in the text
        # are tested (every anchor has at least MIN_ANCHOR characters).
        self._by_trigram: dict[str, list[tuple[str, list[int]]]] = {}
        for anchor, indices in by_anchor.items():
            self._by_trigram.setdefault(anchor[:3], []).append((anchor, indices))
        self._trigrams = frozenset(self._by_trigram)

    def candidates(self, text: str) -> list[int]:
        found = set(self._always)
        present = self._trigrams.intersection(_TRIGRAMS.findall(text))
        for trigram in present:
            for anchor, indices in self._by_trigram[trigram]:
                if anchor in text:
                    found.update(indices)
        return sorted(found)


class Guarded:
    """One compiled pattern that only runs when one of its anchors occurs in the text."""

    __slots__ = ("anchors", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)
        self.anchors = required_literals(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        if self.anchors is not None and not any(a in text for a in self.anchors):
            return None
        return self.pattern.search(text)
