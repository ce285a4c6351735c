import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def try_login(client: TestClient, username: str, password: str, **kwargs: Any) -> Response:
    """Open the login form and post it, as a browser would; the answer as it comes."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": username, "password": password},
        **kwargs,
    )


def log_in(client: TestClient, username: str, password: str) -> TestClient:
    r = try_login(client, username, password, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def main_text(html: str) -> str:
    """The visible text of <main>, tags stripped, spaces folded."""
    main = re.search(r"<main.*?</main>", html, re.S)
    assert main
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.group(0))).strip()
