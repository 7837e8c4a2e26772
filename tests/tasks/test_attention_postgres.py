"""Needs attention on a real PostgreSQL: the UNION ALL of the counted kinds (its literal kinds, the task kinds
read back as text, the times of every part) and the FIT and plan queries give what they give on SQLite."""

from __future__ import annotations

import pytest

from tests.tasks.test_tasks import (  # noqa: F401  (the fixtures and the test, run again on PostgreSQL)
    aino,
    enrolment,
    test_attention_is_a_fixed_number_of_statements_however_many_clients,
    test_every_kind_of_attention_for_a_client_that_has_it,
    worker,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_app):
    return pg_app
