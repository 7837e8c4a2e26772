"""Hand-written PostgreSQL for each report figure: the yardstick bench/reports.py compares with.

Written from the figure's definition (what it counts), not from its SQLAlchemy expression, as the fastest
plain SQL we could write: FILTER clauses instead of CASE sums, one pass over the contacts where the ORM
builds several. ``{scope}`` is replaced by the filter conditions on ``e`` (enrolments) and ``cl``
(clients); ``:starts_at`` and ``:ends_before`` bound the period (Helsinki days, as in the reports).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import text
from sqlalchemy.sql.elements import TextClause

from portal.programmes import registry
from portal.programmes.definitions_schema import Modality

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


OTHER_REMOTE = "('phone', 'email', 'text_message')"


def _share(group: str) -> Callable[[], str]:
    """Seed 000's remote share: the channels the target counts (the programme definition's remote-share KPI,
    read when run), video, and the other remote channels beside it."""
    def build() -> str:
        kpi = next(k for k in registry.definition("remote-guidance").kpis if k.code == "remote-share")
        counted = "(" + ", ".join(f"'{m.value}'" for m in (kpi.modalities or [Modality.VIDEO])) + ")"
        return f"""
SELECT {group} AS "group", count(*) AS contacts,
       count(*) FILTER (WHERE c.modality IN {counted})::float8 / count(*) AS target_share,
       count(*) FILTER (WHERE c.modality = 'video') AS video,
       count(*) FILTER (WHERE c.modality = 'video')::float8 / count(*) AS video_share,
       count(*) FILTER (WHERE c.modality IN {OTHER_REMOTE}) AS other_remote,
       count(*) FILTER (WHERE c.modality IN {OTHER_REMOTE})::float8 / count(*) AS other_remote_share
{HELD}
GROUP BY 1"""
    return build


AGE_BAND = """CASE WHEN cl.birth_year >= :year - 17 THEN '0-17' WHEN cl.birth_year >= :year - 29 THEN '18-29'
  WHEN cl.birth_year >= :year - 44 THEN '30-44' WHEN cl.birth_year >= :year - 64 THEN '45-64' ELSE '65+' END"""


def _support_types() -> str:
    codes = [s.code for s in registry.definition("remote-guidance").support_types]
    has = {code: f"x.s LIKE '%\"{code}\"%'" for code in codes}
    counts = ",\n         ".join(
        f"count(*) FILTER (WHERE {has[code]}) AS c{n}, count(*) FILTER (WHERE x.r AND {has[code]}) AS r{n}, "
        f"count(*) FILTER (WHERE x.r AND x.w AND {has[code]}) AS w{n}" for n, code in enumerate(codes))
    rows = ", ".join(f"('{code}', {n}, c{n}, r{n}, w{n})" for n, code in enumerate(codes))
    # One pass over the held contacts, every support type counted at once, then one row per defined type
    # (also when no contact gave it: then the counts other than ``contacts`` are NULL, as a SUM over no
    # rows is). A type is matched in the list's JSON text, as the figure does.
    return f"""
WITH x AS (
  SELECT c.support_types::text AS s, c.modality IN {REMOTE} AS r, c.worked_remotely IS TRUE AS w
  {HELD}
), agg AS (
  SELECT {counts}
  FROM x
)
SELECT d.code AS "group", d.contacts, CASE WHEN d.contacts > 0 THEN d.remote END AS remote,
       d.remote::float8 / nullif(d.contacts, 0) AS remote_share, CASE WHEN d.contacts > 0 THEN d.worked END AS worked,
       d.worked::float8 / nullif(d.remote, 0) AS worked_share
FROM agg CROSS JOIN LATERAL (VALUES {rows}) d(code, n, contacts, remote, worked)"""


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


THREE_BY_TEN = ("health", "overcoming", "housing", "daily-coping", "family", "friends", "finances", "strengths",
                "self-esteem", "life")

# Each follow-up 3X10D (six months, or the end if earlier) answered in the period, with the start answer.
# Per item: the clients with both values; overall: the item means (totals) of every pair. An item with no
# pairs still is a row (its counts NULL, as a SUM over no rows is).
THREE_BY_TEN_CHANGE = f"""
WITH p AS MATERIALIZED (
  SELECT s.values AS sv, a.values AS fv, s.total AS st, a.total AS ft
  FROM measure_answers a
  JOIN measure_answers s ON s.enrolment_id = a.enrolment_id AND s.instrument_code = '3x10d'
   AND s.occurrence = 'start' AND s.status = 'submitted'
  JOIN enrolments e ON e.id = a.enrolment_id JOIN clients cl ON cl.id = e.client_id
  WHERE a.instrument_code = '3x10d' AND a.occurrence IN ('month-6', 'end') AND a.status = 'submitted'
    AND a.answered_on >= :starts_at AND a.answered_on < :ends_before AND {{scope}}
)
SELECT it.item AS "group", x.clients, x.start_mean, x.follow_mean,
       (x.follow_mean - x.start_mean) / nullif(x.start_mean, 0) AS change
