"""Prometheus metrics: what each request costs, and, at scrape time, what the installation is doing.

Measured per request (cheap: one histogram observation): latency by the Flask endpoint's name — never the
path, which can carry ids and tokens — and status class. Counted where it happens: failed sign-ins (the
``login_failed`` signal). Read only when ``/metrics`` is scraped (``Snapshot``): the outbox (one aggregate
query), the job runner's heartbeat counts, the database pool, and the Socket.IO connections and live
calls of this process.

**Processes.** One ``silta serve`` process is one gunicorn worker (the gevent worker holds many
connections); an installation runs more processes (``deploy/silta-web@.service``), each with its own
``/metrics``, and Prometheus scrapes each. With several gunicorn workers in one process, set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before start: counters and histograms then add up across
the workers (prometheus-client's multiprocess mode) and the scrape-time gauges are those of the worker
that answered.
"""

from __future__ import annotations

import ipaddress
import os
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from portal.config import ConfigError
from portal.ops.multiprocess import MULTIPROCESS

EXTENSION = "silta.ops.metrics"
# Pages should answer well under 50 ms (issue 14); the slow end shows reports and exports.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    registry: CollectorRegistry | None  # None in multiprocess mode: the files are the registry
    latency: Histogram
    login_failures: Counter
    allowed: tuple


def init_app(app: Flask) -> None:
    from portal import signals

    multiprocess = bool(os.environ.get(MULTIPROCESS))
    registry = None if multiprocess else CollectorRegistry(auto_describe=True)
    metrics = Metrics(
        registry=registry,
        latency=Histogram("silta_http_request_duration_seconds", "Time to answer a request, by Flask endpoint",
                          ("endpoint", "method", "status"), buckets=BUCKETS, registry=registry),
        login_failures=Counter("silta_login_failures_total", "Failed sign-ins, by method", ("method",),
                               registry=registry),
        allowed=parse_networks(app.config["METRICS_ALLOW"]),
    )
    if registry is not None:
        registry.register(Snapshot(app))
    app.extensions[EXTENSION] = metrics
    app.after_request(_observe)  # the clock starts with the request id (portal/ops/logs.py)
    signals.login_failed.connect(_count_login_failure)


def parse_networks(entries) -> tuple:
    """PORTAL_METRICS_ALLOW: addresses and networks ("127.0.0.1, ::1, 10.0.0.0/8")."""
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())
    except ValueError as exc:
        raise ConfigError(f"PORTAL_METRICS_ALLOW: {exc}") from None


def client_allowed(address: str | None) -> bool:
    """Is the client (its address after ProxyFix) one that may read /metrics?"""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in current_app.extensions[EXTENSION].allowed)


def exposition() -> Response:
    """The text format Prometheus scrapes."""
    metrics = current_app.extensions[EXTENSION]
    registry = metrics.registry
    if registry is None:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(Snapshot(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _observe(response: Response) -> Response:
    started = g.get("request_started")
    if started is not None:
        endpoint = request.endpoint or "unmatched"  # a 404 has no endpoint; its path stays out
        current_app.extensions[EXTENSION].latency.labels(
            endpoint, request.method if request.method in _METHODS else "other",
            f"{response.status_code // 100}xx").observe(time.perf_counter() - started)
    return response


_METHODS = {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _count_login_failure(method: str, **_extra) -> None:
    metrics = current_app.extensions.get(EXTENSION)
    if metrics is not None:
        metrics.login_failures.labels(method).inc()


class Snapshot:
    """Gauges read when Prometheus scrapes, never per request."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def describe(self):
        return []  # collected only at scrape time: nothing to check at registration

    def collect(self):
        from portal.ops import health, queries

        yield from self._outbox(queries)
        yield from self._jobs(health)
        yield from self._pool()
        yield from self._sockets()
        yield from self._sfu()

    def _outbox(self, queries):
        try:
            outbox = queries.outbox_summary()
        except Exception:  # noqa: BLE001 - the database away: /readyz says so; scrape the rest
            return
        messages = GaugeMetricFamily("silta_outbox_messages", "Outbox messages not sent yet, by state",
                                     labels=("state",))
        for state, count in outbox.by_state.items():
            messages.add_metric((state,), count)
        yield messages
        yield GaugeMetricFamily("silta_outbox_due_messages", "Queued messages whose sending time has come",
                                value=outbox.due)
        yield GaugeMetricFamily("silta_outbox_oldest_due_age_seconds",
                                "How long the oldest due, unsent message has waited (0: none)",
                                value=outbox.oldest_due_age)

    def _jobs(self, health):
        beat = health.job_heartbeat()
        if beat is None:
            return
        yield CounterMetricFamily("silta_job_runs", "Job runs (installation-wide, from the heartbeat)",
                                  value=beat.runs)
        yield CounterMetricFamily("silta_job_failures", "Failed job runs (installation-wide, from the heartbeat)",
                                  value=beat.failures)
        yield GaugeMetricFamily("silta_job_last_run_timestamp_seconds", "When the job runner last ran",
                                value=beat.at.timestamp())

    def _pool(self):
        from portal.extensions import db

        pool = db.engine.pool
        for name, method, doc in (("checked_out", "checkedout", "Database connections in use"),
                                  ("size", "size", "Database pool size (connections kept open)"),
                                  ("overflow", "overflow", "Database connections beyond the pool size")):
            if hasattr(pool, method):  # overflow() is negative until the pool has opened all its connections
                yield GaugeMetricFamily(f"silta_db_pool_{name}", doc, value=max(0, getattr(pool, method)()))

    def _sfu(self):
        """Janus's group rooms (installation-wide: one Janus), when it is configured and answers."""
        from portal.video import sfu

        config = sfu.Settings.of(self.app.config)
        if not config.configured:
            return
        try:
            figures = sfu.stats(config)
        except sfu.JanusUnavailable:
            return  # /readyz says so
        yield GaugeMetricFamily("silta_sfu_rooms", "Group video rooms open in Janus", value=figures["rooms"])
        yield GaugeMetricFamily("silta_sfu_publishers", "People publishing in Janus's group rooms",
                                value=figures["participants"])
        yield GaugeMetricFamily("silta_sfu_forwarded_streams",
                                "Streams Janus forwards at most: each publisher's media to each other publisher "
                                "(an upper bound: phones receive the video of a few only)",
                                value=figures["forwarded_streams"])

    def _sockets(self):
        from portal.ops import health, queries

        stats = queries.socket_stats(self.app)
        connections = GaugeMetricFamily("silta_socketio_connections", "Socket.IO connections on this process",
                                        labels=("namespace",))
        calls = GaugeMetricFamily("silta_live_calls", "Calls with someone connected to this process",
                                  labels=("namespace",))
        in_call = GaugeMetricFamily("silta_call_connections", "Connections of this process that are in a call",
                                    labels=("namespace",))
        bots = GaugeMetricFamily("silta_echo_bots", "Echo bot connections on this process", labels=("namespace",))
        for namespace, counts in stats.items():
            connections.add_metric((namespace,), counts.get("connections", 0))
            for family, key in ((calls, "calls"), (in_call, "in_call"), (bots, "bots")):
                if key in counts:
                    family.add_metric((namespace,), counts[key])
        yield from (connections, calls, in_call, bots)
        try:
            health.note_bot()  # a scrape of the process holding the bot tells the others (with Redis)
        except Exception:  # noqa: BLE001 - Redis away: /readyz says so
            pass
