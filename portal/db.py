"""The declarative base every model uses: naming convention and a timezone-aware datetime type."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

# Constraint names must be deterministic so that migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # One registry carries both, because Flask-SQLAlchemy subclasses this base once more.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION), type_annotation_map={datetime: UTCDateTime}
    )


def utcnow() -> datetime:
    """Now, aware, in UTC: the only clock models use."""
    return datetime.now(UTC)


def str_enum(enum_class: type[enum.StrEnum], length: int = 32) -> Enum:
    """A portable enum column that stores the members' values and checks them in the database."""
    return Enum(
        enum_class, native_enum=False, length=length, create_constraint=True,
        values_callable=lambda members: [m.value for m in members], validate_strings=True,
    )


def read(statement, params: dict | None = None):
    """Run a SELECT of columns (no mapped entities) on the request session's connection; returns its Result.

    ``Session.execute`` takes even a column-only select through the ORM's machinery (its compile state, the
    execute state, the result's adaptation): ~75 µs more CPU per statement than the connection's own execute,
    and the pages every user opens run several such statements (bench/pages.py). What the session would do
    first is done here too: pending changes are flushed (unless autoflush is off), so the read sees them, and
    the statement runs in the session's transaction. Statements that load entities go through the session
    (identity map, eager loads)."""
    from portal.extensions import db  # the extensions module imports this one

    session = db.session
    if session.autoflush:
        session.flush()  # only a check when nothing is pending
    return session.connection().execute(statement, params)
