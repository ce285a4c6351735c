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
