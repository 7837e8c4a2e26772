"""The same hand-worked figures on PostgreSQL: day arithmetic, JSON and window functions differ by dialect."""

from __future__ import annotations

import pytest

from portal.reports.queries import FIGURES
from tests.reports.conftest import PERIOD
from tests.reports.figures_expected import EXPECTED
from tests.reports.test_figures import expected, plain

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app):
    return pg_app


def test_every_figure_on_postgresql(world):
    wrong = {key: plain(FIGURES[key].run(PERIOD)) for key in sorted(EXPECTED)}
    wrong = {key: rows for key, rows in wrong.items() if rows != expected(key)}
    assert wrong == {}
