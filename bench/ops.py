"""What observability costs: ``python -m bench.ops [--rows 50000]``

(a) Per request: the request id, the latency histogram and the JSON request line (portal/ops), measured as
    the difference in median time of ``GET /healthz`` (the cheapest route) through the test client with
    those hooks and with them removed, in interleaved rounds so both see the same machine load.
(b) Per scrape: ``/metrics`` and ``/readyz`` on SQLite with ``--rows`` outbox messages (1 in 400 queued,
    the rest sent): the outbox aggregates must stay index range scans whatever the sent history.

Prints medians in microseconds / milliseconds and /proc/loadavg (the machine is shared).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from datetime import timedelta

from flask_migrate import upgrade

from portal import create_app
from portal.db import utcnow
from portal.extensions import db
from portal.notifications.models import OutboxMessage
from portal.ops import heartbeat, logs, metrics

ROUNDS, PER_ROUND = 15, 200


def build(rows: int):
    folder = tempfile.mkdtemp(prefix="silta-bench-ops-")
    app = create_app({"TESTING": True, "SECRET_KEY": "b" * 40, "SEED_DEMO_ON_START": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "READY_ECHO_BOT": False})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        now = utcnow()
        db.session.execute(OutboxMessage.__table__.insert(), [
            {"channel": "email", "recipient": "someone@example.test", "body": "Muistutus",
             "status": "queued" if i % 400 == 0 else "sent", "send_after": now - timedelta(minutes=i % 10),
             "attempts": 0, "created_at": now} for i in range(rows)])
        db.session.commit()
    heartbeat.beat(app)
    return app


def per_request_cost(app) -> tuple[float, float]:
    """Median µs of GET /healthz with and without the ops hooks."""
    ops_before = [f for f in app.before_request_funcs[None] if f.__module__ == logs.__name__]
    ops_after = [f for f in app.after_request_funcs[None] if f.__module__ in (logs.__name__, metrics.__name__)]
    client = app.test_client()
    with_hooks, without = [], []
    for _ in range(ROUNDS):
        for sample, strip in ((with_hooks, False), (without, True)):
            before, after = app.before_request_funcs[None], app.after_request_funcs[None]
            if strip:
                app.before_request_funcs[None] = [f for f in before if f not in ops_before]
                app.after_request_funcs[None] = [f for f in after if f not in ops_after]
            started = time.perf_counter()
            for _ in range(PER_ROUND):
                client.get("/healthz")
            sample.append((time.perf_counter() - started) / PER_ROUND * 1e6)
            app.before_request_funcs[None], app.after_request_funcs[None] = before, after
    return statistics.median(with_hooks), statistics.median(without)


def scrape_ms(app, url: str, runs: int = 30) -> tuple[int, float]:
    client = app.test_client()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status = client.get(url).status_code
        times.append((time.perf_counter() - started) * 1000)
    return status, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    app = build(args.rows)
    root = logging.getLogger()
    root.handlers[:] = [logs.handler("json", open(os.devnull, "w"))]  # production's format, written nowhere
    root.setLevel(logging.INFO)
    with_hooks, without = per_request_cost(app)
    print(f"per request (GET /healthz, median of {ROUNDS}x{PER_ROUND}): {with_hooks:.0f} us with the ops hooks, "
          f"{without:.0f} us without: {with_hooks - without:.0f} us for request id + histogram + JSON line")
    for url in ("/metrics", "/readyz"):
        status, median = scrape_ms(app, url)
        print(f"{url} with {args.rows} outbox rows (SQLite): {median:.1f} ms median (HTTP {status})")
    with open("/proc/loadavg") as f:
        print("loadavg:", f.read().strip())


if __name__ == "__main__":
    main()
