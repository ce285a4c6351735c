"""The sentences that ask, and the scores of the cues in them.

"Label the need, not the background": the need is mostly in the sentence that asks, so the
engine scores the cues in those sentences once more, apart (``Analysis.request_scores``).
"""

import bisect
import re
from collections.abc import Callable

import ahocorasick

from app.classification.anchors import is_word
from app.classification.folding import TOKEN, words_of
from app.classification.word_cues import Cue

# A sentence asks when it ends in "?" or carries one of these words. A dot inside a word or
# number ("i.v.m.", "10.30") or after a staff abbreviation ("mw.", "dhr.") ends no sentence.
_NOT_AN_END = "|".join(
    rf"(?<=\b{re.escape(a)})\."
    for a in [
        *("mw", "mevr", "dhr", "cl", "pt", "ca", "bijv", "evt", "nr", "tel"),
        *("i.v.m", "z.s.m", "o.a", "i.o.m", "t.b.v", "m.b.t", "d.d", "p.w", "p/w"),
    ]
)
# The run of ordinary characters is one step (``[^.!?\n]+``), not one per character: the same
# sentences, found several times faster.
_SENTENCE = re.compile(rf"(?:[^.!?\n]+|\.(?=[^\s.!?])|{_NOT_AN_END})+[.!?\n]*")
ASKING_WORDS = (
    *("graag", "verzoek", "vraag", "vraagt", "vragen", "zoek", "zoekt", "zoeken", "nodig"),
    *("help", "helpen", "hulp bij", "aanvraag", "aanvragen", "aanmelden", "wil ik"),
    *("wil graag", "willen graag", "kan iemand", "kunnen jullie", "wie kan", "waar kan"),
    *("hoe kan", "hoe kom", "hoe moet", "kan ik", "mag ik", "moet ik"),
)
# Found by one Aho-Corasick pass, each hit then checked for word boundaries (as \b(...)\b would
# be): a regular expression of 28 alternatives tries them all at every position of the text.
_ASKING = ahocorasick.Automaton()
for _words in ASKING_WORDS:
    _ASKING.add_word(_words, len(_words))
_ASKING.make_automaton()


def asking_sentences(text: str) -> tuple[list[tuple[int, int]], bool]:
    """The spans of the sentences that ask (see ASKING_WORDS), and whether every sentence does."""
    # Where the asking words are, in one pass: one never crosses a sentence end (they are
    # letters and spaces only), so a sentence asks when one of them starts within it.
    asks_at = sorted(  # a hit ends where the next may start earlier ("wil graag", "graag")
        start
        for end, length in _ASKING.iter(text)
        if (start := end + 1 - length) == 0 or not is_word(text[start - 1])
        if end + 1 == len(text) or not is_word(text[end + 1])
    )
    if "?" not in text and not asks_at:
        return [], False  # finding sentences is most of the work: skip it when none can ask
    asking = []
    every = True
    k, n = 0, len(asks_at)
    for m in _SENTENCE.finditer(text):
        a, b = m.span()
        while k < n and asks_at[k] < a:
            k += 1
        if (k < n and asks_at[k] < b) or "?" in text[a:b].rstrip()[-3:]:  # "?", "?!"
            asking.append((a, b))
        else:
            every = False
    return asking, every and bool(asking)


def request_scores(
    *,
    text: str,
    phrase_at: list[tuple[int, Cue]],
    negated_clauses: set[int],
    starts: list[int],
    word_cues: list[Cue] | None,
    word: Callable[[str], tuple[str, tuple[Cue, ...]]],
    domain_of: dict[str, str],
) -> dict[str, float]:
    """Noisy-OR per label and per domain ("wonen.") over the word and phrase cues in the
    asking sentences; empty when no sentence asks. ``word_cues``: the cues of the text's
    distinct words in order, when nothing is negated (used when every sentence asks);
    ``word``: a word's stem and cues (WordCues.word); ``domain_of``: a label's domain label."""
    asking, every = asking_sentences(text)
    if not asking:
        return {}  # no asking sentence: the features say so by being absent
    cues: list[Cue]
    if every and word_cues is not None:
        # Every sentence asks, so every word is in one (only sentence ends lie between).
        cues = list(word_cues)
    else:
        # Each distinct word once, in order of first use: a repeated word adds the same
        # cues, which the noisy-OR below counts once anyway.
        tokens: dict[str, None] = {}
        for a, b in asking:
            if negated_clauses:
                for m in TOKEN.finditer(text, a, b):
                    if bisect.bisect_right(starts, m.start()) - 1 not in negated_clauses:
                        tokens[m.group()] = None
            else:
                tokens.update(dict.fromkeys(words_of(text[a:b])))
        cues = [cue for token in tokens for cue in word(token)[1]]
    if phrase_at:
        cues += [c for at, c in phrase_at if any(a <= at < b for a, b in asking)]
    miss: dict[str, float] = {}
    seen: set[tuple[str, str]] = set()
    for cue in cues:
        label = cue.label
        if (label, cue.evidence) in seen:
            continue
        seen.add((label, cue.evidence))
        miss[label] = miss.get(label, 1.0) * (1 - cue.weight)
        domain = domain_of[label]
        if domain != label:
            miss[domain] = miss.get(domain, 1.0) * (1 - cue.weight)
    return {label: round(1 - v, 4) for label, v in miss.items()}
