"""The reports' figures: filters, the figure registry, and the scope every figure's query shares.

Each figure runs ONE set-based statement (GROUP BY in the database, no loops over rows) through
``db.session``. The page, the CSV export and the county-scale benchmark (bench/) all call
``FIGURES[key].run(filters)``, so they count the same thing.

# wants index: contacts (enrolment_id, status, starts_at) — every 000/002 figure filters held contacts by time
# wants index: measure_answers (instrument_code, answered_on) and (enrolment_id, instrument_code, occurrence)
# wants index: enrolments (programme_code, unit_id), clients (municipality_code) exists already
# wants index: phase_transitions (enrolment_id, at), plan_versions (plan_id, agreed_at)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Float, Select, and_, case, cast, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from portal.extensions import db
from portal.people.models import Client
from portal.programmes.models import Enrolment, TeamMember
from portal.scheduling.timeutil import local_lenient

# The client-group dimensions a report can be narrowed to ("age:30-44", "gender:female", "diagnosis:mood").
AGE_BANDS = (("0-17", 0, 17), ("18-29", 18, 29), ("30-44", 30, 44), ("45-64", 45, 64), ("65+", 65, 200))


@dataclass(frozen=True)
class Filters:
    period_start: date
    period_end: date
    unit_ids: tuple[int, ...] | None = None
    municipality_codes: tuple[str, ...] | None = None
    client_group: str | None = None
    worker_id: int | None = None

    @property
    def starts_at(self) -> datetime:
        """The period's first moment (Helsinki midnight), for datetime columns."""
        return local_lenient(self.period_start, time(0))

    @property
    def ends_before(self) -> datetime:
        return local_lenient(self.period_end + timedelta(days=1), time(0))


@dataclass(frozen=True)
class Column:
    """One column of a figure's result.

    ``kind``: label (the group), count (people or events: suppressed when small), share / mean / number
    (computed from the rows counted in ``base``: suppressed together with it). ``target`` is drawn as a
    reference line and shown in the table heading.
    """

    key: str
    title: object  # a lazy translated string
    kind: str = "count"
    base: str | None = None
    target: float | None = None


@dataclass(frozen=True)
class Figure:
    key: str
    programme: str
    title: object  # lazy translated
    columns: tuple[Column, ...]
    query: Callable[[Filters], Select]
    chart: str = "bars"  # bars (first share/count column), stacked (the count columns), lines, none
    group_label: Callable[[str], str] | None = None
    note: object | None = None  # how the figure is counted, shown under it
    chart_columns: tuple[str, ...] = field(default=())
    row_total: str | None = None  # a count column that is the sum of the row's other counts (suppression)
    # Client feedback about the service (seeds 000, 002): never counted for a worker's own caseload, so the
    # evaluated worker does not read their own clients' answers even aggregated.
    confidential: bool = False

    def run(self, filters: Filters) -> list[dict]:
        """The figure's rows, unsuppressed (suppression is applied once, in reports.suppression)."""
        return [dict(row._mapping) for row in db.session.execute(self.statement(filters))]

    def statement(self, filters: Filters) -> Select:
        """The figure's statement for these filters, built once per day and kept (the page, its CSV and a
        reload ask for the same). Building and keying a new statement costs 1-2 ms in Python: as much as
        running the smaller figures. Statements are immutable, so sharing them between requests is safe;
        the day is in the key because some figures count up to today."""
        key = (self.key, filters, date.today())
        found = _STATEMENTS.get(key)
        if found is None:
            if len(_STATEMENTS) >= _STATEMENTS_KEPT:
                _STATEMENTS.clear()
            found = _STATEMENTS[key] = self.query(filters)
        return found


_STATEMENTS: dict[tuple, Select] = {}
_STATEMENTS_KEPT = 1000


def in_period(column, filters: Filters) -> ColumnElement[bool]:
    """A datetime column inside the period (Helsinki days)."""
    return and_(column >= filters.starts_at, column < filters.ends_before)


def age_band(reference_year: int, birth_year=None):
    """The client's age band in the period's last year, as an SQL expression (portable: birth_year only)."""
    birth_year = Client.birth_year if birth_year is None else birth_year
    return case(*[(birth_year >= reference_year - high, name) for name, _low, high in AGE_BANDS[:-1]],
                else_=AGE_BANDS[-1][0])


def client_group_condition(group: str, reference_year: int) -> ColumnElement[bool]:
    kind, _, value = group.partition(":")
    if kind == "age":
        low, high = next((lo, hi) for name, lo, hi in AGE_BANDS if name == value)
        return Client.birth_year.between(reference_year - high, reference_year - low)
    if kind == "gender":
        return Client.gender == value
    return Client.diagnosis_group == value


def scoped(stmt: Select, filters: Filters, programme: str) -> Select:
    """Narrow a statement that already joins Enrolment and Client to the programme and the filters."""
    conditions = [Enrolment.programme_code == programme]
    if filters.unit_ids is not None:
        conditions.append(Enrolment.unit_id.in_(filters.unit_ids))
    if filters.municipality_codes is not None:
        conditions.append(Client.municipality_code.in_(filters.municipality_codes))
    if filters.client_group:
        conditions.append(client_group_condition(filters.client_group, filters.period_end.year))
    if filters.worker_id is not None:
        # A worker's own caseload: the enrolments they coordinate, deputise or are in the own team of.
        conditions.append(or_(
            Enrolment.coordinator_id == filters.worker_id, Enrolment.deputy_id == filters.worker_id,
            exists().where(TeamMember.enrolment_id == Enrolment.id, TeamMember.user_id == filters.worker_id)))
    return stmt.where(*conditions)


def programmes_in_scope(unit_ids: tuple[int, ...] | None, worker_id: int | None) -> set[str]:
    """The programmes with any enrolment in this part of the data (a team lead's units, a worker's own
    caseload): the reports worth offering. One query."""
    stmt = select(Enrolment.programme_code).distinct()
    if unit_ids is not None:
        stmt = stmt.where(Enrolment.unit_id.in_(unit_ids))
    if worker_id is not None:
        stmt = stmt.where(or_(
            Enrolment.coordinator_id == worker_id, Enrolment.deputy_id == worker_id,
            exists().where(TeamMember.enrolment_id == Enrolment.id, TeamMember.user_id == worker_id)))
    return set(db.session.scalars(stmt))


def ratio(numerator, denominator):
    """numerator / denominator as a float, NULL when nothing was counted (never a division by zero)."""
    return cast(numerator, Float) / func.nullif(denominator, 0)


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def count_where(condition):
    """The rows where ``condition`` holds: ``count(*) FILTER (WHERE …)``, 0 over no rows (as ``count_if``).

    Cheaper than a CASE sum; the figures that count many conditions in one pass use it."""
    return func.count().filter(condition)


def figures_of(programme: str) -> list[Figure]:
    return [f for f in FIGURES.values() if f.programme == programme]


def _registry() -> dict[str, Figure]:
    # Imported here: the figure modules build on the types above.
    from portal.reports.figures import health, housing, intensive, ppt, remote

    found: dict[str, Figure] = {}
    for module in (remote, housing, intensive, ppt, health):
        for figure in module.FIGURES:
            found[figure.key] = figure
    return found


FIGURES: dict[str, Figure] = _registry()
