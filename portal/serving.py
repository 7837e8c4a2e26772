"""The production server: gunicorn with gevent workers, serving the pages and the Socket.IO websockets.

``serve(["0.0.0.0:8000"], workers=2)`` blocks until the server is stopped (SIGTERM/SIGINT). Each worker
is one process holding thousands of connections in greenlets (measured: bench/signaling.py). Several
workers (or several machines) share rooms through the Redis message queue (``PORTAL_REDIS_URL``);
without Redis, run one worker.

Order matters under gevent: gunicorn's gevent worker monkey-patches the process right after the fork
and only then loads the app (no ``preload_app``), so psycopg, SQLAlchemy's pool, redis-py and the
Socket.IO server all see cooperative sockets, locks and ``select``. Nothing in this module imports the
app in the master process; keep it that way (the ``silta`` command must not call ``create_app`` before
``serve``).
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import time

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.ggevent import GeventWorker

from portal import config as config_module
from portal.ops.multiprocess import gunicorn_hooks as metrics_hooks

# The path without the query string (OIDC codes, states) and with secret path parts masked (see Logger);
# last, the request id the app answered with (portal/ops/logs.py), which its own log lines carry too.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'


class Worker(GeventWorker):
    """Gunicorn's gevent worker, with Nagle's algorithm off on every accepted socket: signaling sends small
    websocket frames both ways, and with Nagle a frame can wait ~40 ms for the peer's delayed ACK."""

    def handle(self, listener, client, addr):
        try:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass  # a unix socket
        super().handle(listener, client, addr)


class AccessLogger(Logger):
    """Access log lines without query strings and without the secret tokens some paths carry."""

    def atoms(self, resp, req, environ, request_time):
        from portal.__main__ import redact_path  # the embedded server's rule, loaded after the fork

        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U") or "")
        atoms["r"] = f"{atoms.get('m')} {atoms['U']} {atoms.get('H')}"
        atoms["q"] = "-"
        return atoms


def collector_hook(freeze_seconds: int, sweep_minutes: int):
    """Gunicorn's ``post_worker_init``: keep the cyclic garbage collector's pauses short in each worker.

    A web worker holds thousands of long-lived objects per open websocket (greenlets, queues, sockets,
    each connection's state). Python's collector walks every object it tracks in a full collection, and
    it starts one each time the survivors grew by a quarter: while people connect, and then now and
    then. Each is a stall of every call's signaling in that process: full collections of 85-530 ms were
    logged on a loaded machine at 2 000 connections. So:

    - after start-up, ``gc.freeze()`` moves what start-up allocated (modules, the app, catalogs) out of
      the collector's sight (copy-on-write pages stay shared too);
    - every ``freeze_seconds`` the young generations are collected (their garbage freed as before) and
      what survived is frozen too, so a collection only ever walks what the last seconds allocated;
    - every ``sweep_minutes`` one full collection over everything (``unfreeze``, ``collect``,
      ``freeze``) frees what became cyclic garbage after it was frozen (a closed connection's objects):
      one pause in that time instead of several an hour, and memory bounded.

    ``freeze_seconds`` 0 leaves the collector as Python sets it (after the start-up freeze).

    Measured (``python -m bench.signaling --sizes 5000``, quiet machine, 5 000 connections and 500 calls):
    relay p99 8.6 ms (13.0 after the joins) with the ticks, 101 ms (155) without them, and 191 ms (264) for
    the bare python-socketio relay, which manages nothing; the same RSS (566 MB) after the run.
    """

    def post_worker_init(worker) -> None:
        gc.collect()
        gc.freeze()
        if freeze_seconds > 0:
            import gevent  # the worker is a gevent worker: a greenlet, not a thread

            gevent.spawn(_keep_collections_short, freeze_seconds, sweep_minutes * 60)

    return post_worker_init


def _keep_collections_short(every: float, sweep_every: float) -> None:
    import gevent

    last_sweep = time.monotonic()
    while True:
        gevent.sleep(every)
        sweep = bool(sweep_every) and time.monotonic() - last_sweep >= sweep_every
        collect_step(sweep)
        if sweep:
            last_sweep = time.monotonic()


def collect_step(sweep: bool) -> None:
    """One tick of the worker's collector: the young generations (or, when ``sweep``, everything) are
    collected, and what survived is frozen."""
    if sweep:
        gc.unfreeze()
        gc.collect()
    else:
        gc.collect(1)  # the young generations: their cyclic garbage is freed, not frozen
    gc.freeze()


