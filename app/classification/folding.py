"""Folding and tokenising: a text made lower case and plain (ë → e), and the words in it."""

import re
import unicodedata

# Letters of any script stay inside a word, so "çıkamıyorum" is one (unknown) word, not "kam".
TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
# The same tokens in an ASCII text (most texts), found about twice as fast: a Unicode class is
# looked up per character, a range is not. A-Z too, so it equals TOKEN on any ASCII text.
_TOKEN_ASCII = re.compile(r"[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*")
# Without a hyphen, an ASCII text's tokens are its runs of letters and digits: everything else
# made a space and split, twice as fast as the pattern (89% of texts have no hyphen).
_SPACE_OUT = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def words_of(folded: str) -> list[str]:
    """The words of a folded text (as TOKEN.findall gives them)."""
    if folded.isascii():
        if "-" not in folded:
            return folded.translate(_SPACE_OUT).split()
        return _TOKEN_ASCII.findall(folded)
    return TOKEN.findall(folded)


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
