"""Many rows in one INSERT, for a booked series: on PostgreSQL as ``INSERT … SELECT … FROM unnest(arrays)``.

SQLAlchemy's multi-row INSERT writes a VALUES list with one placeholder per value: 78 appointments
and their 156 participants made statements of ~1 900 placeholders that psycopg had to split and
convert on every booking (~13 ms of Python per statement, more on a busy machine; its cache only holds
short statements). With one array per column the statement's text is short and the same for any
number of rows, so psycopg and PostgreSQL prepare it once. SQLite has no arrays: there the rows go as
an executemany of one compiled statement (SQLAlchemy's own batching when the objects come back).

Every row must have the same keys. Enum members are written as their values; columns left out get
their Python-side defaults (a callable default such as ``utcnow`` is called once for all the rows).
"""

from __future__ import annotations

import enum

from sqlalchemy import ARRAY, Boolean, DateTime, Insert, Integer, String, Table, cast, func, insert, select
from sqlalchemy.sql import sqltypes

from portal.extensions import db


def insert_returning(entity: type, rows: list[dict], *options) -> list:
    """Insert ``rows`` as ``entity`` objects and return them in the rows' order (loaded with ``options``)."""
    if not _postgresql():
        return list(db.session.scalars(insert(entity).returning(entity, sort_by_parameter_order=True)
                                       .options(*options), rows))
    table = entity.__table__
    loaded = db.session.scalars(select(entity).options(*options)
                                .from_statement(_unnest_insert(table, rows).returning(*table.c)))
    # Written in the arrays' order, so the serial ids ascend in it (SQLAlchemy's own sentinel rule on PostgreSQL).
    return sorted(loaded, key=lambda obj: obj.id)


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` into ``table`` (nothing comes back)."""
    if _postgresql():
        db.session.execute(_unnest_insert(table, rows))
    else:
        db.session.execute(insert(table), rows)  # the driver's executemany, one compiled statement


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _unnest_insert(table: Table, rows: list[dict]) -> Insert:
    names = list(rows[0])
    arrays = [cast([_plain(row[name]) for row in rows], ARRAY(_element_type(table.c[name].type)))
              for name in names]
    source = func.unnest(*arrays).table_valued(*names, with_ordinality="n").render_derived()
    return insert(table).from_select(names, select(*(source.c[name] for name in names)).order_by(source.c.n))


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def _element_type(column_type) -> sqltypes.TypeEngine:
    """The array element type for a column: what the driver sends, not the ORM's wrapper types."""
    if isinstance(column_type, sqltypes.Boolean):
        return Boolean()
    if isinstance(column_type, sqltypes.Integer):
        return Integer()
    if isinstance(getattr(column_type, "impl", column_type), sqltypes.DateTime):  # UTCDateTime too
        return DateTime(timezone=True)
    return String()
