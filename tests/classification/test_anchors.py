"""The pattern prefilter must never skip a pattern that would have matched."""

import json
from pathlib import Path

import pytest

from app.classification.anchors import (
    AnchorIndex,
    Scanner,
    required_literals,
    required_sets,
    whole_words,
)
from app.classification.folding import fold
from app.classification.service import engine

DATA = Path(__file__).resolve().parents[1] / "data" / "classifier"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bdreig\w*", ("dreig",)),
        # A stretch that matches few strings is used whole: the exact phrases, not " trap ".
        (r"(de|het) trap (op|af)", ("de trap af", "de trap op", "het trap af", "het trap op")),
        (r"(a|bc)?xyz", ("xyz",)),  # "axyz" and "bcxyz" contain "xyz": the shorter suffices
        (r"(?:gas|rook)lucht", ("gaslucht", "rooklucht")),
        (r"\b(nu|help)\b", None),  # "nu" is too short to be worth a search
        (r"\bval\w* [a-z]+ (\d+|twee) dagen", (" dagen",)),  # "\d+" cuts the stretch
    ],
)
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == expected


def test_a_long_stretch_is_cut_rather_than_expanded_without_limit():
    # 10 x 10 x 10 strings: more than the limit, so the stretch is cut in parts.
    ten = "(" + "|".join(f"w{i}x" for i in range(10)) + ")"
    sets = required_sets(f"{ten} {ten} {ten}")
    assert all(len(s) <= 64 for s in sets)
    assert sets


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # Every match needs a member of each set: here the whole phrase, in all its forms.
        (
            r"\b(?:(geen|weinig) (meer )?(contact|bezoek))\b",
            [
                tuple(
                    sorted(
                        f"{a} {m}{b}"
                        for a in ("geen", "weinig")
                        for m in ("", "meer ")
                        for b in ("contact", "bezoek")
                    )
                )
            ],
        ),
        (r"\b(?:automatische (deur|voordeur))\b", [("automatische deur", "automatische voordeur")]),
        (r"\bspring\w* (ik )?(van|uit)\b", [("spring",)]),  # "van" is an everyday word
        (
            r"\bdreig\w* (me|mij) .* (politie|aangifte)\b",
            [("dreig",), (" me ", " mij "), (" aangifte", " politie")],
        ),
        (r"\b(nu|help)\b", []),
    ],
)
def test_required_sets(pattern, expected):
    assert required_sets(pattern) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(nu|help)\b", {"nu", "help"}),
        (r"\b(?:(neef|ex))\b", {"neef", "ex"}),
        (r"\b(uit bed|op)\b", None),  # a space: not one word
        (r"\b(a_b|c)\b", None),
        (r"\bval\w*\b", None),
        (r"(nu|help)\b", None),  # no boundary in front: "menu" would match
    ],
)
def test_whole_words(pattern, expected):
    got = whole_words(pattern)
    assert (set(got) if got is not None else None) == expected


def test_a_whole_word_pattern_is_a_candidate_only_with_the_word():
    index = AnchorIndex([r"\b(nu|help)\b", r"\bspoed\b"])
    assert index.candidates("kom nu") == [0]
    assert index.candidates("het menu, helpen") == []  # the letters, not the words
    assert index.candidates("help! spoed") == [0, 1]
    assert index.candidates("nu-help") == [0]


EDGES = [
    "_zelfmoord",
    "azelfmoord",
    "x-trap op",
    "3trap op",
    "é trap op",
    "trap_ op",
    "",
    "   ",
    "niet meer leven.",
    "niet meer levenx",
    "(niet meer leven)",
]


def test_scanner_finds_what_the_pattern_finds():
    """Scanner drops a leading \\b and checks it itself: same matches, at the same places."""
    index: AnchorIndex = engine()._index
    texts = EDGES + [
        fold(json.loads(line)["text"])
        for split in ("train", "dev", "foreign")
        for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    compared = 0
    for pattern, scanner in zip(index.patterns, index.scanners, strict=True):
        for text in texts:
            want = [m.span() for m in pattern.finditer(text)]
            assert [m.span() for m in scanner.finditer(text)] == want, (pattern.pattern, text)
            compared += len(want)
    assert compared > 500
    assert [m.span() for m in Scanner(r"\b(ab|b)").finditer("ab b xab")] == [(0, 2), (3, 4)]
    # An alternation at the top whose other branch has no \b keeps its full pattern.
    assert [m.span() for m in Scanner(r"\bfoo|oo").finditer("xfoo")] == [(2, 4)]


def test_index_never_skips_a_match_on_the_corpus():
    index: AnchorIndex = engine()._index
    texts = [
        fold(json.loads(line)["text"])
        for split in ("train", "dev", "train_t1", "foreign")
        for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    checked = 0
    for text in texts:
        allowed = set(index.candidates(text))
        for i, pattern in enumerate(index.patterns):
            if pattern.search(text):
                assert i in allowed, (pattern.pattern, text[:80])
                checked += 1
    assert checked > 500


def test_a_case_blind_pattern_is_always_a_candidate():
    # (?i) matches "HELP", which the anchor "help" would not find: such a pattern always runs.
    index = AnchorIndex([r"(?i)\bhelp\b", r"(?i)geen contact", r"\bhelp\b"])
    assert index.candidates("HELP, Geen Contact") == [0, 1]


def test_an_ascii_pattern_is_not_looked_up_by_whole_words():
    # With (?a), "help" in "helpé" is a match (é is no word character then): the review's case.
    assert whole_words(r"(?a)\bhelp\b") is None
    assert AnchorIndex([r"(?a)\bhelp\b"]).candidates("helpé") == [0]


def test_scanner_ends_after_an_empty_match_at_the_end():
    assert [m.span() for m in Scanner("a*").finditer("b")] == [(0, 0), (1, 1)]
    assert [m.span() for m in Scanner("a*").finditer("")] == [(0, 0)]
