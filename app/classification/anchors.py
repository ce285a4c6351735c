"""Skip regular expressions that cannot match, using literals every match must contain.

Hundreds of cue patterns each scanning every text is the classifier's main cost. From a pattern's
parse tree we derive sets of strings such that any match contains a member of each; when the text
lacks one (found with one Aho-Corasick pass for all patterns), the pattern is not run at all. A
stretch of the pattern that matches few strings gives those strings whole ("geen contact", "geen
meer contact", ...), which skips far more texts than a part of them would; a pattern over whole
words (``\\b(nu|help)\\b``) is looked up in the text's words instead.
"""

import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import chain
from operator import itemgetter
from re import _compiler as sre_compile  # type: ignore[attr-defined]
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

_second = itemgetter(1)
_WORD_RUN = re.compile(r"\w+")
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


# A stretch of the pattern that can only match a few strings ("(deur|raam) (is )?kapot": four)
# is used whole: a long, exact anchor skips far more texts than its parts. Above this many
# strings the stretch is cut in two.
MAX_EXPANSION = 64


def _charset(av: Any) -> set[str] | None:
    """The characters of a small set like ``[ae]``; None for ranges, classes or negation."""
    chars = set()
    for op, value in av:
        if op is not c.LITERAL:
            return None
        chars.add(chr(value))
    return chars if len(chars) <= 8 else None


# Strings per parse-tree node, by id(node): a node is expanded once however often the
# derivation asks (the trees stay alive while one is in use, so an id is not reused).
Memo = dict[int, frozenset[str] | None]


def _finite(items: Any, memo: Memo) -> set[str] | None:
    """Every string this sequence can match, when they are at most MAX_EXPANSION; else None.
    Zero-width assertions (\\b) match no characters, so they add nothing."""
    out = {""}
    for node in items:
        if node[0] is c.AT:
            continue
        part = _node(node, memo)
        if part is None:
            return None
        out = {a + b for a in out for b in part}
        if len(out) > MAX_EXPANSION:
            return None
    return out


def _node(node: Any, memo: Memo) -> frozenset[str] | None:
    """The strings one node can match (see _finite)."""
    key = id(node)
    if key in memo:
        return memo[key]
    op, av = node
    part: set[str] | frozenset[str] | None
    if op is c.LITERAL:
        part = {chr(av)}
    elif op is c.IN:
        part = _charset(av)
    elif op is c.SUBPATTERN:
        part = None if av[1] or av[2] else _finite(av[3], memo)  # no inline flags
    elif op is c.BRANCH:
        branches = [_finite(branch, memo) for branch in av[1]]
        part = None if None in branches else set().union(*branches)  # type: ignore[arg-type]
        if part is not None and len(part) > MAX_EXPANSION:
            part = None
    elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] <= 1:  # "x?" (or "x{1}")
        inner = _finite(av[2], memo)
        part = None if inner is None else inner | ({""} if av[0] == 0 else set())
    else:
        part = None
    memo[key] = None if part is None else frozenset(part)
    return memo[key]


def _minimal(strings: set[str]) -> frozenset[str]:
    """Drop a string that contains another member: finding the shorter one suffices."""
    return frozenset(s for s in strings if not any(t != s and t in s for t in strings))


def _good(anchors: frozenset[str]) -> bool:
    return bool(anchors) and min(len(x) for x in anchors) >= MIN_ANCHOR


def _rank(anchors: frozenset[str]) -> tuple[bool, int, int]:
    # The most selective set: no everyday words in it, then the longest shortest member, then
    # the fewest members.
    return (
        not any(x.strip() in COMMON for x in anchors),
        min(len(x) for x in anchors),
        -len(anchors),
    )


def _requirements(items: Any, memo: Memo) -> list[frozenset[str]]:
    """Sets of strings such that every match contains a member of each set.

    Neighbouring parts that match few strings are joined into one stretch whose strings are
    the set ("(deur|raam) (is )?kapot"); a group or a repeat of at least one that cannot be
    expanded gives what it needs itself; an alternation that cannot be expanded gives the union
    of each branch's best set, when every branch has one."""
    found: list[frozenset[str]] = []
    stretch = {""}

    def close() -> None:
        nonlocal stretch
        if stretch != {""}:
            found.append(_minimal(stretch))
        stretch = {""}

    for node in items:
        op, av = node
        if op is c.AT:
            continue  # zero width: the stretch goes on
        part = _node(node, memo)
        if part is not None:
            joined = {a + b for a in stretch for b in part}
            if len(joined) <= MAX_EXPANSION:
                stretch = joined
            else:
                close()
                stretch = set(part)
            continue
        close()
        if op is c.SUBPATTERN and not (av[1] or av[2]):
            found += _requirements(av[3], memo)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            found += _requirements(av[2], memo)
        elif op is c.BRANCH:
            best = [_best(_requirements(branch, memo)) for branch in av[1]]
            if all(b is not None for b in best):
                found.append(_minimal(set().union(*best)))  # type: ignore[arg-type]
    close()
    return found


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    good = [s for s in sets if _good(s)]
    return max(good, key=_rank) if good else None


