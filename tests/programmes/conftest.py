"""The lifecycle tests read the operations' messages in English."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english(app):
    """Messages are lazy and translated when read: read them in English here."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