class Application(BaseApplication):
    def __init__(self, options: dict, overrides: dict):
        self.options = options
        self.overrides = overrides
        super().__init__()

    def load_config(self):
        path = self.options.pop("config_file", "")
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if path:
            self.load_config_from_file(path)  # an installation's own gunicorn settings win

    def load(self):
        from portal import create_app  # in the worker, after gevent's monkey-patching

        # The app's own log lines (refused connections, revocation) at INFO, unless logging is set up already.
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        app = create_app({**self.overrides, "RTC_ASYNC_MODE": "gevent", **_bounded_pool(self.overrides)})
        slots = app.config["SERVE_PAGE_SLOTS"]
        return PageQueue(app, slots) if slots > 0 else app


# Paths that never wait for a page slot: the websockets (long-lived; their events are short) and what a load
# balancer or Prometheus asks, which must answer while a long report runs.
PASS_BY = ("/socket.io/", "/healthz", "/readyz", "/metrics", "/static/")


class PageQueue:
    """A worker process's page requests run ``slots`` at a time, in the order they came; the rest wait.

    A gevent worker switches to another request at every database round trip (psycopg waits cooperatively),
    so under load every page in flight shared the core with all the others and each finished as late as the
    last: with 100 users on PostgreSQL (bench/pages.py), p95 was 145 ms with up to 10 pages in flight per
    process, 77 ms with 2 and 60 ms with 1, at the same throughput and CPU. A page that waits for a slot
    costs nothing meanwhile, and one in a slot finishes in about its own time. Pages on SQLite did not yield
    anyway (its calls do not go through gevent), so they ran like this already. Two slots by default, not
    one: a long page (a report, an export) then holds one and the others still go on.

    Websockets and the health, metrics and static paths pass by (PASS_BY). The slot is released when the
    app has answered (the session and its database connection are closed by then); a streamed body is sent
    after that. PORTAL_SERVE_PAGE_SLOTS (0: no queue)."""

    def __init__(self, app, slots: int):
        from gevent.lock import BoundedSemaphore  # in the worker, after gevent's monkey-patching

        self.app, self.slots = app, BoundedSemaphore(slots)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PASS_BY):
            return self.app(environ, start_response)
        with self.slots:
            return self.app(environ, start_response)


def _bounded_pool(overrides: dict) -> dict:
    """A bounded SQLAlchemy pool per worker: greenlets wait for a connection (cooperatively) instead of
    opening one each; an installation's own engine options win."""
    settings = config_module.load(overrides)
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") or settings["SQLALCHEMY_ENGINE_OPTIONS"]:
        return {}
    size = settings["SERVE_DB_POOL_SIZE"]
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": size, "max_overflow": 0, "pool_timeout": 10,
                                          "pool_pre_ping": True}}


def options(bind: list[str], workers: int, settings: dict) -> dict:
    """Gunicorn's settings from Silta's configuration (PORTAL_SERVE_*, PORTAL_GUNICORN_CONFIG)."""
    return {
        "bind": list(bind),
        "workers": workers,
        "worker_class": f"{__name__}.Worker",
        "worker_connections": settings["SERVE_WORKER_CONNECTIONS"],
        "timeout": settings["SERVE_TIMEOUT"],
        "graceful_timeout": settings["SERVE_GRACEFUL_TIMEOUT"],
        "keepalive": settings["SERVE_KEEPALIVE"],
        "backlog": settings["SERVE_BACKLOG"],
        "preload_app": False,
        "accesslog": settings["SERVE_ACCESS_LOG"] or None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": f"{__name__}.AccessLogger",
        "post_worker_init": collector_hook(settings["SERVE_GC_FREEZE_SECONDS"], settings["SERVE_GC_SWEEP_MINUTES"]),
        "proc_name": "silta",
        # Service managers (systemd) run Silta; a shared default control socket path would make two
        # servers on one machine (tests, a staging instance) fight over it.
        "control_socket_disable": True,
        "config_file": settings["GUNICORN_CONFIG"],
        **metrics_hooks(),  # several workers: prometheus-client's multiprocess mode (portal/ops/metrics.py)
    }


def serve(bind: list[str], workers: int = 1, *, config: dict | None = None) -> None:
    """Run the production server until it is stopped. ``config`` overrides the app's configuration."""
    settings = config_module.load(config)  # fails here, in the master, on a bad setting or a missing key
    os.environ.setdefault("GEVENT_RESOLVER", "thread")
    Application(options(bind, workers, settings), dict(config or {})).run()
