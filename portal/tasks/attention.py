"""What needs attention on a worker's caseload: one grouped query per kind for the whole caseload.

Each kind is counted in SQL over the caseload's enrolment ids (never one query per client); the FIT
alerts read the caseload's ORS/SRS totals in one query and classify them with ``measures.fit`` (the
same rules as the client's FIT graph: ORS worsened, no reliable improvement, SRS at or below the
alliance threshold or dropped). Intensity, the end date and the last contact come with the caseload's
own query (``caseload.queries``).

Sorted by urgency: what a client is waiting for (a callback, a change, a message) first, then the
clinical signals, then the paperwork.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import CompoundSelect, Select, String, bindparam, exists, func, literal, select, type_coerce, union_all

from portal.auth.models import User
from portal.caseload.queries import CaseloadRow, Intensity
from portal.db import read
from portal.measures import fit, instruments
from portal.measures.labels import ALERTS
from portal.measures.models import Answer, AnswerStatus
from portal.measures.schedule import SRS_STAYS_OPEN
from portal.meetings.models import Contact
from portal.messages.models import Thread
from portal.people.permissions import visible_parameters, visible_statement
from portal.plans.models import Plan
from portal.programmes import registry
from portal.programmes.definitions_schema import MeasureWhen
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
from portal.tasks.models import Task, TaskState

DEFAULT_NO_CONTACT_DAYS = 21
QUESTIONNAIRE_LOOKBACK_DAYS = 60  # older unanswered meetings are history, not a to-do
PLAN_REVIEW_AHEAD_DAYS = 7
FIRST_SCREEN = 30  # clients shown on the worker's first screen; the caseload page lists them all


class Kind(enum.StrEnum):
    """The kinds, most urgent first (their order is the sort order)."""

    PHONE_INSTEAD = "phone_instead"
    CALLBACK = "callback"
    CHANGE_REQUEST = "change_request"
    MESSAGE = "message"
    FIT = "fit"
    NO_CONTACT = "no_contact"
    INTENSITY = "intensity"
    TO_RECORD = "to_record"
    QUESTIONNAIRE = "questionnaire"
    PLAN_REVIEW = "plan_review"
    ENDING = "ending"


URGENCY = {kind: rank for rank, kind in enumerate(Kind)}


@dataclass(frozen=True)
class Item:
    kind: Kind
    enrolment_id: int
    count: int = 1
    since: datetime | date | None = None
    params: dict = field(default_factory=dict)  # for the label: days, date, alert codes

    @property
    def urgency(self) -> int:
        return URGENCY[self.kind]

    @property
    def texts(self) -> list[str]:
        """The FIT alerts in words: made only for the items a page shows."""
        return [str(ALERTS[a.code]) % a.params for a in self.params.get("alerts", ())]


@dataclass
class ClientAttention:
    """One caseload row with its items, most urgent first."""

    row: CaseloadRow
    items: list[Item]

    @property
    def urgency(self) -> tuple:
        first = self.items[0] if self.items else None
        return (first.urgency if first else len(Kind), -len(self.items))


def no_contact_days() -> int:
    """PORTAL_ATTENTION_NO_CONTACT_DAYS (portal/config.py)."""
    return int(current_app.config.get("ATTENTION_NO_CONTACT_DAYS", DEFAULT_NO_CONTACT_DAYS))


def for_caseload(user: User, rows: list[CaseloadRow], now: datetime, today: date) -> dict[int, list[Item]]:
    """Every item per enrolment id of the user's caseload ``rows`` (ended enrolments have none).

    Each query names the caseload as a subquery (the visibility rule's index lookups), not as a list of
    ids: a list of 200 parameters made every statement a new one to parse and plan."""
    active = [r for r in rows if r.enrolment.status is EnrolmentStatus.ACTIVE]
    found: dict[int, list[Item]] = defaultdict(list)
    if not active:
        return found
    team_lead, visible = visible_parameters(user, today)
    # The statements are built once per process with these as parameters (building them cost more CPU than
    # running them; the worker's two main pages run them all).
    params = {**visible, "now": now, "answers_closed": now - SRS_STAYS_OPEN,
              "lookback": now - timedelta(days=QUESTIONNAIRE_LOOKBACK_DAYS),
              "review_by": today + timedelta(days=PLAN_REVIEW_AHEAD_DAYS)}
    for item in (*_counted(team_lead, params), *_fit(team_lead, params), *_plan_reviews(team_lead, params),
                 *_from_rows(active, today)):
        found[item.enrolment_id].append(item)
    for items in found.values():
        items.sort(key=lambda i: i.urgency)
    return found


def ranked(user: User, rows: list[CaseloadRow], now: datetime, today: date) -> list[ClientAttention]:
    """The clients that have anything, most urgent first (the worker's first screen)."""
    items = for_caseload(user, rows, now, today)
    listed = [ClientAttention(r, items[r.enrolment.id]) for r in rows if items.get(r.enrolment.id)]
    return sorted(listed, key=lambda c: (c.urgency, c.row.client.last_name, c.row.client.first_name))


def _active_ids(team_lead: bool) -> Select:
    """The ids of the caseload's active enrolments (parameters user_id and since)."""
    return (visible_statement(bindparam("user_id"), team_lead, bindparam("since"))
            .where(Enrolment.status == EnrolmentStatus.ACTIVE).with_only_columns(Enrolment.id))


def _counted(team_lead: bool, params: dict) -> Iterable[Item]:
    """The kinds that are a count and the oldest moment per enrolment, in one statement."""
    statement = _counted_statement(team_lead, tuple(code for code in registry.loaded() if _asks_per_meeting(code)))
    return [Item(Kind(kind), enrolment_id, count, since)
            for kind, enrolment_id, count, since in read(statement, params)]


@cache
def _counted_statement(team_lead: bool, per_meeting: tuple[str, ...]) -> CompoundSelect:
    """A UNION ALL of the grouped queries over the caseload, named once (a CTE). Each kind was its own
    statement, and a statement costs ~0.4 ms of the web process's CPU whatever the database does."""
    caseload = _active_ids(team_lead).cte("caseload")
    mine = select(caseload.c.id)
    parts = [
        # A task's stored kind is the attention kind of the same name (a test holds them together).
        select(type_coerce(Task.kind, String).label("kind"), Task.enrolment_id, func.count(), func.min(Task.created_at))
        .where(Task.enrolment_id.in_(mine), Task.state == TaskState.NEW).group_by(Task.enrolment_id, Task.kind),
        _messages(mine), _to_record(mine), *_questionnaires(mine, per_meeting)]
    return union_all(*parts)



def _messages(mine: Select) -> Select:
    """Threads where the client's message waits for an answer."""
    return (select(literal(Kind.MESSAGE.value, String), Thread.enrolment_id, func.count(),
                   func.min(Thread.waiting_since))
            .where(Thread.enrolment_id.in_(mine), Thread.waiting_since.is_not(None)).group_by(Thread.enrolment_id))


def _fit(team_lead: bool, params: dict) -> Iterable[Item]:
    """FIT alerts from the caseload's ORS/SRS totals per meeting (one query, in meeting order)."""
    ors, srs = instruments.current("ors"), instruments.current("srs")
    if ors is None:
        return []
    totals = read(_fit_statement(team_lead), params)
    meetings: dict[int, dict[int, dict]] = defaultdict(dict)
    for enrolment_id, appointment_id, code, total in totals:
        meetings[enrolment_id].setdefault(appointment_id, {})[code] = total
    scoring = ors.definition.scoring
    threshold = (srs.definition.scoring.alliance_threshold if srs else None) or 36
    after = current_app.config.get("MEASURES_NO_IMPROVEMENT_AFTER", fit.DEFAULT_NO_IMPROVEMENT_AFTER)
    found = []
    for enrolment_id, by_meeting in meetings.items():
        # The alerts read the order and the totals only: the time is not fetched (decoding 1 500 time
        # stamps a page was a tenth of its CPU).
        points = [fit.Point(None, m.get("ors"), m.get("srs")) for m in by_meeting.values()]
        alerts = fit.alerts(points, scoring.reliable_change or 5, threshold, after)
        if alerts:
            found.append(Item(Kind.FIT, enrolment_id, len(alerts), params={"alerts": alerts}))
    return found


@cache
def _fit_statement(team_lead: bool) -> Select:
    return (select(Answer.enrolment_id, Appointment.id, Answer.instrument_code, Answer.total)
            .join(Appointment, Appointment.id == Answer.appointment_id)
            .where(Answer.enrolment_id.in_(_active_ids(team_lead)), Answer.status == AnswerStatus.SUBMITTED,
                   Answer.instrument_code.in_(("ors", "srs")))
            .order_by(Answer.enrolment_id, Appointment.starts_at, Appointment.id))


def _to_record(mine: Select) -> Select:
    """Meetings that have ended and were neither recorded nor cancelled."""
    recorded = exists().where(Contact.appointment_id == Appointment.id)
    return (select(literal(Kind.TO_RECORD.value, String), Appointment.enrolment_id, func.count(),
                   func.min(Appointment.starts_at))
            .where(Appointment.enrolment_id.in_(mine), Appointment.ends_at <= bindparam("now"),
                   Appointment.status.in_(ACTIVE_STATUSES), ~recorded)
            .group_by(Appointment.enrolment_id))


def _questionnaires(mine: Select, codes: tuple[str, ...]) -> list[Select]:
    """Held meetings of the last weeks whose questionnaire window closed with nothing submitted.

    Only programmes that ask a questionnaire at each meeting (ORS before, SRS after; seed 000): ``codes``."""
    if not codes:
        return []
    answered = exists().where(Answer.appointment_id == Appointment.id, Answer.status == AnswerStatus.SUBMITTED)
    # The programme on the appointment, not on the caseload's subquery: there PostgreSQL read every enrolment
    # of the programme (28 000 at county scale, 11 ms) to intersect them with the worker's 200.
    return [select(literal(Kind.QUESTIONNAIRE.value, String), Appointment.enrolment_id, func.count(),
                   func.min(Appointment.starts_at))
            .where(Appointment.enrolment_id.in_(mine), Appointment.programme_code.in_(codes),
                   Appointment.status == AppointmentStatus.HELD,
                   Appointment.ends_at <= bindparam("answers_closed"), Appointment.ends_at > bindparam("lookback"),
                   ~answered)
            .group_by(Appointment.enrolment_id)]


def _asks_per_meeting(programme_code: str) -> bool:
    definition = registry.definition(programme_code)
    return bool(definition) and any(m.when in (MeasureWhen.BEFORE_MEETING, MeasureWhen.AFTER_MEETING)
                                    for m in definition.measures)


def _plan_reviews(team_lead: bool, params: dict) -> Iterable[Item]:
    return [Item(Kind.PLAN_REVIEW, enrolment_id, since=review_on, params={"date": review_on})
            for enrolment_id, review_on in read(_plan_reviews_statement(team_lead), params)]


@cache
def _plan_reviews_statement(team_lead: bool) -> Select:
    return select(Plan.enrolment_id, Plan.review_on).where(
        Plan.enrolment_id.in_(_active_ids(team_lead)), Plan.review_on <= bindparam("review_by"))


def _from_rows(rows: list[CaseloadRow], today: date) -> Iterable[Item]:
    """Intensity, the end date and the last contact, from the caseload's own query."""
    limit = no_contact_days()
    for row in rows:
        enrolment = row.enrolment
        if row.intensity(today) is Intensity.BELOW:
            yield Item(Kind.INTENSITY, enrolment.id)
        if row.ends_soon(today):
            yield Item(Kind.ENDING, enrolment.id, since=enrolment.planned_end_on,
                       params={"date": enrolment.planned_end_on})
        days = row.days_since_last_contact(today)
        if days is None:
            days = (today - enrolment.start_on).days  # never met: counted from the start of the service
        if days >= limit:
            yield Item(Kind.NO_CONTACT, enrolment.id, params={"days": days})
