"""API keys: generation, hashing, scopes. Keys are shown once and stored only as a hash."""

import hashlib
import secrets
from enum import StrEnum

KEY_PREFIX = "wwk_"


class Scope(StrEnum):
    intakes_write = "intakes:write"
    intakes_read = "intakes:read"
    referrals_read = "referrals:read"
    referrals_write = "referrals:write"
    stats_read = "stats:read"
    admin = "admin"


def generate_api_key() -> str:
    # 32 random bytes: far beyond guessing, so a fast hash is enough to store it safely.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """The first characters, so people can tell keys apart in lists without seeing them."""
    return key[: len(KEY_PREFIX) + 6]


def parse_scopes(raw: str) -> frozenset[Scope]:
    return frozenset(Scope(s) for s in raw.split() if s in Scope._value2member_map_)


def format_scopes(scopes: set[Scope] | frozenset[Scope] | list[Scope]) -> str:
    return " ".join(sorted(str(s) for s in set(scopes)))
