"""An app built with other settings than the suite's, for limits worth hitting in a test."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI

from app.core.config import get_settings


@contextmanager
def app_with(monkeypatch: pytest.MonkeyPatch, **settings: str) -> Iterator[FastAPI]:
    from app.main import create_app

    try:
        with monkeypatch.context() as m:
            for name, value in settings.items():
                m.setenv(f"WIJKWINKEL_{name.upper()}", value)
            get_settings.cache_clear()
            yield create_app()
    finally:
        get_settings.cache_clear()  # the rest of the suite sees its own settings again
