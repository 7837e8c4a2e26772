"""How fast are the report figures at county scale? ``python -m bench.reports [--scale 1.0] [--keep]``

Starts a scratch PostgreSQL (tests/support/services.py; or uses ``--database-url``, an empty database),
migrates it, fills it with bench/county.py, then for every figure in ``portal.reports.queries.FIGURES`` and
each of three filter sets (the last 12 months for all units; the same for one unit of the figure's
programme; for one municipality) times ``Figure.run(filters)`` and the hand-written SQL of the same
figure (bench/reports_sql.py): one warm-up, then the median and the maximum of five runs each. It checks
that both give the same rows and prints a table against the targets (under 1 s; at most 1.5 × the
hand-written SQL). A figure without a hand-written twin is listed as such. Exit status 1 if any figure's
rows differ from its twin's. ``--keep`` leaves the scratch server running and prints its URL.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from bench import county, reports_sql
from portal.extensions import db
from tests.conftest import make_app, migrate_and_sync
from tests.support import services

RUNS = 5
TARGET_MS = 1000.0
TARGET_RATIO = 1.5


@dataclass
class Timing:
    figure: str
    filters: str
    median_ms: float
    max_ms: float
    hand_ms: float | None = None
    same: bool | None = None  # None: no hand-written twin
    rows: int = 0
    error: str | None = None  # the figure (or its twin) raised: counts as a difference

    @property
    def ratio(self) -> float | None:
        return self.median_ms / self.hand_ms if self.hand_ms else None


@contextmanager
def database(url: str | None, keep: bool = False) -> Iterator:
    """A migrated app on ``url``, or on a scratch PostgreSQL stopped afterwards (unless ``keep``)."""
    if url:
        app = make_app(url)
        migrate_and_sync(app)
        yield app
        return
    scratch = Path(tempfile.mkdtemp(prefix="silta-bench-reports-"))
    server = services.start_postgres(scratch)
    try:
        server.create_database("bench")
        app = make_app(server.url("bench"))
        migrate_and_sync(app)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if keep:
            services._running.remove(server)  # the atexit safety net must not stop it either
            print(f"kept: {server.url('bench')} (postgres pid {server.pid}; data in {server.run_dir})")
        else:
            server.stop()


def figures() -> tuple[dict, type]:
    from portal.reports.queries import FIGURES, Filters

    return FIGURES, Filters


def filter_sets(filters_type, programme: str) -> list[tuple[str, object]]:
    """The typical filter sets: last 12 months, all units; one unit of the programme; one municipality."""
    end = date.today()
    start = end - timedelta(days=365)
    unit = db.session.execute(text("SELECT min(id) FROM org_units WHERE code LIKE :code"),
                              {"code": f"bench-{programme}-%"}).scalar()
    sets = [("12 months", filters_type(start, end))]
    if unit is not None:
        sets.append(("one unit", filters_type(start, end, unit_ids=(unit,))))
    sets.append(("Helsinki", filters_type(start, end, municipality_codes=("091",))))
    return sets


def _timed(call) -> tuple[list, list[float]]:
    result = call()  # warm-up (and the rows compared)
    db.session.rollback()
    times = []
    for _ in range(RUNS):
        began = clock.perf_counter()
        call()
        times.append((clock.perf_counter() - began) * 1000)
        db.session.rollback()
    return result, times


def normalised(rows: list) -> list[tuple]:
    """Rows as sorted tuples of plain values (floats rounded: the two sides may sum in another order)."""
    def plain(value):
        if isinstance(value, Decimal | float):
            return None if math.isnan(float(value)) else round(float(value), 6)
        return value
    out = []
    for row in rows:
        mapping = row if isinstance(row, dict) else dict(row._mapping)
        out.append(tuple(sorted((str(k), plain(v)) for k, v in mapping.items())))
    return sorted(out, key=repr)


def measure(figure, label: str, filters) -> Timing:
    try:
        return _measure(figure, label, filters)
    except Exception as exc:  # noqa: BLE001 - one broken figure must not hide the others' figures
        db.session.rollback()
        print(f"ERROR {figure.key} [{label}]: {type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return Timing(figure.key, label, math.nan, math.nan, same=False, error=type(exc).__name__)


def _measure(figure, label: str, filters) -> Timing:
    rows, times = _timed(lambda: figure.run(filters))
    timing = Timing(figure.key, label, statistics.median(times), max(times), rows=len(rows))
    hand = reports_sql.HAND.get(figure.key)
    if hand is not None:
        statement, params = reports_sql.statement(hand, filters, figure.programme)
        expected, hand_times = _timed(lambda: db.session.execute(statement, params).all())
        timing.hand_ms = statistics.median(hand_times)
        timing.same = normalised(rows) == normalised(expected)
        if not timing.same:
            print(f"DIFFERENT {figure.key} [{label}]:\n  figure: {normalised(rows)}\n  hand:   {normalised(expected)}",
                  file=sys.stderr)
    return timing


def run_all(only: str | None = None) -> list[Timing]:
    found, filters_type = figures()
    timings = []
    for key, figure in found.items():
        if only and only not in key:
            continue
        for label, filters in filter_sets(filters_type, figure.programme):
            timings.append(measure(figure, label, filters))
    return timings


def print_table(timings: list[Timing]) -> None:
    print(f"{'figure':<34} {'filters':<10} {'rows':>4} {'ms':>8} {'max':>8} {'hand ms':>8} {'ratio':>6}  result")
    for t in timings:
        hand = f"{t.hand_ms:8.1f}" if t.hand_ms is not None else f"{'—':>8}"
        ratio = f"{t.ratio:6.2f}" if t.ratio is not None else f"{'—':>6}"
        if t.error:
            verdict = f"ERROR ({t.error})"
        elif t.same is None:
            verdict = "NO HAND-WRITTEN TWIN"
        else:
            verdict = "same" if t.same else "DIFFERENT"
            if t.median_ms >= TARGET_MS:
                verdict += ", over 1 s"
            if t.ratio is not None and t.ratio > TARGET_RATIO:
                verdict += f", ratio over {TARGET_RATIO}"
        print(f"{t.figure:<34} {t.filters:<10} {t.rows:>4} {t.median_ms:8.1f} {t.max_ms:8.1f} {hand} {ratio}  "
              f"{verdict}")
    worst = max((t.median_ms for t in timings if not t.error), default=0.0)
    ratios = [t.ratio for t in timings if t.ratio is not None]
    gaps = sorted({t.figure for t in timings if t.same is None})
    print(f"{len(timings)} timings of {len({t.figure for t in timings})} figures; slowest median {worst:.1f} ms "
          f"(target < {TARGET_MS:.0f}); worst ratio {max(ratios, default=0):.2f} (target ≤ {TARGET_RATIO}); "
          f"without a twin: {', '.join(gaps) or 'none'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="leave the scratch PostgreSQL running")
    parser.add_argument("--database-url", help="an existing PostgreSQL database (migrated and filled here)")
    parser.add_argument("--no-generate", action="store_true", help="the database already holds the bench data")
    parser.add_argument("--only", help="only figures whose key contains this")
    args = parser.parse_args(argv)
    began = clock.perf_counter()
    with database(args.database_url, keep=args.keep) as app, app.app_context():
        version = db.session.execute(text("SHOW server_version")).scalar()
        print(f"PostgreSQL {version}; scale {args.scale}", flush=True)
        if not args.no_generate:
            county.generate(args.scale)
        timings = run_all(args.only)
        print_table(timings)
    print(f"total {clock.perf_counter() - began:.1f} s")
    return 1 if any(t.same is False for t in timings) else 0


if __name__ == "__main__":
    sys.exit(main())
