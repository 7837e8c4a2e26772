"""A scratch PostgreSQL for a benchmark: started in a temporary folder, one migrated database, stopped after."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from tests.conftest import make_app, migrate_and_sync
from tests.support.services import start_postgres


@contextmanager
def postgres_app(**overrides) -> Iterator[Flask]:
    """The app on a freshly migrated PostgreSQL database ``bench``; the server stops when the block ends."""
    with tempfile.TemporaryDirectory(prefix="silta-bench-") as scratch:
        server = start_postgres(Path(scratch))
        try:
            server.create_database("bench")
            app = make_app(server.url("bench"), **overrides)
            migrate_and_sync(app)
            yield app
        finally:
            server.stop()
