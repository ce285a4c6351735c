"""Encryption at rest for the most sensitive field we hold: the BSN."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.core.config import get_settings
from app.core.errors import InvalidInput


class BsnNotAccepted(InvalidInput):
    title = "BSN not accepted here"
    slug = "bsn-not-accepted"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet | None:
    # Several keys, comma-separated: the first encrypts, all decrypt (key rotation).
    raw = get_settings().bsn_encryption_keys
    keys = [k.strip() for k in raw.get_secret_value().split(",") if k.strip()] if raw else []
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None
    except ValueError:
        raise ValueError(
            "WIJKWINKEL_BSN_ENCRYPTION_KEYS holds a key that is not a Fernet key (32 bytes, "
            "url-safe base64); make one with cryptography.fernet.Fernet.generate_key()"
        ) from None


def check_keys() -> None:
    """At start: a broken key stops the service there, not on the first BSN."""
    _fernet()


def encrypt_bsn(bsn: str) -> str:
    fernet = _fernet()
    if fernet is None:
        raise BsnNotAccepted(
            "This installation does not store a BSN: no encryption key is configured "
            "(WIJKWINKEL_BSN_ENCRYPTION_KEYS). Leave the BSN out, or ask the administrator."
        )
    return fernet.encrypt(bsn.encode()).decode()


def decrypt_bsn(token: str) -> str | None:
    """None when no key (any longer) opens it: the BSN is then as good as gone."""
    fernet = _fernet()
    if fernet is None:
        return None
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        return None
