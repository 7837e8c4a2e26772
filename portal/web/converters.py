"""URL converters: every integer in a path is one the database can hold.

The app factory installs ``BoundedInt`` as the ``int`` converter, so every ``<int:…>`` of every blueprint
(and every one written later) is bounded without anyone remembering to: a value past 2**63-1 made
SQLite's driver raise OverflowError (a 500) and PostgreSQL's a DataError; now the rule does not match and
the answer is 404. Only ASCII digits match: ``\\d`` would also take other scripts' digits.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

BIGINT_MAX = 2**63 - 1  # the largest id a BIGINT (PostgreSQL) or INTEGER (SQLite) column holds


class BoundedInt(IntegerConverter):
    """0 … 2**63-1 in at most 19 ASCII digits (0 is a valid "from the start" value, e.g. messages after 0)."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,  # noqa: A002
                 signed: bool = False) -> None:
        # Never signed, never past the column's range, whatever a rule asks for.
        super().__init__(map, fixed_digits, 0 if min is None else min, BIGINT_MAX if max is None else max, False)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: rules pick their converter when they are added to the map."""
    app.url_map.converters["int"] = BoundedInt
