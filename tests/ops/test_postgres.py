"""The heartbeat table and the readiness queries on a real PostgreSQL."""

from __future__ import annotations

import pytest

from portal.ops import heartbeat

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("app_config", [{"READY_ECHO_BOT": False}])
def test_heartbeat_and_readiness_on_postgres(pg_app):
    heartbeat.beat(pg_app)
    heartbeat.beat(pg_app, ok=False)
    assert (heartbeat.read().runs, heartbeat.read().failures) == (2, 1)
    response = pg_app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    text = pg_app.test_client().get("/metrics").get_data(as_text=True)
    assert "silta_job_runs_total 2.0" in text and "silta_db_pool_size" in text
