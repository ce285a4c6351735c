"""Skip regular expressions that cannot match, using literals every match must contain.

Hundreds of cue patterns each scanning every text is the classifier's main cost. From a pattern's
parse tree we derive a small set of strings such that any match contains at least one of them;
when none occurs in the text (a fast substring test), the pattern is not run at all.
"""

import re
from collections.abc import Iterator
from functools import cached_property
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

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


def _conjuncts(items: Any) -> list[frozenset[str]]:
    """Every set of strings of which each match contains one: a match must satisfy them all.

    Literal runs, groups and repeats of at least one are parts every match has, so each gives
    its own set; an alternation gives one set (the union over its branches)."""
    found: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append(frozenset({"".join(run)}))
            run = []
        if op is c.SUBPATTERN:
            found += _conjuncts(av[3])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            found += _conjuncts(av[2])
        elif op is c.BRANCH:
            union = _necessary([(op, av)])
            if union is not None:
                found.append(union)
    return [
        s
        for s in dict.fromkeys(found)
        if s and min(len(x) for x in s) >= MIN_ANCHOR and not any(x.strip() in COMMON for x in s)
    ]


def required_sets(pattern: str) -> list[tuple[str, ...]]:
    """All anchor sets of a pattern (each match contains a member of every one); empty when
    nothing selective is required."""
    return [tuple(sorted(s)) for s in _conjuncts(sre_parse.parse(pattern))]


def required_literals(pattern: str) -> tuple[str, ...] | None:
    found = _necessary(sre_parse.parse(pattern))
    return tuple(sorted(found)) if found else None


class AnchorIndex:
    """Many patterns; per text, only those that can match are returned, found with one pass of
    an Aho-Corasick automaton over the text instead of one check per pattern.

    A pattern can require several anchor sets ("(geen|weinig) ... (contact|bezoek)" needs a
    member of each); it is a candidate only when every one of its sets has a member in the text.
    """

    def __init__(self, patterns: list[str]) -> None:
        self._sources = patterns
        self.scanners = [Scanner(p) for p in patterns]
        self._always: list[int] = []
        self._owner: list[int] = []  # requirement id -> pattern
        self._needed: list[int] = []  # pattern -> number of requirements
        by_anchor: dict[str, list[int]] = {}
        for i, p in enumerate(patterns):
            sets = required_sets(p)
            if not sets:
                single = required_literals(p)
                sets = [single] if single else []
            if not sets:
                self._always.append(i)
            for anchors in sets:
                requirement = len(self._owner)
                self._owner.append(i)
                for a in anchors:
                    by_anchor.setdefault(a, []).append(requirement)
            self._needed.append(len(sets))
        self._automaton = ahocorasick.Automaton()
        for anchor, requirements in by_anchor.items():
            self._automaton.add_word(anchor, tuple(requirements))
        if by_anchor:
            self._automaton.make_automaton()

    @cached_property
    def patterns(self) -> list[re.Pattern[str]]:
        """The patterns as written, compiled only when asked (the tests compare with them)."""
        return [re.compile(p) for p in self._sources]

    def candidates(self, text: str) -> list[int]:
        met: set[int] = set()
        if self._owner:
            for _, requirements in self._automaton.iter(text):
                met.update(requirements)
        owner, needed = self._owner, self._needed
        count: dict[int, int] = {}
        for requirement in met:
            i = owner[requirement]
            count[i] = count.get(i, 0) + 1
        found = [i for i, n in count.items() if n == needed[i]]
        return sorted([*self._always, *found])


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w means in a str pattern


class Scanner:
    """A pattern that starts with ``\\b``, run as the same pattern without it plus a check of
    the boundary in Python. Same matches, found about twice as fast: with ``\\b`` first, the
    regex engine tries a full match at every position; without it, it can skip ahead to where
    the pattern's first literal or character set occurs."""

    __slots__ = ("_checked", "_fast")

    def __init__(self, pattern: str) -> None:
        # Only when every match starts with the boundary: "\bfoo|oo" (an alternation at the top)
        # does not, and keeps its full pattern.
        parsed = sre_parse.parse(pattern)
        self._checked = (
            pattern.startswith(r"\b") and len(parsed) > 0 and parsed[0] == (c.AT, c.AT_BOUNDARY)
        )
        self._fast = re.compile(pattern[2:] if self._checked else pattern)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        search = self._fast.search
        while True:
            m = search(text, pos)
            if m is None or not self._checked:
                return m
            start = m.start()
            # \b holds at start when exactly one of the characters around it is a word character.
            before = start > 0 and _is_word(text[start - 1])
            after = start < len(text) and _is_word(text[start])
            if before != after:
                return m
            pos = start + 1  # where \b fails the pattern cannot match; the next start may

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pos = 0
        while (m := self.search(text, pos)) is not None:
            yield m
            pos = m.end() if m.end() > m.start() else m.end() + 1


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
