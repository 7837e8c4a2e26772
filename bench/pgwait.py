"""CPU per PostgreSQL round trip under gevent, by how psycopg waits. ``python -m bench.pgwait [--statements N]``

Starts a scratch PostgreSQL (tests/support/services.py), patches this process with gevent as the production
server's workers are, and runs the same small statement N times on one connection with each way of waiting:

- ``gevent poll``: what psycopg chooses by itself when gevent has patched ``select`` (its ``wait_poll`` on
  gevent's emulation of ``select.poll``);
- ``GeventConnection``: portal/postgres.py, one libev io watcher per wait, what ``silta serve`` uses;
- ``C, blocking``: psycopg's own C wait, the floor: it blocks the whole process while the database works,
  so it is no choice for a server whose greenlets also carry websockets.

Prints the CPU time of this process (``time.process_time``) and the wall time per statement, the best of
``--rounds`` rounds, the ways taken in turn so that a busy machine slows them alike.
"""

from gevent import monkey

monkey.patch_all()  # first, as in gunicorn's gevent worker: psycopg then sees the patched select

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import psycopg  # noqa: E402
from psycopg import waiting  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.postgres import GeventConnection  # noqa: E402
from tests.support.services import start_postgres  # noqa: E402

STATEMENT = "SELECT 1, 'silta'::text, now()"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=3000, help="statements per way and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-pgwait-"))
    server = start_postgres(scratch / "pg")
    try:
        server.create_database("bench")
        url = server.url("bench").replace("postgresql+psycopg", "postgresql")
        print(f"psycopg {psycopg.__version__}; its own choice under gevent: {waiting.wait.__name__}; "
              f"{args.statements} statements x {args.rounds} rounds; load average {_loadavg()}")
        ways = {"gevent poll (psycopg's choice)": psycopg.Connection.connect(url),
                "GeventConnection (portal/postgres.py)": GeventConnection.connect(url),
                "C, blocking (the floor)": _Blocking.connect(url)}
        best: dict[str, tuple[float, float]] = {}
        for _round in range(args.rounds):
            for name, connection in ways.items():
                cpu, wall = _run(connection, args.statements)
                previous = best.get(name)
                best[name] = (min(cpu, previous[0]), min(wall, previous[1])) if previous else (cpu, wall)
        for name, (cpu, wall) in best.items():
            print(f"  {name:40} {cpu:6.1f} µs CPU, {wall:6.1f} µs wall per statement")
    finally:
        server.stop()


class _Blocking(psycopg.Connection):
    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        return waiting.wait_c(gen, self.pgconn.socket, interval=interval, timeout=timeout)


def _run(connection: psycopg.Connection, statements: int) -> tuple[float, float]:
    for _ in range(100):  # warm: the statement prepared, the buffers allocated
        connection.execute(STATEMENT).fetchall()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(statements):
        connection.execute(STATEMENT).fetchall()
    connection.commit()
    return ((time.process_time() - cpu) / statements * 1e6, (time.perf_counter() - wall) / statements * 1e6)


def _loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
