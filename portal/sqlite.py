"""The embedded default's SQLite: write-ahead log, and write transactions that wait for each other.

SQLite has one writer at a time. Python's sqlite3 driver, left to itself, begins a transaction only before
INSERT/UPDATE/DELETE and leaves SAVEPOINT alone; SQLAlchemy's ``begin_nested`` then opens the transaction
with its SAVEPOINT, and releasing that savepoint commits everything so far (a booking's rows committed
before its audit record: a half-saved change when the request fails later). And a writer waits for the
lock inside SQLite's C busy handler, which under gevent blocks every request of the process — including
the one that holds the lock and is waiting for its turn (e.g. on a Redis publish): a deadlock that ends
with "database is locked" and HTTP 500 after the busy timeout.

So here the driver issues no BEGIN of its own (``isolation_level = None``) and:

- reads before the first write run as they did before, each statement on a fresh snapshot (like
  PostgreSQL's READ COMMITTED, which the code already has to be right on);
- the first write or SAVEPOINT of a transaction is preceded by ``BEGIN IMMEDIATE``, which takes the write
  lock up front, so a transaction never has to upgrade a stale read snapshot (which SQLite refuses at
  once: SQLITE_BUSY_SNAPSHOT), and savepoints nest inside the transaction as on PostgreSQL;
- while another connection writes, BEGIN IMMEDIATE is retried with ``time.sleep`` (a cooperative sleep
  under gevent, a GIL-free one under threads) for up to WRITE_WAIT_SECONDS, then the error is raised.
"""

from __future__ import annotations

import re
import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Long enough for a queue of writers at peak load (each holds the lock for milliseconds), shorter than the
# production server's worker timeout (PORTAL_SERVE_TIMEOUT, 30 s).
WRITE_WAIT_SECONDS = 20.0
# Other lock waits (a checkpoint, WAL recovery at start) still use SQLite's own busy handler.
BUSY_TIMEOUT_MS = 5000
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT)\b", re.IGNORECASE)


def configure(engine: Engine) -> None:
    """Install the pragmas and the transaction handling on a SQLite engine."""
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "before_cursor_execute", _before_execute)


def _on_connect(connection: sqlite3.Connection, _record) -> None:
    connection.isolation_level = None  # the driver begins nothing; _before_execute decides
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # a crash loses at most the last commits, never consistency
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _before_execute(conn, cursor, statement: str, _parameters, context, _executemany) -> None:
    connection = cursor.connection
    if connection.in_transaction:
        return
    writes = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if writes or _WRITE.match(statement):
        begin_immediate(connection)


def begin_immediate(connection: sqlite3.Connection, wait: float = WRITE_WAIT_SECONDS) -> None:
    """Take the write lock, waiting (cooperatively) while another connection holds it."""
    deadline = time.monotonic() + wait
    pause = 0.001
    connection.execute("PRAGMA busy_timeout=0")  # the wait happens here, not in SQLite's C busy handler
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
    finally:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
