"""Standard Webhooks signatures, and refusing targets inside private networks."""

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"  # noqa: S105  (the format's prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class TargetNotAllowed(ValueError):
    pass


def check_url_syntax(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise TargetNotAllowed("the URL must be http(s)://host/...")
    if parts.username or parts.password:
        raise TargetNotAllowed("credentials in the URL are not allowed; use the signature")


def check_target(url: str, *, allow_private: bool) -> None:
    """Refuse hosts that resolve to private, loopback, link-local or otherwise internal
    addresses. Checked when a subscription is saved and again before every delivery (DNS can
    change: rebinding)."""
    check_url_syntax(url)
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise TargetNotAllowed(f"the host {host} cannot be resolved") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise TargetNotAllowed(
                f"{host} resolves to {address}, an internal address; webhooks go to public "
                "addresses only (for development: WIJKWINKEL_WEBHOOK_ALLOW_PRIVATE_TARGETS=true)"
            )
