"""Many-services / PPT (seed 003): clients by phase, time in each phase, plan reviews, continuation plans."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, Select, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from portal.i18n import _, _l
from portal.people.models import Client
from portal.plans.models import PhaseTransition, Plan, PlanVersion
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.reports import labels
from portal.reports.queries import Column, Figure, Filters, count_if, in_period, ratio, scoped
from portal.reports.sql import days_between

PROGRAMME = "many-services"


def _enrolments(columns, filters: Filters) -> Select:
    stmt = select(*columns).select_from(Enrolment).join(Client, Client.id == Enrolment.client_id)
    return scoped(stmt, filters, PROGRAMME)


def _phase_order(column):
    definition = registry.definition(PROGRAMME)
    codes = [p.code for p in definition.phases] if definition else []
    return case({code: index for index, code in enumerate(codes)}, value=column, else_=len(codes))


def _by_phase(filters: Filters) -> Select:
    """Ongoing services by their current phase (a snapshot: the period does not narrow it)."""
    return (_enrolments([Enrolment.phase.label("group"), func.count(Enrolment.id).label("clients")], filters)
            .where(Enrolment.status == EnrolmentStatus.ACTIVE)
            .group_by(Enrolment.phase).order_by(_phase_order(Enrolment.phase)))


def _phase_time(filters: Filters) -> Select:
    """Days spent in a phase, for every phase left in the period (from the previous move, or the start)."""
    previous = func.lag(PhaseTransition.at).over(partition_by=PhaseTransition.enrolment_id,
                                                 order_by=(PhaseTransition.at, PhaseTransition.id))
    moves = _enrolments([
        PhaseTransition.from_phase, PhaseTransition.at,
        func.coalesce(days_between(PhaseTransition.at, previous), days_between(PhaseTransition.at, Enrolment.start_on))
        .label("days")], filters).join(PhaseTransition, PhaseTransition.enrolment_id == Enrolment.id).subquery()
    return (select(moves.c.from_phase.label("group"), func.count().label("moves"),
                   func.avg(cast(moves.c.days, Float)).label("mean_days"))
            .where(in_period(moves.c.at, filters))
            .group_by(moves.c.from_phase).order_by(_phase_order(moves.c.from_phase)))


def _reviews(filters: Filters) -> Select:
    """Reviews of agreed plans: each later agreed version is the review of the date set with the version
    before it (agreeing moves the plan's next review date on, so a version's own date is the next one);
    open ones overdue."""
    before = aliased(PlanVersion)
    on_time = days_between(before.review_on, PlanVersion.agreed_at) > -1
    reviewed = (_enrolments([PlanVersion.id], filters).join(Plan, Plan.enrolment_id == Enrolment.id)
                .join(PlanVersion, PlanVersion.plan_id == Plan.id)
                .join(before, and_(before.plan_id == PlanVersion.plan_id, before.number == PlanVersion.number - 1))
                .where(before.review_on.is_not(None), in_period(PlanVersion.agreed_at, filters))
                .add_columns(on_time.label("on_time")).subquery())
    last = min(filters.period_end, date.today())
    overdue = (_enrolments([func.count(Plan.id)], filters).join(Plan, Plan.enrolment_id == Enrolment.id)
               .where(Enrolment.status == EnrolmentStatus.ACTIVE, Plan.review_on < last,
                      Plan.review_on >= filters.period_start).scalar_subquery())
    due = func.count(reviewed.c.id) + overdue
    return union_all(
        select(literal("reviewed").label("group"), func.count(reviewed.c.id).label("reviews"),
               count_if(reviewed.c.on_time).label("on_time"), ratio(count_if(reviewed.c.on_time), due).label("share")),
        select(literal("overdue").label("group"), overdue.label("reviews"), literal(0).label("on_time"),
               literal(None, Float).label("share")),
    )


def _continuation(filters: Filters) -> Select:
    made = or_(Plan.continuation_at.is_not(None), Plan.next_steps.is_not(None))
    ended = func.count(Enrolment.id)
    return (_enrolments([literal("all").label("group"), ended.label("ended"), count_if(made).label("made"),
                         ratio(count_if(made), ended).label("made_share")], filters)
            .outerjoin(Plan, Plan.enrolment_id == Enrolment.id)
            .where(and_(Enrolment.ended_on.is_not(None),
                        Enrolment.ended_on.between(filters.period_start, filters.period_end))))


def _review_label(value: str) -> str:
    return {"reviewed": _("Reviews made"), "overdue": _("Overdue, not yet reviewed")}.get(value, value)


FIGURES = [
    Figure("003-phases", PROGRAMME, _l("Clients by phase now"), (
        Column("group", _l("Phase"), "label"), Column("clients", _l("Clients"))), _by_phase,
        group_label=labels.phase(PROGRAMME), note=_l("Ongoing services today; the period does not narrow this.")),
    Figure("003-phase-time", PROGRAMME, _l("Time in each phase"), (
        Column("group", _l("Phase"), "label"), Column("moves", _l("Phases completed")),
        Column("mean_days", _l("Mean days in the phase"), "mean", base="moves")), _phase_time,
        group_label=labels.phase(PROGRAMME), chart_columns=("mean_days",)),
    Figure("003-reviews", PROGRAMME, _l("Plans reviewed on time"), (
        Column("group", _l("Reviews"), "label"), Column("reviews", _l("Plans")),
        Column("on_time", _l("Reviewed by the agreed date")),
        Column("share", _l("On time, share of reviews due"), "share", base="reviews")), _reviews, chart="none",
        group_label=_review_label,
        note=_l("A review is a newly agreed plan version; it is on time when agreed by the review date set "
                "before it. Overdue: ongoing plans whose review date passed in the period.")),
    Figure("003-continuation", PROGRAMME, _l("Continuation plans made"), (
        Column("group", _l("Group"), "label"), Column("ended", _l("Services ended")),
        Column("made", _l("With a continuation plan")),
        Column("made_share", _l("Share with a continuation plan"), "share", base="ended")), _continuation,
        chart="none", group_label=labels.all_group),
]
