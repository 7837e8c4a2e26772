"""``english``: pages read in English (anonymous visitors by Accept-Language; signed-in users by their locale)."""

from __future__ import annotations

import pytest

from tests.conftest import FreshContextClient


class EnglishClient(FreshContextClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def english(app):
    app.test_client_class = EnglishClient
    return app
