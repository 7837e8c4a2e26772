"""portal/postgres.py: under gevent, psycopg waits on a libev watcher and still lets other greenlets run."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import psycopg
import pytest

from portal import postgres

pytestmark = pytest.mark.postgres

# Run in a process of its own: gevent's patching is for the whole process, as in a gunicorn gevent worker.
UNDER_GEVENT = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import sys, time
    import gevent
    from sqlalchemy import create_engine, text
    from portal import postgres

    engine = create_engine(sys.argv[1], pool_size=5)
    postgres.configure(engine)
    with engine.connect() as connection:
        print("connection", type(connection.connection.dbapi_connection).__name__)
        # A big result arrives in several reads, each a wait of its own.
        print("rows", len(connection.execute(text("SELECT repeat('x', 100) FROM generate_series(1, 20000)")).all()))

    def sleep_in_database(i):
        with engine.connect() as connection:
            return connection.execute(text("SELECT :i FROM pg_sleep(0.3)"), {"i": i}).scalar()

    started = time.monotonic()
    ticks = []
    ticker = gevent.spawn(lambda: [ticks.append(gevent.sleep(0.05)) for _ in range(4)])
    results = sorted(g.get() for g in gevent.joinall([gevent.spawn(sleep_in_database, i) for i in range(5)]))
    ticker.join()
    print("results", results)
    print("elapsed", round(time.monotonic() - started, 2))
    print("ticks", len(ticks))

    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        raw.autocommit = True
        started = time.monotonic()
        print("notifies", list(raw.notifies(timeout=0.2)), "waited", round(time.monotonic() - started, 1))
        try:
            with gevent.Timeout(0.2):
                connection.execute(text("SELECT pg_sleep(5)"))
        except gevent.Timeout:
            print("interrupted yes")
""")


def test_under_gevent_waits_cooperatively(postgres_server):
    postgres_server.create_database("gevent_wait")
    result = subprocess.run([sys.executable, "-c", UNDER_GEVENT, postgres_server.url("gevent_wait")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["connection"] == "GeventConnection"
    assert lines["rows"] == "20000"
    # Five 0.3 s statements at once took about 0.3 s, not 1.5 s, and another greenlet kept running meanwhile.
    assert lines["results"] == "[0, 1, 2, 3, 4]"
    assert float(lines["elapsed"]) < 1.0
    assert lines["ticks"] == "4"
    # psycopg's own bounded wait (LISTEN's timeout) ends on time; a greenlet's timeout interrupts a statement.
    assert lines["notifies"] == "[] waited 0.2"
    assert lines["interrupted"] == "yes"


def test_without_gevent_psycopg_keeps_its_own_wait(app, db):
    # The test process is not patched: the engine's connections are psycopg's own (its C wait).
    assert postgres._select_patched() is False
    postgres.configure(db.engine)
    with db.engine.connect() as connection:
        assert type(connection.connection.dbapi_connection) is psycopg.Connection
