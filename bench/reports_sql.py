"""Hand-written PostgreSQL for each report figure: the yardstick bench/reports.py compares with.

Written from the figure's definition (what it counts), not from its SQLAlchemy expression, as the fastest
plain SQL we could write: FILTER clauses instead of CASE sums, one pass over the contacts where the ORM
builds several. ``{scope}`` is replaced by the filter conditions on ``e`` (enrolments) and ``cl``
(clients); ``:starts_at`` and ``:ends_before`` bound the period (Helsinki days, as in the reports).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause

from portal.programmes import registry

REMOTE = "('video', 'phone', 'email', 'text_message')"

# From contacts held in the period to their enrolment and client.
HELD = """
  FROM contacts c JOIN enrolments e ON e.id = c.enrolment_id JOIN clients cl ON cl.id = e.client_id
  WHERE c.status = 'held' AND c.starts_at >= :starts_at AND c.starts_at < :ends_before AND {scope}
"""


def _answers(instrument: str) -> str:
    return f"""
  FROM measure_answers a JOIN enrolments e ON e.id = a.enrolment_id JOIN clients cl ON cl.id = e.client_id
  WHERE a.instrument_code = '{instrument}' AND a.status = 'submitted'
    AND a.answered_on >= :starts_at AND a.answered_on < :ends_before AND {{scope}}
"""


def _share(group: str) -> str:
    return f"""
SELECT {group} AS "group", count(*) AS contacts, count(*) FILTER (WHERE c.modality IN {REMOTE}) AS remote,
       count(*) FILTER (WHERE c.modality IN {REMOTE})::float8 / count(*) AS remote_share
{HELD}
GROUP BY 1"""


AGE_BAND = """CASE WHEN cl.birth_year >= :year - 17 THEN '0-17' WHEN cl.birth_year >= :year - 29 THEN '18-29'
  WHEN cl.birth_year >= :year - 44 THEN '30-44' WHEN cl.birth_year >= :year - 64 THEN '45-64' ELSE '65+' END"""


def _support_types() -> str:
    codes = ", ".join(f"('{s.code}', {n})" for n, s in enumerate(registry.definition("remote-guidance").support_types))
    # Every defined support type is a row, also when no contact gave it (then the counts other than
    # ``contacts`` are NULL, as a SUM over no rows is).
    return f"""
WITH given AS (
  SELECT s.code, count(*) AS contacts,
         count(*) FILTER (WHERE c.modality IN {REMOTE}) AS remote,
         count(*) FILTER (WHERE c.modality IN {REMOTE} AND c.worked_remotely) AS worked
  {HELD}
  CROSS JOIN LATERAL (SELECT DISTINCT x FROM json_array_elements_text(c.support_types) x) s(code)
  GROUP BY s.code
)
SELECT d.code AS "group", coalesce(g.contacts, 0) AS contacts, g.remote,
       g.remote::float8 / nullif(g.contacts, 0) AS remote_share, g.worked,
       g.worked::float8 / nullif(g.remote, 0) AS worked_share
FROM (VALUES {codes}) d(code, n) LEFT JOIN given g ON g.code = d.code"""


FIT = f"""
WITH ors AS (
  SELECT DISTINCT ON (a.enrolment_id) a.enrolment_id,
         first_value(a.total) OVER w AS first, last_value(a.total) OVER w AS last, count(*) OVER w AS n
  {_answers('ors')}
  WINDOW w AS (PARTITION BY a.enrolment_id ORDER BY coalesce(a.answered_on, a.submitted_at), a.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
), srs AS (
  SELECT count(*) AS n, avg(a.total) AS mean {_answers('srs')}
)
SELECT 'all' AS "group", count(ors.enrolment_id) AS measured,
       count(*) FILTER (WHERE ors.last - ors.first >= 5) AS improved,
       (count(*) FILTER (WHERE ors.last - ors.first >= 5))::float8 / nullif(count(ors.enrolment_id), 0)
         AS improved_share,
       max(srs.n) AS srs_answers, max(srs.mean) AS srs_mean
FROM srs LEFT JOIN ors ON ors.n >= 2"""


SATISFACTION = f"""
SELECT substr(a.occurrence, 6, 4) AS "group", count(*) AS respondents,
       avg((a.values ->> 'overall')::float8) AS overall_mean,
       count(*) FILTER (WHERE (a.values ->> 'remote-works')::boolean) AS remote_works,
       (count(*) FILTER (WHERE (a.values ->> 'remote-works')::boolean))::float8 / count(*) AS remote_works_share
{_answers('satisfaction-survey')}
GROUP BY 1"""


HAND: dict[str, str | Callable[[], str]] = {
    "000-remote-share-age": _share(AGE_BAND),
    "000-remote-share-gender": _share("cl.gender"),
    "000-remote-share-diagnosis": _share("coalesce(cl.diagnosis_group, 'unrecorded')"),
    "000-durations": f"""
SELECT c.modality AS "group", count(*) AS contacts, avg(c.duration_minutes::float8) AS mean_minutes
{HELD} AND c.duration_minutes IS NOT NULL
GROUP BY 1""",
    "000-support-types": _support_types,  # built when run: the codes come from the loaded definition
    "000-fit": FIT,
    "000-satisfaction": SATISFACTION,
}


def scope(filters, programme: str) -> tuple[str, dict]:
    """The filter conditions as SQL on ``e`` and ``cl``, with their parameters (only the filters set)."""
    year = filters.period_end.year
    conditions, params = ["e.programme_code = :programme"], {"programme": programme, "year": year}
    if filters.unit_ids is not None:
        conditions.append("e.unit_id = ANY(:unit_ids)")
        params["unit_ids"] = list(filters.unit_ids)
    if filters.municipality_codes is not None:
        conditions.append("cl.municipality_code = ANY(:municipality_codes)")
        params["municipality_codes"] = list(filters.municipality_codes)
    if filters.client_group:
        kind, _, value = filters.client_group.partition(":")
        if kind == "age":
            low, _, high = value.partition("-")
            low, high = int(low.rstrip("+")), int(high or 200)
            conditions.append("cl.birth_year BETWEEN :year - :age_high AND :year - :age_low")
            params |= {"age_low": low, "age_high": high}
        else:
            column = "cl.gender" if kind == "gender" else "cl.diagnosis_group"
            conditions.append(f"{column} = :group_value")
            params["group_value"] = value
    if filters.worker_id is not None:
        conditions.append("(e.coordinator_id = :worker_id OR e.deputy_id = :worker_id OR EXISTS ("
                          "SELECT 1 FROM enrolment_team_members t WHERE t.enrolment_id = e.id "
                          "AND t.user_id = :worker_id))")
        params["worker_id"] = filters.worker_id
    return " AND ".join(conditions), params


def statement(sql: str | Callable[[], str], filters, programme: str) -> tuple[TextClause, dict]:
    """The hand-written SQL of a figure, ready to run with its parameters."""
    sql = sql() if callable(sql) else sql
    where, params = scope(filters, programme)
    params |= {"starts_at": filters.starts_at, "ends_before": filters.ends_before}
    used = {name: value for name, value in params.items() if f":{name}" in sql or f":{name}" in where}
    return text(sql.replace("{scope}", where)), used
