from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.database import get_engine


@dataclass
class Staff:
    """A demo organisation with its API key and its demo login."""

    id: str
    name: str
    type: str
    api_key: str
    username: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


@pytest.fixture
def staff() -> dict[str, Staff]:
    from app import demo

    with Session(get_engine(), expire_on_commit=False) as s:
        result: dict[str, Any] = demo.seed(session=s)
        s.commit()
    return {o["type"]: Staff(**o) for o in result["organisations"]}


@pytest.fixture
def other_client() -> Iterator[TestClient]:
    """A second client with its own cookie jar: a second person in one test."""
    from app.main import app

    with TestClient(app) as c:
        yield c
