from collections.abc import Iterator

import pytest

from app.core.config import get_settings
from tests.webhooks.receiver import Receiver


@pytest.fixture
def allow_loopback(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "webhook_allow_private_targets", True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()
