"""PostgreSQL under gevent: psycopg waits for its socket on a libev watcher of its own.

psycopg, finding ``select`` patched by gevent, waits for each round trip through gevent's emulation of
``select.poll``: every wait builds a poll object, starts a new libev watcher for the socket, collects the
result in an object of its own and arms a 100 ms timer (psycopg wakes up that often to check for
interrupts), and throws all of it away. That is ~20 µs of CPU per round trip (``bench/pgwait.py``), and a
page makes 10-15 of them. ``GeventConnection.wait`` starts one io watcher for the socket and parks the
greenlet until libev reports it ready: the same cooperative wait, without the scaffolding.

Used only where gevent has patched ``select`` (the production server's gevent workers): elsewhere psycopg's
own C wait is the right one, and this module never imports gevent.
"""

from __future__ import annotations

import sys

import psycopg
from psycopg import errors
from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure(engine: Engine) -> None:
    """Make ``engine``'s new connections GeventConnections when this process runs under gevent."""
    if engine.dialect.driver == "psycopg" and _select_patched():
        event.listen(engine, "do_connect", _connect)


def _select_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("select")


def _connect(_dialect, _record, cargs, cparams) -> psycopg.Connection:
    return GeventConnection.connect(*cargs, **cparams)


class GeventConnection(psycopg.Connection):
    """A psycopg connection whose round trips wait on a libev io watcher (see the module's docstring)."""

    def wait(self, gen, interval: float | None = None, timeout: float | None = None):
        from gevent import Timeout

        if timeout is None:
            return _wait(gen, self.pgconn.socket)
        # psycopg's own bounded waits (a cancellation) raise its _WaitTimeout, as its wait functions do.
        with Timeout(timeout, errors._WaitTimeout("wait timeout expired")):  # noqa: SLF001
            return _wait(gen, self.pgconn.socket)


def _wait(gen, fileno: int):
    """Run psycopg's generator to its end: it yields what it waits for (read, write or both, as selectors'
    EVENT_READ 1 and EVENT_WRITE 2, which are libev's READ and WRITE too) and is sent what became ready."""
    from gevent.hub import Waiter, get_hub

    loop = get_hub().loop
    try:
        wanted = next(gen)
        while True:
            watcher, waiter = loop.io(fileno, int(wanted)), Waiter()
            watcher.start(waiter.switch, pass_events=True)
            try:
                ready = waiter.get()
            finally:
                watcher.close()  # stops it too; also when the greenlet is killed while it waits
            wanted = gen.send(ready & 3)
    except StopIteration as finished:
        return finished.value
