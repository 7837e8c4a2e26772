"""Several gunicorn workers in one ``silta serve``: with PROMETHEUS_MULTIPROC_DIR their counts add up on
/metrics, whichever worker answers (two processes stand in for two workers)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from portal.ops import multiprocess
from tests.ops.conftest import metric

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import sys
from tests.conftest import make_app
app = make_app(sys.argv[1])
client = app.test_client()
client.get("/login")
sys.stdout.write(client.get("/metrics").get_data(as_text=True))
"""


def test_workers_counts_add_up(sqlite_template, tmp_path):
    database = tmp_path / "silta.sqlite3"
    shutil.copy(sqlite_template, database)
    directory = tmp_path / "metrics"
    hooks = {**os.environ, multiprocess.MULTIPROCESS: str(directory)}
    os.environ[multiprocess.MULTIPROCESS] = str(directory)
    try:
        settings = multiprocess.gunicorn_hooks()
    finally:
        del os.environ[multiprocess.MULTIPROCESS]
    settings["on_starting"](None)  # what gunicorn's master does first: an empty directory
    outputs = [subprocess.run([sys.executable, "-c", WORKER, f"sqlite:///{database}"], env=hooks, cwd=ROOT,
                              capture_output=True, text=True, timeout=120) for _worker in range(2)]
    for done in outputs:
        assert done.returncode == 0, done.stderr[-2000:]
    labels = 'endpoint="auth.login",method="GET",status="2xx"'
    assert metric(outputs[0].stdout, "silta_http_request_duration_seconds_count", labels) == 1
    assert metric(outputs[1].stdout, "silta_http_request_duration_seconds_count", labels) == 2
    assert metric(outputs[1].stdout, "silta_outbox_due_messages") == 0  # the scrape-time gauges too
    assert list(directory.glob("*.db"))
    settings["on_starting"](None)
    assert not list(directory.glob("*.db"))


def test_no_hooks_without_the_directory(monkeypatch):
    monkeypatch.delenv(multiprocess.MULTIPROCESS, raising=False)
    assert multiprocess.gunicorn_hooks() == {}
