"""Field types shared by the request schemas."""

from typing import Annotated

from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; SQLite would. Refuse it everywhere, the same way.
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000), which text fields cannot hold")
    return value


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("is empty or only whitespace")
    return value


# Free text from people: anything but NUL.
Text = Annotated[str, AfterValidator(_no_nul)]
# A name or label: trimmed, not blank.
Name = Annotated[str, AfterValidator(_no_nul), AfterValidator(_not_blank)]
