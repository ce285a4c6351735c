"""Field types shared by the request schemas.

Every free-text field of every request is one of the two text types below, so a character that
cannot be stored, or a text that only looks filled in, is refused the same way everywhere (422
naming the field) instead of reaching the database driver.
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StrictBool

# Characters no text of ours can hold. PostgreSQL refuses NUL; a lone surrogate cannot be
# encoded as UTF-8 at all; the Unicode non-characters (U+FDD0..U+FDEF and the last two code
# points of each plane) are for a program's internal use, never for interchange; other control
# characters (but tab, line feed and carriage return) are debris from copying, not text.
_KEEP_CONTROLS = frozenset("\t\n\r")


def _unstorable(ch: str) -> str | None:
    """Why this character cannot be stored, or None when it can."""
    cp = ord(ch)
    if cp == 0:
        return "a NUL character (\\u0000)"
    if 0xD800 <= cp <= 0xDFFF:
        return f"a lone surrogate (\\u{cp:04x}), half of a character that was cut in two"
    if 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE:
        return f"a Unicode non-character (U+{cp:04X})"
    if ch not in _KEEP_CONTROLS and unicodedata.category(ch) == "Cc":
        return f"a control character (U+{cp:04X})"
    return None


# Characters that show nothing: spaces of every kind, format characters (zero-width space and
# joiners, the byte order mark, direction marks, soft hyphen) and the letters that are drawn as
# blanks. A text made of only these (and combining marks, which need a letter to sit on) looks
# empty on every page, so it is treated as empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(ch: str) -> bool:
    return ch.isspace() or ch in _BLANK_LETTERS or unicodedata.category(ch) in {"Cf", "Cc"}


def _strip_invisible(value: str) -> str:
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def _looks_empty(value: str) -> bool:
    return all(_invisible(ch) or unicodedata.category(ch) in {"Mn", "Me"} for ch in value)


def _check_storable(value: str) -> str:
    # Most texts are plain ASCII without controls: one cheap check decides for them.
    if value.isascii() and value.isprintable():
        return value
    for ch in value:
        why = _unstorable(ch)
        if why is not None:
            raise ValueError(f"contains {why}, which cannot be stored; remove it and send again")
    return value


def clean_text(value: str) -> str:
    """A required text: storable, trimmed of invisible characters at either end, not empty."""
    stripped = _strip_invisible(_check_storable(value))
    if not stripped.strip():
        if value.strip():
            raise ValueError(_ONLY_INVISIBLE)
        raise ValueError("is empty or only whitespace")
    if _looks_empty(stripped):
        raise ValueError(_ONLY_INVISIBLE)
    return stripped


def clean_optional_text(value: str | None) -> str | None:
    """An optional text: the same, but an empty one (or only spaces) counts as not given."""
    if value is None or not value.strip():
        return None
    return clean_text(value)


_ONLY_INVISIBLE = "holds only invisible characters (such as zero-width spaces), no text"


# Free text from people, and names and labels: storable, trimmed, never blank.
Text = Annotated[str, AfterValidator(clean_text)]
# Optional free text (a note, a phone number): blank is taken as "not given".
OptionalText = Annotated[str | None, AfterValidator(clean_optional_text)]
# A legal statement (consent given or not): true or false only, never "yes", 1 or 0.
LegalFlag = StrictBool
