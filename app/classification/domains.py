"""The three domains a question can concern. Kept apart from the API schemas so the classifier
itself loads without pydantic (it is most of the classifier's start-up time otherwise)."""

from enum import StrEnum


class Domain(StrEnum):
    wonen = "wonen"
    welzijn = "welzijn"
    zorg = "zorg"
