"""SQLite (the embedded default) under concurrent writers: writers wait their turn, never fail, and a
savepoint stays inside the request's transaction (portal/sqlite.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from sqlalchemy import func, select

from portal.audit.models import AuditAction, AuditRecord
from portal.audit.operations import record
from portal.config import ROOT
from portal.extensions import db as _db

# Two requests in one gevent worker process (``silta serve``): one has written (it holds SQLite's write
# lock) and waits on cooperative I/O before its commit, as a request does on a Redis publish; the other
# signs a user in (a write). Before portal/sqlite.py, the second one waited in SQLite's C busy handler,
# which blocked the whole process — the first request could never commit — and after the busy timeout
# it failed with "database is locked": HTTP 500.
GEVENT_WORKER = r"""
from gevent import monkey

monkey.patch_all()

import sys

import gevent
import gevent.event

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.extensions import db
from tests.conftest import PASSWORD, make_app

app = make_app(sys.argv[1])
holding = gevent.event.Event()


def holder():
    with app.app_context():
        record(None, AuditAction.CREATE, "test", "probe")
        db.session.flush()  # the write lock is held from here to the commit
        holding.set()
        gevent.sleep(0.5)  # cooperative I/O inside the transaction
        db.session.commit()


def signer():
    holding.wait()
    response = app.test_client().post("/login", data={"email": sys.argv[2], "password": PASSWORD})
    print(response.status_code)


gevent.joinall([gevent.spawn(holder), gevent.spawn(signer)], raise_error=True)
"""


def _audit_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(AuditRecord))


def test_a_writer_in_a_gevent_worker_waits_for_a_request_that_holds_the_lock(app, db, create_staff):
    user = create_staff()
    db.session.commit()
    result = subprocess.run([sys.executable, "-c", GEVENT_WORKER, app.config["SQLALCHEMY_DATABASE_URI"], user.email],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["302"]  # signed in after the holder's commit, not 500 after a busy timeout


def test_concurrent_writers_all_commit(app, db, create_staff):
    """Threads (``python -m portal``, the job runner): each writes, reads and writes again; none fails."""
    user_id = create_staff().id
    db.session.commit()
    before = _audit_count()
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def write() -> None:
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(5):
                    record(None, AuditAction.CREATE, "test", "probe", user_id)
                    _db.session.flush()
                    _audit_count()  # a read inside the write transaction
                    with _db.session.begin_nested():
                        record(None, AuditAction.UPDATE, "test", "probe", user_id)
                    time.sleep(0.001)
                    _db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _audit_count() == before + 8 * 5 * 2


def test_a_savepoint_does_not_commit_the_transaction_around_it(app, db):
    """Releasing a savepoint that began SQLite's transaction used to commit it: a half-saved change."""
    before = _audit_count()
    with db.session.begin_nested():
        record(None, AuditAction.CREATE, "test", "probe")
    record(None, AuditAction.UPDATE, "test", "probe")
    db.session.rollback()
    assert _audit_count() == before
