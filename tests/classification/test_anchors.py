"""The pattern prefilter must never skip a pattern that would have matched."""

import json
from pathlib import Path

import pytest

from app.classification.anchors import AnchorIndex, Scanner, required_literals, required_sets
from app.classification.engine import fold
from app.classification.service import engine

DATA = Path(__file__).resolve().parents[1] / "data" / "classifier"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bdreig\w*", ("dreig",)),
        (r"(de|het) trap (op|af)", (" trap ",)),
        (r"\b(kan|kunnen) (hier )?niet (meer )?wonen\b", ("wonen",)),
        (r"\b(nu|help)\b", None),  # "nu" is too short to be worth a test
        (r"(a|bc)?xyz", ("xyz",)),
        (r"(?:gas|rook)lucht", ("lucht",)),
    ],
)
def test_required_literals(pattern, expected):
    got = required_literals(pattern)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert set(got) <= set(expected) or set(expected) <= set(got)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # Every match needs a member of each set, so both are checked.
        (r"\b(?:(geen|weinig) (meer )?(contact|bezoek))\b", [("bezoek", "contact")]),
        (r"\b(?:automatische (deur|voordeur))\b", [("automatische ",), ("deur", "voordeur")]),
        (r"\bspring\w* (ik )?(van|uit)\b", [("spring",)]),  # "van" is an everyday word
        (r"\b(nu|help)\b", []),
    ],
)
def test_required_sets(pattern, expected):
    assert required_sets(pattern) == expected


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
