"""Security headers (OWASP Secure Headers for APIs), kept apart so errors.py can use them too."""

# JSON never needs scripts, styles, frames or forms: a browser that renders a response anyway
# (an error page opened directly, a sniffed type) gets nothing to run.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": API_CSP,
}


def over_tls(scheme: str | None, forwarded_proto: str | None) -> bool:
    """Whether the request came over HTTPS: directly, or through a TLS-terminating proxy that
    says so in X-Forwarded-Proto (its first value)."""
    forwarded = (forwarded_proto or "").split(",")[0].strip().lower()
    return scheme == "https" or forwarded == "https"