FROM (VALUES {", ".join(f"('{item}')" for item in THREE_BY_TEN)}, ('overall')) it(item)
CROSS JOIN LATERAL (
  SELECT CASE WHEN it.item = 'overall' THEN count(*) ELSE sum(v.ok::int) END AS clients,
         avg(v.b) FILTER (WHERE v.ok) AS start_mean, avg(v.a) FILTER (WHERE v.ok) AS follow_mean
  FROM (SELECT b, a, it.item = 'overall' OR (b IS NOT NULL AND a IS NOT NULL) AS ok
        FROM p CROSS JOIN LATERAL (
          SELECT CASE WHEN it.item = 'overall' THEN p.st ELSE (p.sv ->> it.item)::float8 END AS b,
                 CASE WHEN it.item = 'overall' THEN p.ft ELSE (p.fv ->> it.item)::float8 END AS a) ba) v
) x"""

# Held contacts per client-week: every enrolment in the service during the period, over its days in it.
INTENSITY = """
WITH pe AS (
  SELECT e.id, least(coalesce(e.ended_on, :last), :last) - greatest(e.start_on, :period_start) + 1 AS days
  FROM enrolments e JOIN clients cl ON cl.id = e.client_id
  WHERE e.start_on <= :last AND (e.ended_on IS NULL OR e.ended_on >= :period_start) AND {scope}
), held AS (
  SELECT c.enrolment_id, count(*) AS n FROM contacts c JOIN pe ON pe.id = c.enrolment_id
  WHERE c.status = 'held' AND c.starts_at >= :starts_at AND c.starts_at < :ends_before GROUP BY 1
)
SELECT 'all' AS "group", count(*) AS clients, coalesce(sum(coalesce(h.n, 0)), 0) AS contacts,
       sum(pe.days) / 7.0 AS client_weeks, sum(coalesce(h.n, 0))::float8 / nullif(sum(pe.days) / 7.0, 0) AS per_week
FROM pe LEFT JOIN held h ON h.enrolment_id = pe.id"""

FEEDBACK = f"""
WITH f AS (
  SELECT count(*) FILTER (WHERE (a.values ->> 'satisfied') IS NOT NULL) AS n1,
         count(*) FILTER (WHERE (a.values ->> 'satisfied')::boolean) AS y1,
         count(*) FILTER (WHERE (a.values ->> 'helped-toward-goals') IS NOT NULL) AS n2,
         count(*) FILTER (WHERE (a.values ->> 'helped-toward-goals')::boolean) AS y2
  {_answers('written-feedback')}
)
SELECT q.item AS "group", q.n AS answers, CASE WHEN q.n > 0 THEN q.y END AS yes,
       q.y::float8 / nullif(q.n, 0) AS yes_share
FROM f CROSS JOIN LATERAL (VALUES ('satisfied', f.n1, f.y1), ('helped-toward-goals', f.n2, f.y2)) q(item, n, y)"""

COMPLETION = """
SELECT 'all' AS "group", count(*) AS ended,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE e.ended_on - e.start_on <= 183) END AS within,
       (count(*) FILTER (WHERE e.ended_on - e.start_on <= 183))::float8 / nullif(count(*), 0) AS within_share,
       avg(e.ended_on - e.start_on) AS mean_days
FROM enrolments e JOIN clients cl ON cl.id = e.client_id
WHERE e.ended_on BETWEEN :period_start AND :period_end AND {scope}"""

PHASES = """
SELECT e.phase AS "group", count(*) AS clients
FROM enrolments e JOIN clients cl ON cl.id = e.client_id
WHERE e.status = 'active' AND {scope}
GROUP BY 1"""

# Days in a phase: from the move before (or the start) to the move out of it, for moves in the period.
PHASE_TIME = """
SELECT t.from_phase AS "group", count(*) AS moves,
       avg(EXTRACT(EPOCH FROM (t.at::timestamp - coalesce(prev.at, e.start_on)::timestamp)) / 86400.0) AS mean_days