def required_sets(pattern: str | Any, memo: Memo | None = None) -> list[tuple[str, ...]]:
    """The selective anchor sets of a pattern (each match contains a member of every one);
    empty when nothing selective is required. Everyday words make a set unselective.
    ``pattern``: the text, or its parse tree (parsing is most of the index's build time)."""
    tree = _parsed(pattern)
    if _case_blind(tree):
        return []
    sets = _requirements(tree, {} if memo is None else memo)
    return [
        tuple(sorted(s))
        for s in dict.fromkeys(sets)
        if _good(s) and not any(x.strip() in COMMON for x in s)
    ]


def required_literals(pattern: str | Any, memo: Memo | None = None) -> tuple[str, ...] | None:
    """The single most selective anchor set (everyday words allowed when nothing better)."""
    tree = _parsed(pattern)
    if _case_blind(tree):
        return None
    found = _best(_requirements(tree, {} if memo is None else memo))
    return tuple(sorted(found)) if found else None


def _parsed(pattern: str | Any) -> Any:
    return sre_parse.parse(pattern) if isinstance(pattern, str) else pattern


def _case_blind(tree: Any) -> bool:
    """A pattern with (?i) matches letters the anchors do not have: no anchors for it. (The
    lexicon has none; texts are folded to lower case.)"""
    return bool(tree.state.flags & re.IGNORECASE)


def _ascii_words(tree: Any) -> bool:
    """With (?a), \\b counts "é" as no word character, so "help" in "helpé" matches while the
    text's word is "helpé": such a pattern cannot be looked up by whole words."""
    return bool(tree.state.flags & re.ASCII)


def whole_words(pattern: str | Any, memo: Memo | None = None) -> frozenset[str] | None:
    """For ``\\b(w1|w2|...)\\b`` over plain words: the words. Such a pattern matches exactly
    when one of the text's runs of word characters is one of them, a set test instead of an
    anchor search that short words ("ex", "nu") would make unselective."""
    tree = _parsed(pattern)
    if _case_blind(tree) or _ascii_words(tree):
        return None
    parsed = list(tree)
    boundary = (c.AT, c.AT_BOUNDARY)
    if len(parsed) < 3 or parsed[0] != boundary or parsed[-1] != boundary:
        return None
    words = _finite(parsed[1:-1], {} if memo is None else memo)
    if not words or any(not w.isalnum() for w in words):
        return None
    return frozenset(words)


