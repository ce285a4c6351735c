"""The classification engine: folds, stems and matches a text against the lexicon.

Explainable by construction: every score is built from cues found in the text, and those cues are
returned as evidence. Fast because word-level results are cached per distinct word, and phrases
run as one compiled regular expression per subcategory.
"""

import bisect
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

import ahocorasick
import snowballstemmer

from app.classification import lexicon as lx
from app.classification.anchors import AnchorIndex, Guarded, is_word
from app.classification.domains import Domain

# Letters of any script stay inside a word, so "çıkamıyorum" is one (unknown) word, not "kam".
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
# The same tokens in an ASCII text (most texts), found about twice as fast: a Unicode class is
# looked up per character, a range is not. A-Z too, so it equals _TOKEN on any ASCII text.
_TOKEN_ASCII = re.compile(r"[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*")
_PHRASE_CHARS = re.compile(r"[\s\\()|?+\[\]{}^$.]")
_FUZZY_MIN = 5
# A typo is only assumed in a word of this length whose first letter is right: shorter words
# are mostly other, correctly spelled words one letter away from a cue (willen/pillen,
# jaren/haren, onder/sonde, morgen/zorgen), and people seldom get the first letter wrong.
_FUZZY_TOKEN_MIN = 7
# Function words count only when the lexicon names them as they are ("alleen"): their stems
# collide with cues ("was" is the stem of "wassen", "haar" that of "haren").
_FUNCTION_WORDS = frozenset(lx.DUTCH_FUNCTION_WORDS) | {"gewoon", "gewone"}  # stem: woon
_DOMAINS = tuple(Domain)  # iterating the enum itself is slow on the hot path
# "Label the need, not the background": the need is mostly in the sentence that asks. A
# sentence asks when it ends in "?" or carries one of these words. A dot inside a word or
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


# Without a hyphen, an ASCII text's tokens are its runs of letters and digits: everything else
# made a space and split, twice as fast as the pattern (89% of texts have no hyphen).
_SPACE_OUT = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def words_of(folded: str) -> list[str]:
    """The words of a folded text (as _TOKEN.findall gives them)."""
    if folded.isascii():
        if "-" not in folded:
            return folded.translate(_SPACE_OUT).split()
        return _TOKEN_ASCII.findall(folded)
    return _TOKEN.findall(folded)


@dataclass(frozen=True, slots=True)
class Cue:
    label: str  # "domain.subcategory" or "domain."
    weight: float
    evidence: str


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
    # The same noisy-OR over the cues in the sentences that ask (see ASKING_WORDS) only.
    request_scores: dict[str, float] = field(default_factory=dict)


def _strongest_first(cue: Cue) -> tuple[float, str]:
    return -cue.weight, cue.evidence


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The accented letters Dutch texts use, folded by table; anything else via Unicode decomposition.
# Trade marks part words: decomposed, "Rollator™" would be the one word "rollatortm".
_FOLD_TABLE = str.maketrans(
    {c: _fold_slow(c) for c in "àáâãäåèéêëìíîïòóôõöùúûüýÿçñ"}
    | {"’": "'", "‘": "'", "`": "'"}
    | dict.fromkeys("™®©℠", " ")
)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that works out each other character on first sight.

    Folding character by character gives what folding the whole text gives: decomposition is
    per character, and the only reordering Unicode does moves combining marks, which are all
    dropped. fold() stops using it when it is full, so rare characters cannot grow it without
    end."""

    def __missing__(self, code: int) -> str:
        folded = _fold_slow(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable(_FOLD_TABLE)
_FOLD_LIMIT = 20_000


def fold(text: str) -> str:
    """Lower case, no diacritics (ë → e), typographic quotes made plain."""
    text = text.lower()
    if text.isascii():
        return text.replace("`", "'")  # the table's one ASCII entry; most texts need no more
    if len(_FOLD) < _FOLD_LIMIT:
        text = text.translate(_FOLD)
    else:
        # The table is full (a flood of rare characters): fold the whole text at once instead.
        text = text.translate(_FOLD_TABLE)
        text = text if text.isascii() else _fold_slow(text)
    # Decomposing can give capitals ("ℍ" -> "H", "Ⅸ" -> "IX"): the case is lowered once more.
    return text.lower()


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


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Engine:
    def __init__(self) -> None:
        self._stemmer = snowballstemmer.stemmer("dutch")
        self._exact: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._stems: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._prefixes: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._suffixes: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._fuzzy: dict[str, set[str]] = defaultdict(set)
        phrases: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for label, cues in lx.LEXICON.items():
            for raw, weight in cues:
                if _PHRASE_CHARS.search(raw.strip("*")):
                    phrases[label].append((raw, weight))
                    continue
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
        self._word_cues = lru_cache(maxsize=200_000)(self._word_cues_uncached)
        self._cached_stem = lru_cache(maxsize=200_000)(self._stem)
        # Stem and cues of a word in one cached call: the hot path of every classification.
        self._word = lru_cache(maxsize=200_000)(
            lambda token: (self._cached_stem(token), self._word_cues(token))
        )
        self._label_domain = {
            label: Domain(label.split(".", 1)[0])
            for label in [*lx.LEXICON, *(lbl for v in lx.URGENT_IMPLIES.values() for lbl, _ in v)]
        }
        # "wonen.onderhoud" -> "wonen.": the domain's own label, as the request scores name it.
        self._domain_label = {label: f"{d}." for label, d in self._label_domain.items()}

    def _stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    # --- words -------------------------------------------------------------------------------

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
                    for cue in self._word_cues(part):
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

    # --- whole text --------------------------------------------------------------------------

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
            tokens = list(_TOKEN.finditer(expanded))
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
        request_scores = self._request_scores(
            text=expanded,
            phrase_at=phrase_at,
            negated_clauses=negated_clauses,
            starts=starts,
            word_cues=None if negated_clauses else cues[:n_word_cues],
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
            request_scores=request_scores,
        )

    def _request_scores(
        self,
        *,
        text: str,
        phrase_at: list[tuple[int, Cue]],
        negated_clauses: set[int],
        starts: list[int],
        word_cues: list[Cue] | None = None,
    ) -> dict[str, float]:
        """Noisy-OR per label and per domain ("wonen.") over the word and phrase cues in the
        asking sentences; empty when no sentence asks. ``word_cues``: the cues of the text's
        distinct words in order, when nothing is negated (used when every sentence asks)."""
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
                    for m in _TOKEN.finditer(text, a, b):
                        if bisect.bisect_right(starts, m.start()) - 1 not in negated_clauses:
                            tokens[m.group()] = None
                else:
                    tokens.update(dict.fromkeys(words_of(text[a:b])))
            word = self._word
            cues = [cue for token in tokens for cue in word(token)[1]]
        if phrase_at:
            cues += [c for at, c in phrase_at if any(a <= at < b for a, b in asking)]
        miss: dict[str, float] = {}
        seen: set[tuple[str, str]] = set()
        domain_of = self._domain_label
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