FROM phase_transitions t JOIN enrolments e ON e.id = t.enrolment_id JOIN clients cl ON cl.id = e.client_id
LEFT JOIN LATERAL (
  SELECT p.at FROM phase_transitions p WHERE p.enrolment_id = t.enrolment_id AND (p.at, p.id) < (t.at, t.id)
  ORDER BY p.at DESC, p.id DESC LIMIT 1) prev ON true
WHERE t.at >= :starts_at AND t.at < :ends_before AND {scope}
GROUP BY 1"""

# Reviews made: later plan versions agreed in the period, on time when agreed by the review date set with
# the version before (agreeing sets the next date); overdue: ongoing plans whose review date passed in the period.
REVIEWS = """
WITH r AS (
  SELECT count(*) AS n, count(*) FILTER (WHERE v.agreed_at::timestamp < b.review_on + 1) AS on_time
  FROM plan_versions v JOIN plan_versions b ON b.plan_id = v.plan_id AND b.number = v.number - 1
  JOIN plans pl ON pl.id = v.plan_id JOIN enrolments e ON e.id = pl.enrolment_id
  JOIN clients cl ON cl.id = e.client_id
  WHERE b.review_on IS NOT NULL AND v.agreed_at >= :starts_at AND v.agreed_at < :ends_before
    AND {scope}
), o AS (
  SELECT count(*) AS n
  FROM plans pl JOIN enrolments e ON e.id = pl.enrolment_id JOIN clients cl ON cl.id = e.client_id
  WHERE e.status = 'active' AND pl.review_on < :last AND pl.review_on >= :period_start AND {scope}
)
SELECT 'reviewed' AS "group", r.n AS reviews, CASE WHEN r.n > 0 THEN r.on_time END AS on_time,
       r.on_time::float8 / nullif(r.n + o.n, 0) AS share FROM r, o
UNION ALL
SELECT 'overdue', o.n, 0, NULL FROM o"""

CONTINUATION = """
SELECT 'all' AS "group", count(*) AS ended,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE pl.continuation_at IS NOT NULL
                                                    OR pl.next_steps IS NOT NULL) END AS made,
       (count(*) FILTER (WHERE pl.continuation_at IS NOT NULL OR pl.next_steps IS NOT NULL))::float8
         / nullif(count(*), 0) AS made_share
FROM enrolments e JOIN clients cl ON cl.id = e.client_id LEFT JOIN plans pl ON pl.enrolment_id = e.id
WHERE e.ended_on BETWEEN :period_start AND :period_end AND {scope}"""


CHANNELS = f"""
SELECT c.modality AS "group", count(*) AS contacts, count(*)::float8 / sum(count(*)) OVER () AS share
{HELD}
GROUP BY 1"""

# The clients with a held contact in the period (a semi-join: each client once).
SEEN = """
FROM clients cl
WHERE EXISTS (SELECT 1 FROM contacts c JOIN enrolments e ON e.id = c.enrolment_id
              WHERE e.client_id = cl.id AND c.status = 'held' AND c.starts_at >= :starts_at
                AND c.starts_at < :ends_before AND {scope})"""

AGES = f"""
SELECT {AGE_BAND} AS "group", count(*) AS clients
{SEEN}
GROUP BY 1"""

PROFILE = f"""
SELECT 'all' AS "group", count(*) AS clients, avg((:year - cl.birth_year)::float8) AS mean_age,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE cl.pensioner) END AS pensioners,
       (count(*) FILTER (WHERE cl.pensioner))::float8 / nullif(count(*), 0) AS pensioner_share,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE NOT cl.social_welfare_client) END AS without_welfare,
       (count(*) FILTER (WHERE NOT cl.social_welfare_client))::float8 / nullif(count(*), 0) AS without_share
{SEEN}"""

# Enrolments whose first held contact (ever) was in the period; served in one contact when that is their
# only held contact and its outcome is 'served'.
SINGLE_CONTACT = """
WITH pe AS (
  SELECT e.id, count(*) AS n, count(*) FILTER (WHERE c.outcome = 'served') AS served
  FROM contacts c JOIN enrolments e ON e.id = c.enrolment_id JOIN clients cl ON cl.id = e.client_id
  WHERE c.status = 'held' AND {scope}
  GROUP BY e.id
  HAVING min(c.starts_at) >= :starts_at AND min(c.starts_at) < :ends_before
)
SELECT 'all' AS "group", count(*) AS clients,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE n = 1 AND served = 1) END AS single,
       (count(*) FILTER (WHERE n = 1 AND served = 1))::float8 / nullif(count(*), 0) AS single_share
