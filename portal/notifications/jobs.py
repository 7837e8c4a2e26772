"""The job runner: two periodic jobs — queue the reminders that are due, send the messages that are due.

Where they run depends on the installation, never on code changes:

- **Embedded default** (no ``PORTAL_REDIS_URL``): a daemon thread in the web process, started by
  ``python -m portal`` only (``start_in_process``; not by ``create_app``, so tests and
  ``flask`` commands run no jobs), every ``JOBS_INTERVAL_SECONDS`` (30) with its own app context.
  ``PORTAL_JOBS_ENABLED=false`` turns it off. Nothing to set up.
- **With Redis** (``PORTAL_REDIS_URL`` set): huey's ``RedisHuey`` queue. The worker is
  ``python -m portal.notifications.jobs``: a huey consumer whose periodic task runs every minute.
  The web processes run no jobs; they only enqueue (below), so several of them can share one worker.

Notices of changes should not wait for the next tick: a subscriber that queued one calls
``request_delivery``, and when the transaction commits the runner is woken (embedded) or a run is
enqueued (Redis). Both paths share ``run_jobs``, which logs no personal data and turns any failure
into ``JobFailed`` carrying only the error's class name (a database error's text can hold a body).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event

from portal import signals
from portal.config import ConfigError
from portal.db import utcnow
from portal.extensions import db
from portal.measures.reminders import queue_questionnaire_reminders
from portal.notifications import backends, operations

log = logging.getLogger(__name__)

EXTENSION = "silta.jobs"
DELIVERY_REQUESTED = "silta.notifications.delivery_requested"  # a key in the session's info
SEND_LIMIT = 100  # messages per run; the rest go on the next


class JobFailed(RuntimeError):
    """A run failed; the message is the original error's class name only."""


@dataclass
class Jobs:
    """The app's job machinery: a huey queue with Redis, else (in ``python -m portal``) a thread."""

    app: Flask
    huey: Any = None  # huey.RedisHuey when PORTAL_REDIS_URL is set
    run_task: Any = None  # huey task: one run now (optionally at a given time)
    tick_task: Any = None  # huey periodic task: one run every minute
    runner: InProcessRunner | None = None

    def deliver_soon(self) -> None:
        """Have the jobs run now rather than at the next tick (after a notice was queued)."""
        if self.runner is not None:
            self.runner.wake()
        elif self.run_task is not None:
            try:
                self.run_task()
            except Exception as exc:  # noqa: BLE001 - Redis away: the periodic run will send it
                log.warning("could not enqueue a notification run (%s)", type(exc).__name__)


def init_app(app: Flask) -> None:
    """Check the configuration, build the backends, subscribe to the signals; with Redis, define the queue."""
    from portal.notifications import subscribers

    backends.configure(app)
    _check_offsets(app.config["REMINDER_OFFSETS"])
    subscribers.connect()
    jobs = Jobs(app)
    if app.config["REDIS_URL"]:
        _define_huey(jobs)
    app.extensions[EXTENSION] = jobs
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)


def _check_offsets(offsets) -> None:
    if not offsets or not all(isinstance(m, int) and not isinstance(m, bool) and m > 0 for m in offsets):
        raise ConfigError("PORTAL_REMINDER_OFFSETS must be a list of positive whole minutes, e.g. [1440, 60]")


def _define_huey(jobs: Jobs) -> None:
    from huey import RedisHuey, crontab

    app = jobs.app
    # results=False: nobody reads a run's result, and stored results would pile up in Redis.
    huey = RedisHuey(app.config["JOBS_QUEUE_NAME"], url=app.config["REDIS_URL"], results=False, utc=True)

    @huey.task(name="notifications.run")
    def run(now: datetime | None = None) -> None:
        log.info("notification run: %s", run_jobs(app, now))

    @huey.periodic_task(crontab(minute="*"), name="notifications.tick")
    def tick() -> None:
        log.info("notification tick: %s", run_jobs(app))

    jobs.huey, jobs.run_task, jobs.tick_task = huey, run, tick


def run_jobs(app: Flask, now: datetime | None = None) -> dict[str, int]:
    """One run: queue the reminders that are due, then send what is due. Returns counts."""
    with app.app_context():
        try:
            now = now or utcnow()
            queued = operations.queue_due_reminders(now)
            queued += queue_questionnaire_reminders(now)
            signals.jobs_due.send(app, now=now)  # other features' chores (portal/auth: ended sessions deleted)
            db.session.commit()
            result = {"queued": queued, **operations.send_due(now, SEND_LIMIT)}
        except Exception as exc:
            db.session.rollback()
            # The frames say where; the message (possibly with SQL parameters) stays out of the log.
            log.error("notification run failed (%s) at:\n%s", type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            signals.jobs_ran.send(app, ok=False)
            raise JobFailed(type(exc).__name__) from None
        signals.jobs_ran.send(app, ok=True)  # the heartbeat /readyz and /metrics read (portal/ops)
        return result


class InProcessRunner:
    """The embedded default's runner: a daemon thread calling ``run_jobs`` every ``interval`` seconds."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app, self.interval = app, interval
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="silta-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_jobs(self.app)
            except JobFailed:
                pass  # logged by run_jobs; the next tick tries again
            self._wake.wait(self.interval)
            self._wake.clear()


def start_in_process(app: Flask) -> InProcessRunner | None:
    """Start the in-process runner (``python -m portal``) unless jobs are off or Redis runs them."""
    if not app.config["JOBS_ENABLED"]:
        log.info("notification jobs are off (PORTAL_JOBS_ENABLED=false)")
        return None
    if app.config["REDIS_URL"]:
        log.info("notification jobs run in the worker: python -m portal.notifications.jobs")
        return None
    runner = InProcessRunner(app, app.config["JOBS_INTERVAL_SECONDS"])
    app.extensions[EXTENSION].runner = runner
    runner.start()
    return runner


def request_delivery() -> None:
    """Ask for a run as soon as the current transaction commits (a notice is waiting)."""
    db.session.info[DELIVERY_REQUESTED] = True


def _after_commit(session) -> None:
    if session.info.pop(DELIVERY_REQUESTED, False) and has_app_context():
        jobs = current_app.extensions.get(EXTENSION)
        if jobs is not None:
            jobs.deliver_soon()


def run_worker(app: Flask) -> int:
    """``silta worker``: huey's consumer with Redis; without Redis the embedded default's polling runner in
    the foreground (run one such worker only, and leave the web processes without a runner)."""
    jobs = app.extensions[EXTENSION]
    if jobs.huey is not None:
        jobs.huey.create_consumer(workers=app.config["JOBS_WORKERS"], worker_type="thread", periodic=True).run()
        return 0
    import signal

    log.info("PORTAL_REDIS_URL is not set: polling for due jobs every %s s", app.config["JOBS_INTERVAL_SECONDS"])
    runner = InProcessRunner(app, app.config["JOBS_INTERVAL_SECONDS"])
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stopped.set())
    runner.start()
    stopped.wait()
    runner.stop()
    return 0


def main() -> int:
    """``python -m portal.notifications.jobs``: the huey worker, for installations with Redis."""
    from portal.cli import start_app

    app = start_app("Silta's job worker")
    if app.extensions[EXTENSION].huey is None:
        print("PORTAL_REDIS_URL is not set: `python -m portal` runs the jobs itself, no worker is needed.",
              file=sys.stderr)
        return 2
    return run_worker(app)


if __name__ == "__main__":
    sys.exit(main())