class AnchorIndex:
    """Many patterns; per text, only those that can match are returned, found with one pass of
    an Aho-Corasick automaton over the text instead of one check per pattern.

    A pattern can require several anchor sets ("(geen|weinig) ... (contact|bezoek)" needs a
    member of each); it is a candidate only when every one of its sets has a member in the text.
    A pattern over whole words ("\\b(nu|help)\\b") is a candidate when the text has one of them
    as a word (see whole_words).
    """

    def __init__(self, patterns: list[str]) -> None:
        self._sources = patterns
        trees = [sre_parse.parse(p) for p in patterns]
        self._always: list[int] = []
        self._owner: list[int] = []  # requirement id -> pattern
        self._needed: list[int] = []  # pattern -> number of requirements
        by_anchor: dict[str, list[int]] = {}
        by_word: dict[str, list[int]] = {}
        for i, tree in enumerate(trees):
            memo: Memo = {}
            words = whole_words(tree, memo)
            sets = [] if words else required_sets(tree, memo)
            if not sets and not words:
                single = required_literals(tree, memo)
                sets = [single] if single else []
            if not sets and not words:
                self._always.append(i)
            for w in words or ():
                by_word.setdefault(w, []).append(i)
            for anchors in sets:
                # A pattern with one requirement is met by it: stored as ~pattern (negative),
                # so candidates() needs no counting for it.
                requirement = len(self._owner) if len(sets) > 1 else ~i
                if len(sets) > 1:
                    self._owner.append(i)
                for a in anchors:
                    by_anchor.setdefault(a, []).append(requirement)
            self._needed.append(len(sets))
        # After the derivation: compiling reads the trees (and may annotate them).
        self.scanners = [Scanner(p, tree) for p, tree in zip(patterns, trees, strict=True)]
        self._by_word = {w: tuple(found) for w, found in by_word.items()}
        self._words = frozenset(by_word)
        self._automaton = ahocorasick.Automaton()
        for anchor, requirements in by_anchor.items():
            self._automaton.add_word(anchor, tuple(requirements))
        self._anchored = bool(by_anchor)
        if by_anchor:
            self._automaton.make_automaton()

    @cached_property
    def patterns(self) -> list[re.Pattern[str]]:
        """The patterns as written, compiled only when asked (the tests compare with them)."""
        return [re.compile(p) for p in self._sources]

    def candidates(self, text: str, words: Iterable[str] | None = None) -> list[int]:
        """The patterns that may match ``text``, in index order. ``words``: the text's runs of
        word characters (``\\w+``) when the caller has them."""
        found: list[int] = []
        if self._anchored:
            # The matches' requirements, gathered without a Python step per match (this runs
            # for every text, and a text has dozens of anchor hits).
            met = set(chain.from_iterable(map(_second, self._automaton.iter(text))))
            owner, needed = self._owner, self._needed
            count: dict[int, int] = {}
            for r in met:
                if r < 0:
                    found.append(~r)
                    continue
                i = owner[r]
                n = count[i] = count.get(i, 0) + 1
                if n == needed[i]:
                    found.append(i)
        if self._words:
            by_word = self._by_word
            hits = self._words.intersection(_WORD_RUN.findall(text) if words is None else words)
            for word in hits:
                found += by_word[word]
            if len(hits) > 1:
                found = list(set(found))  # two words of one pattern
        return sorted([*self._always, *found]) if self._always else sorted(found)


def is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w means in a str pattern


class Scanner:
    """A pattern that starts with ``\\b``, run as the same pattern without it plus a check of
    the boundary in Python. Same matches, found about twice as fast: with ``\\b`` first, the
    regex engine tries a full match at every position; without it, it can skip ahead to where
    the pattern's first literal or character set occurs."""

    __slots__ = ("_checked", "_fast")

    def __init__(self, pattern: str, parsed: Any = None) -> None:
        # Only when every match starts with the boundary: "\bfoo|oo" (an alternation at the top)
        # does not, and keeps its full pattern.
        parsed = sre_parse.parse(pattern) if parsed is None else parsed
        self._checked = (
            pattern.startswith(r"\b") and len(parsed) > 0 and parsed[0] == (c.AT, c.AT_BOUNDARY)
        )
        # Compiled from the tree (without its leading \b), which the index has parsed already:
        # parsing again was a third of the start-up time.
        self._fast: re.Pattern[str] = sre_compile.compile(parsed[1:] if self._checked else parsed)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        search = self._fast.search
        while True:
            m = search(text, pos)
            if m is None or not self._checked:
                return m
            start = m.start()
            # \b holds at start when exactly one of the characters around it is a word character.
            before = start > 0 and is_word(text[start - 1])
            after = start < len(text) and is_word(text[start])
            if before != after:
                return m
            pos = start + 1  # where \b fails the pattern cannot match; the next start may

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        # Like re.finditer for patterns that cannot match the empty string (none in the lexicon
        # can); one that does still ends, after an empty match at the end of the text.
        pos = 0
        while (m := self.search(text, pos)) is not None:
            yield m
            if m.end() > m.start():
                pos = m.end()
            elif m.end() < len(text):
                pos = m.end() + 1
            else:
                return


class Guarded:
    """One pattern that only runs when one of its anchors occurs in the text. Compiled on first
    use: these are checked rarely, and building them up front delayed the start."""

    __slots__ = ("_anchors", "_pattern", "_source")

    def __init__(self, pattern: str) -> None:
        self._source = pattern
        self._pattern: re.Pattern[str] | None = None
        self._anchors: tuple[str, ...] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        if self._pattern is None:
            self._anchors = required_literals(self._source)
            self._pattern = re.compile(self._source)
        if self._anchors is not None and not any(a in text for a in self._anchors):
            return None
        return self._pattern.search(text)