FROM pe"""


# Referrals carry their own unit and municipality (a consultation has no client); ``{referral_scope}``.
REFERRALS = """
SELECT r.kind AS "group", count(*) AS received,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE r.status IN ('accepted', 'answered')) END AS handled,
       (count(*) FILTER (WHERE r.status IN ('accepted', 'answered')))::float8 / nullif(count(*), 0) AS handled_share
FROM referrals r
WHERE r.created_at >= :starts_at AND r.created_at < :ends_before {referral_scope}
GROUP BY 1"""


# Housing (001). Intake items not yet registered have no enrolment and count for every unit;
# ``{intake_scope}``, ``{meeting_scope}`` and ``{vacancy_scope}`` are the filters each table carries itself.
INTAKE_CHANNELS = ("service_request", "notification_35", "phone", "paper", "visit")
INTAKE = f"""
SELECT i.municipality_code AS "group", count(*) AS total,
       {", ".join(f"count(*) FILTER (WHERE i.channel = '{c}') AS {c}" for c in INTAKE_CHANNELS)}
FROM intake_items i LEFT JOIN enrolments e ON e.id = i.enrolment_id
WHERE i.status <> 'draft' AND i.received_on BETWEEN :period_start AND :period_end {{intake_scope}}
GROUP BY 1"""

ASSESSMENTS = """
SELECT a.rule AS "group", count(*) AS received, count(a.started_on) AS started,
       count(*) FILTER (WHERE a.started_on <= coalesce(a.start_due_on, a.started_on)) AS started_on_time,
       count(a.completed_on) AS completed, count(*) FILTER (WHERE a.completed_on <= a.due_on) AS completed_on_time,
       (count(*) FILTER (WHERE a.completed_on <= a.due_on))::float8 / count(*) AS on_time_share
FROM assessments a JOIN enrolments e ON e.id = a.enrolment_id JOIN clients cl ON cl.id = e.client_id
WHERE a.received_on BETWEEN :period_start AND :period_end AND {scope}
GROUP BY 1"""

# Per meeting in the period: its decisions, the minutes its agenda used and the items over their estimate.
MEETINGS = """
WITH m AS (
  SELECT dm.id, dm.minutes, count(*) FILTER (WHERE i.outcome IS NOT NULL) AS decided,
         sum(coalesce(i.actual_minutes, 0)) AS used, count(*) FILTER (WHERE i.actual_minutes > i.estimated_minutes)
           AS over_estimate
  FROM decision_meetings dm JOIN decision_meeting_items i ON i.meeting_id = dm.id
  WHERE dm.starts_at >= :starts_at AND dm.starts_at < :ends_before {meeting_scope}
  GROUP BY dm.id, dm.minutes
)
SELECT 'all' AS "group", count(*) AS meetings, coalesce(sum(m.decided), 0) AS decisions,
       sum(m.decided)::float8 / nullif(count(*), 0) AS per_meeting,
       count(*) FILTER (WHERE m.used > m.minutes) AS overran,
       (count(*) FILTER (WHERE m.used > m.minutes))::float8 / nullif(count(*), 0) AS overran_share,
       coalesce(sum(m.over_estimate), 0) AS items_over
FROM m"""

# Waiting on the period's last day (or today) and for how long so far; placed in the period and after how long.
QUEUES = """
SELECT q.service_type || '|' || cl.municipality_code AS "group", count(*) FILTER (WHERE f.waiting) AS waiting,
       avg(:last - qe.queued_on) FILTER (WHERE f.waiting) AS waited_so_far,
       count(*) FILTER (WHERE f.placed) AS placed, avg(qe.left_on - qe.queued_on) FILTER (WHERE f.placed) AS waited
