"""Operations: Prometheus metrics, JSON logs with request ids, liveness and readiness probes."""

from flask import Blueprint

bp = Blueprint("ops", __name__)
