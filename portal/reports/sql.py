"""Portable SQL pieces for the figures: day differences and JSON list membership differ between dialects."""

from __future__ import annotations

from sqlalchemy import DateTime, Float, String, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement):  # noqa: N801 — used like an SQL function
    """``days_between(later, earlier)``: fractional days between two dates or datetimes."""

    type = Float()
    inherit_cache = True
    name = "days_between"


def _as_utc_timestamp(arg, compiler, **kw) -> str:
    sql = compiler.process(arg, **kw)
    impl = getattr(arg.type, "impl", arg.type)
    if isinstance(impl, DateTime) and impl.timezone:
        # The UTC wall clock, as SQLite stores it: the session's time zone must not move the result.
        return f"({sql} AT TIME ZONE 'UTC')"
    return f"CAST({sql} AS TIMESTAMP)"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = (_as_utc_timestamp(arg, compiler, **kw) for arg in element.clauses)
    # PostgreSQL (and the standard): subtract as timestamps, read the interval in seconds.
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def json_list_has(column, code: str):
    """True where a JSON list of codes holds ``code`` (codes are plain slugs, so a text match is exact)."""
    return cast(column, String).like(f'%"{code}"%')
