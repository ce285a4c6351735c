"""The pattern prefilter must never skip a pattern that would have matched."""

import json
from pathlib import Path

import pytest

from app.classification.anchors import AnchorIndex, required_literals
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


def test_index_never_skips_a_match_on_the_corpus():
    index: AnchorIndex = engine()._index
    texts = [
        fold(json.loads(line)["text"])
        for split in ("train", "dev", "test", "foreign")
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
