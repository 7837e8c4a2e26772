"""Prometheus' multiprocess mode for a ``silta serve`` with several gunicorn workers.

The deployment runs one worker per process (``deploy/silta-web@.service``: ``--workers 1``), scaled by more
processes, each scraped on its own port. An installation that runs ``--workers N`` sets
``PROMETHEUS_MULTIPROC_DIR`` to a directory of its own: every worker then writes its counters and histograms
there and ``/metrics``, whichever worker answers, adds them up. Imported by the gunicorn master
(portal/serving.py): nothing here imports the app or prometheus-client at module level.
"""

from __future__ import annotations

import os

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"


def gunicorn_hooks() -> dict:
    """Gunicorn settings for multiprocess mode (portal/serving.py): an empty metrics directory at start (old
    files would add a previous run's counts) and a dead worker's files marked. Nothing without the variable."""
    directory = os.environ.get(MULTIPROCESS)
    if not directory:
        return {}

    def on_starting(_server) -> None:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))

    def child_exit(_server, worker) -> None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

    return {"on_starting": on_starting, "child_exit": child_exit}