FROM queue_entries qe JOIN housing_queues q ON q.id = qe.queue_id JOIN enrolments e ON e.id = qe.enrolment_id
JOIN clients cl ON cl.id = e.client_id
CROSS JOIN LATERAL (
  SELECT qe.queued_on <= :last AND (qe.status = 'waiting' OR qe.left_on > :last) AS waiting,
         qe.status = 'placed' AND qe.left_on BETWEEN :period_start AND :period_end AS placed) f
WHERE (f.waiting OR f.placed) AND {scope}
GROUP BY 1"""

VACANCIES = """
SELECT hu.service_type AS "group", count(*) AS vacancies, count(*) FILTER (WHERE v.status = 'filled') AS filled,
       (count(*) FILTER (WHERE v.status = 'filled'))::float8 / count(*) AS filled_share,
       avg(v.days_to_fill::float8) FILTER (WHERE v.status = 'filled') AS days_to_fill
FROM vacancies v JOIN housing_units hu ON hu.id = v.unit_id
WHERE v.status <> 'cancelled' AND v.free_from BETWEEN :period_start AND :period_end {vacancy_scope}
GROUP BY 1"""


HAND: dict[str, str | Callable[[], str]] = {
    "000-remote-share-age": _share(AGE_BAND),
    "001-intake": INTAKE,
    "001-assessments": ASSESSMENTS,
    "001-meetings": MEETINGS,
    "001-queues": QUEUES,
    "001-vacancies": VACANCIES,
    "000-remote-share-gender": _share("cl.gender"),
    "000-remote-share-diagnosis": _share("coalesce(cl.diagnosis_group, 'unrecorded')"),
    "000-durations": f"""
SELECT c.modality AS "group", count(*) AS contacts, avg(c.duration_minutes::float8) AS mean_minutes
{HELD} AND c.duration_minutes IS NOT NULL
GROUP BY 1""",
    "000-support-types": _support_types,  # built when run: the codes come from the loaded definition
    "000-fit": FIT,
    "000-satisfaction": SATISFACTION,
    "002-3x10d": THREE_BY_TEN_CHANGE,
    "002-intensity": INTENSITY,
    "002-feedback": FEEDBACK,
    "002-completion": COMPLETION,
    "003-phases": PHASES,
    "003-phase-time": PHASE_TIME,
    "003-reviews": REVIEWS,
    "003-continuation": CONTINUATION,
    "004-channels": CHANNELS,
    "004-single-contact": SINGLE_CONTACT,
    "004-ages": AGES,
    "004-profile": PROFILE,
    "004-referrals": REFERRALS,
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


def _own_scopes() -> dict[str, tuple[tuple[str, str], ...]]:
    """The housing tables' own filter conditions (as the figures apply them), by the parameter they need."""
    return {
        "{intake_scope}": (("(e.id IS NULL OR e.unit_id = ANY(:unit_ids))", "unit_ids"),
                           ("i.municipality_code = ANY(:municipality_codes)", "municipality_codes"),
                           ("i.registered_by_id = :worker_id", "worker_id")),
        "{meeting_scope}": (("dm.unit_id = ANY(:unit_ids)", "unit_ids"), ("i.worker_id = :worker_id", "worker_id")),
        "{vacancy_scope}": (("hu.municipality_code = ANY(:municipality_codes)", "municipality_codes"),),
    }


def statement(sql: str | Callable[[], str], filters, programme: str) -> tuple[TextClause, dict]:
    """The hand-written SQL of a figure, ready to run with its parameters."""
    sql = sql() if callable(sql) else sql
    where, params = scope(filters, programme)
    params |= {"starts_at": filters.starts_at, "ends_before": filters.ends_before,
               "period_start": filters.period_start, "period_end": filters.period_end,
               "last": min(filters.period_end, date.today())}
    referral_scope = "".join(
        f" AND {condition}" for condition, name in (
            ("r.unit_id = ANY(:unit_ids)", "unit_ids"), ("r.municipality_code = ANY(:municipality_codes)",
                                                         "municipality_codes"),
            ("r.handled_by_id = :worker_id", "worker_id")) if name in params)
    sql = sql.replace("{scope}", where).replace("{referral_scope}", referral_scope)
    for placeholder, conditions in _own_scopes().items():
        sql = sql.replace(placeholder, "".join(f" AND {condition}" for condition, name in conditions if name in params))
    used = {name: value for name, value in params.items() if f":{name}" in sql}
    return text(sql), used
