"""Probes and metrics for the installation's monitoring: public or address-limited, never personal data."""

from __future__ import annotations

from flask import abort, jsonify, request

from portal.ops import bp, health, metrics


@bp.route("/healthz")
def healthz():
    """Liveness: the process answers (no database, so a database outage does not restart every process)."""
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """Readiness: database, Redis, the job runner's heartbeat, the outbox backlog, the echo bot; 200 or 503."""
    ready, checks = health.readiness()
    return jsonify(status="ok" if ready else "error", checks=checks), 200 if ready else 503


@bp.route("/metrics")
def metrics_page():
    """Prometheus metrics, only for the addresses in PORTAL_METRICS_ALLOW (everyone else: 404)."""
    if not metrics.client_allowed(request.remote_addr):
        abort(404)
    return metrics.exposition()
