"""Housing-service guidance (seed 001): intake channels by municipality, assessment deadlines, decision
meetings, queues and vacancies. The tables are the intake and queues features'; reports only count."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, Select, String, and_, case, cast, func, literal, or_, select

from portal.i18n import _l
from portal.intake.models import (
    Assessment,
    DecisionMeeting,
    DecisionMeetingItem,
    IntakeChannel,
    IntakeItem,
    IntakeStatus,
)
from portal.people.models import Client
from portal.programmes.models import Enrolment
from portal.queues.models import EntryStatus, HousingQueue, HousingUnit, QueueEntry, Vacancy, VacancyStatus
from portal.reports import labels
from portal.reports.queries import Column, Figure, Filters, count_where, in_period, ratio, scoped
from portal.reports.sql import days_between

PROGRAMME = "housing-guidance"
CHANNELS = tuple(IntakeChannel)


def _intake_channels(filters: Filters) -> Select:
    """Contacts received in the period per municipality, one count per channel (drafts are not contacts)."""
    # Not yet registered items have no enrolment: they count for every unit (the central intake list).
    stmt = (select(IntakeItem.municipality_code.label("group"), func.count(IntakeItem.id).label("total"),
                   *[count_where(IntakeItem.channel == c).label(c.value) for c in CHANNELS])
            .where(IntakeItem.status != IntakeStatus.draft,
                   IntakeItem.received_on.between(filters.period_start, filters.period_end)))
    if filters.unit_ids is not None:
        # A semi-join on the unit's enrolments (hashed once), not an outer join to every enrolment.
        stmt = stmt.where(or_(IntakeItem.enrolment_id.is_(None), IntakeItem.enrolment_id.in_(
            select(Enrolment.id).where(Enrolment.unit_id.in_(filters.unit_ids)))))
    if filters.municipality_codes is not None:
        stmt = stmt.where(IntakeItem.municipality_code.in_(filters.municipality_codes))
    if filters.worker_id is not None:
        stmt = stmt.where(IntakeItem.registered_by_id == filters.worker_id)
    return stmt.group_by(IntakeItem.municipality_code).order_by(IntakeItem.municipality_code)


def _assessments(filters: Filters) -> Select:
    """Assessments received in the period by deadline rule: started (priority: by its start deadline)
    and completed by the due date."""
    started_ok = and_(Assessment.started_on.is_not(None),
                      or_(Assessment.start_due_on.is_(None), Assessment.started_on <= Assessment.start_due_on))
    completed_ok = and_(Assessment.completed_on.is_not(None), Assessment.completed_on <= Assessment.due_on)
    received = func.count(Assessment.id)
    stmt = (select(Assessment.rule.label("group"), received.label("received"),
                   count_where(Assessment.started_on.is_not(None)).label("started"),
                   count_where(started_ok).label("started_on_time"),
                   count_where(Assessment.completed_on.is_not(None)).label("completed"),
                   count_where(completed_ok).label("completed_on_time"),
                   ratio(count_where(completed_ok), received).label("on_time_share"))
            .select_from(Assessment).join(Enrolment, Enrolment.id == Assessment.enrolment_id)
            .join(Client, Client.id == Enrolment.client_id)
            .where(Assessment.received_on.between(filters.period_start, filters.period_end)))
    if filters.worker_id is not None:
        stmt = stmt.where(Assessment.worker_id == filters.worker_id)
        filters = Filters(filters.period_start, filters.period_end, filters.unit_ids, filters.municipality_codes,
                          filters.client_group)
    return scoped(stmt, filters, PROGRAMME).group_by(Assessment.rule).order_by(Assessment.rule)


def _meetings(filters: Filters) -> Select:
    """Decision meetings in the period: decisions per meeting, meetings that ran over their slot, and
    agenda items that took longer than the worker estimated."""
    # The period's meetings first, then their items (not every item of every meeting, then the period).
    stmt = (select(DecisionMeeting.id, DecisionMeeting.minutes, func.count(DecisionMeetingItem.id).label("agenda"),
                   count_where(DecisionMeetingItem.outcome.is_not(None)).label("decided"),
                   func.sum(func.coalesce(DecisionMeetingItem.actual_minutes, 0)).label("used"),
                   count_where(DecisionMeetingItem.actual_minutes > DecisionMeetingItem.estimated_minutes)
                   .label("over_estimate"))
            .join(DecisionMeetingItem, DecisionMeetingItem.meeting_id == DecisionMeeting.id)
            .where(in_period(DecisionMeeting.starts_at, filters)))
    if filters.worker_id is not None:
        stmt = stmt.where(DecisionMeetingItem.worker_id == filters.worker_id)
    if filters.unit_ids is not None:
        stmt = stmt.where(DecisionMeeting.unit_id.in_(filters.unit_ids))
    meetings = stmt.group_by(DecisionMeeting.id, DecisionMeeting.minutes).subquery()
    overran = meetings.c.used > meetings.c.minutes
    count = func.count(meetings.c.id)
    return select(literal("all").label("group"), count.label("meetings"),
                  func.coalesce(func.sum(meetings.c.decided), 0).label("decisions"),
                  ratio(func.sum(meetings.c.decided), count).label("per_meeting"),
                  count_where(overran).label("overran"), ratio(count_where(overran), count).label("overran_share"),
                  func.coalesce(func.sum(meetings.c.over_estimate), 0).label("items_over"))


def _queues(filters: Filters) -> Select:
    """Per service and the client's municipality: waiting at the period's end and for how long so far;
    placed in the period and how long they waited."""
    last = min(filters.period_end, date.today())
    waiting = and_(QueueEntry.queued_on <= last,
                   or_(QueueEntry.status == EntryStatus.WAITING, QueueEntry.left_on > last))
    placed = and_(QueueEntry.status == EntryStatus.PLACED,
                  QueueEntry.left_on.between(filters.period_start, filters.period_end))
    group = cast(HousingQueue.service_type, String).concat("|").concat(Client.municipality_code).label("group")
    stmt = (select(group, count_where(waiting).label("waiting"),
                   func.avg(case((waiting, days_between(literal(last), QueueEntry.queued_on)))).label("waited_so_far"),
                   count_where(placed).label("placed"),
                   func.avg(case((placed, days_between(QueueEntry.left_on, QueueEntry.queued_on)))).label("waited"))
            .select_from(QueueEntry).join(HousingQueue, HousingQueue.id == QueueEntry.queue_id)
            .join(Enrolment, Enrolment.id == QueueEntry.enrolment_id).join(Client, Client.id == Enrolment.client_id)
            .where(or_(waiting, placed)))
    return scoped(stmt, filters, PROGRAMME).group_by(group).order_by(group)


def _vacancies(filters: Filters) -> Select:
    """Places that came free in the period, per service type: filled, and days to fill (kept on the row)."""
    filled = Vacancy.status == VacancyStatus.FILLED
    reported = func.count(Vacancy.id)
    stmt = (select(HousingUnit.service_type.label("group"), reported.label("vacancies"),
                   count_where(filled).label("filled"),
                   ratio(count_where(filled), reported).label("filled_share"),
                   func.avg(case((filled, cast(Vacancy.days_to_fill, Float)))).label("days_to_fill"))
            .select_from(Vacancy).join(HousingUnit, HousingUnit.id == Vacancy.unit_id)
            .where(Vacancy.status != VacancyStatus.CANCELLED,
                   Vacancy.free_from.between(filters.period_start, filters.period_end)))
    if filters.municipality_codes is not None:
        stmt = stmt.where(HousingUnit.municipality_code.in_(filters.municipality_codes))
    return stmt.group_by(HousingUnit.service_type).order_by(HousingUnit.service_type)


FIGURES = [
    Figure("001-intake", PROGRAMME, _l("Contacts by channel and municipality"), (
        Column("group", _l("Municipality"), "label"), Column("total", _l("Contacts")),
        *[Column(c.value, labels.intake_channel(c.value)) for c in CHANNELS]), _intake_channels, chart="stacked",
        group_label=labels.municipality, chart_columns=tuple(c.value for c in CHANNELS),
        row_total="total"),
    Figure("001-assessments", PROGRAMME, _l("Service-needs assessments and their deadlines"), (
        Column("group", _l("Deadline rule"), "label"), Column("received", _l("Number received")),
        Column("started", _l("Started")), Column("started_on_time", _l("Started by the deadline")),
        Column("completed", _l("Completed")), Column("completed_on_time", _l("Completed by the deadline")),
        Column("on_time_share", _l("Completed on time, share"), "share", base="received", target=1.0)),
        _assessments, group_label=labels.assessment_rule,
        note=_l("Priority groups (over 75, highest care allowance) must be started by the 7th working day; "
                "everyone else's assessment is due without undue delay.")),
    Figure("001-meetings", PROGRAMME, _l("Decision meetings (SAP)"), (
        Column("group", _l("Group"), "label"), Column("meetings", _l("Meetings")),
        Column("decisions", _l("Decisions")),
        Column("per_meeting", _l("Decisions per meeting"), "number", base="meetings"),
        Column("overran", _l("Meetings over their time")),
        Column("overran_share", _l("Over their time, share"), "share", base="meetings"),
        Column("items_over", _l("Clients discussed longer than estimated"))), _meetings, chart="none",
        group_label=labels.all_group),
    Figure("001-queues", PROGRAMME, _l("Queues and waiting times by municipality and service"), (
        Column("group", _l("Service and municipality"), "label"), Column("waiting", _l("Waiting")),
        Column("waited_so_far", _l("Waited so far, mean days"), "mean", base="waiting"),
        Column("placed", _l("Placed in the period")),
        Column("waited", _l("Placed after, mean days"), "mean", base="placed")), _queues,
        group_label=labels.service_and_municipality, chart_columns=("waited_so_far",),
        note=_l("Waiting: in the queue on the period's last day (or today). The municipality is the client's home.")),
    Figure("001-vacancies", PROGRAMME, _l("Vacancies filled and days to fill"), (
        Column("group", _l("Service"), "label"), Column("vacancies", _l("Places free in the period")),
        Column("filled", _l("Vacancies filled")),
        Column("filled_share", _l("Filled, share"), "share", base="vacancies"),
        Column("days_to_fill", _l("Days to fill, mean"), "mean", base="filled")), _vacancies,
        group_label=labels.service_type,
        note=_l("Housing units are the providers' and are not narrowed by unit or caseload; municipality is the "
                "housing unit's.")),
]
