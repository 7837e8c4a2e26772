"""Intensive rehabilitation (seed 002): 3X10D change, contact intensity, feedback, completion in six months."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, Select, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import aliased

from portal.i18n import _l
from portal.measures.models import Answer, AnswerStatus
from portal.meetings.models import Contact, ContactStatus
from portal.people.models import Client
from portal.programmes.models import Enrolment
from portal.reports import labels
from portal.reports.figures.common import submitted_answers, unpivot
from portal.reports.queries import Column, Figure, Filters, count_if, count_where, in_period, ratio, scoped
from portal.reports.sql import days_between

PROGRAMME = "intensive-rehabilitation"
CHANGE_TARGET = 0.25  # seed 002: the mean of all items up by 25 %
CONTACTS_PER_WEEK_TARGET = 2  # programme definition: min_contacts_per_week
SIX_MONTHS_DAYS = 183  # programme definition: max_duration_days
FOLLOW_UPS = ("month-6", "end")  # "at six months, or at the end if earlier"
THREE_BY_TEN_ITEMS = ("health", "overcoming", "housing", "daily-coping", "family", "friends", "finances",
                      "strengths", "self-esteem", "life")

def _pairs(filters: Filters):
    """Each client's start 3X10D with their follow-up (answered in the period): start, follow-up aliases."""
    start, follow = aliased(Answer), aliased(Answer)
    stmt = (select().select_from(follow)
            .join(start, and_(start.enrolment_id == follow.enrolment_id, start.instrument_code == "3x10d",
                              start.occurrence == "start", start.status == AnswerStatus.SUBMITTED))
            .join(Enrolment, Enrolment.id == follow.enrolment_id).join(Client, Client.id == Enrolment.client_id)
            .where(follow.instrument_code == "3x10d", follow.occurrence.in_(FOLLOW_UPS),
                   follow.status == AnswerStatus.SUBMITTED, in_period(follow.answered_on, filters)))
    return scoped(stmt, filters, PROGRAMME), start, follow

def _three_by_ten(filters: Filters) -> Select:
    """Per item and overall (the mean of the items): start mean, follow-up mean and the relative change.

    Every item is averaged in one pass over the start/follow-up pairs, then unpivoted to a row per item."""
    stmt, start, follow = _pairs(filters)
    columns, befores, afters = [], [], []
    for n, item in enumerate(THREE_BY_TEN_ITEMS):
        before, after = start.values[item].as_float(), follow.values[item].as_float()
        befores, afters = [*befores, before], [*afters, after]
        both = and_(before.is_not(None), after.is_not(None))
        columns += [count_where(both).label(f"clients_{n}"), func.avg(case((both, before))).label(f"start_mean_{n}"),
                    func.avg(case((both, after))).label(f"follow_mean_{n}")]
    # 3X10D has no total score (answers on its official version store none): the overall row is each
    # answer's mean of the items, computed from the values (NULL, so left out, when an item is missing).
    n = len(THREE_BY_TEN_ITEMS)
    start_item_mean, follow_item_mean = (sum(befores[1:], befores[0]) / n, sum(afters[1:], afters[0]) / n)
    both = and_(start_item_mean.is_not(None), follow_item_mean.is_not(None))
    columns += [count_where(both).label(f"clients_{n}"),
                func.avg(case((both, start_item_mean))).label(f"start_mean_{n}"),
                func.avg(case((both, follow_item_mean))).label(f"follow_mean_{n}")]
    rows = unpivot(stmt.add_columns(*columns).subquery(), (*THREE_BY_TEN_ITEMS, "overall"),
                   ("clients", "start_mean", "follow_mean"))
    return (select(rows.c.group, rows.c.clients, rows.c.start_mean, rows.c.follow_mean,
                   ratio(rows.c.follow_mean - rows.c.start_mean, rows.c.start_mean).label("change"))
            .order_by(rows.c.position))

def _intensity(filters: Filters) -> Select:
    """Held contacts per client-week while the clients were in the service (inside the period)."""
    last = min(filters.period_end, date.today())
    ends = case((and_(Enrolment.ended_on.is_not(None), Enrolment.ended_on < last), Enrolment.ended_on), else_=last)
    begins = case((Enrolment.start_on > filters.period_start, Enrolment.start_on), else_=filters.period_start)
    per_client = scoped(
        select(Enrolment.id, (days_between(ends, begins) + 1).label("days"), func.count(Contact.id).label("contacts"))
        .select_from(Enrolment).join(Client, Client.id == Enrolment.client_id)
        .outerjoin(Contact, and_(Contact.enrolment_id == Enrolment.id, Contact.status == ContactStatus.HELD,
                                 in_period(Contact.starts_at, filters)))
        .where(Enrolment.start_on <= last,
               or_(Enrolment.ended_on.is_(None), Enrolment.ended_on >= filters.period_start))
        .group_by(Enrolment.id, Enrolment.start_on, Enrolment.ended_on), filters, PROGRAMME).subquery()
    weeks = func.sum(per_client.c.days) / 7.0
    return select(literal("all").label("group"), func.count(per_client.c.id).label("clients"),
                  func.coalesce(func.sum(per_client.c.contacts), 0).label("contacts"),
                  weeks.label("client_weeks"), ratio(func.sum(per_client.c.contacts), weeks).label("per_week"))

def _feedback(filters: Filters) -> Select:
    """Both questions counted in one pass over the answers, then a row per question."""
    questions = ("satisfied", "helped-toward-goals")
    columns = []
    for n, item in enumerate(questions):
        value = Answer.values[item].as_boolean()
        columns += [count_where(value.is_not(None)).label(f"answers_{n}"),
                    count_where(value.is_(True)).label(f"yes_{n}")]
    rows = unpivot(submitted_answers(columns, "written-feedback", filters, PROGRAMME).subquery(), questions,
                   ("answers", "yes"))
    return (select(rows.c.group, rows.c.answers, rows.c.yes, ratio(rows.c.yes, rows.c.answers).label("yes_share"))
            .order_by(rows.c.position))

def _completion(filters: Filters) -> Select:
    within = days_between(Enrolment.ended_on, Enrolment.start_on) <= SIX_MONTHS_DAYS
    ended = func.count(Enrolment.id)
    return scoped(select(literal("all").label("group"), ended.label("ended"), count_if(within).label("within"),
                         ratio(count_if(within), ended).label("within_share"),
                         func.avg(cast(days_between(Enrolment.ended_on, Enrolment.start_on), Float)).label("mean_days"))
                  .select_from(Enrolment).join(Client, Client.id == Enrolment.client_id)
                  .where(Enrolment.ended_on.between(filters.period_start, filters.period_end)), filters, PROGRAMME)

def _item_label(value: str) -> str:
    if value == "overall":
        return str(_l("All items (mean)"))
    return labels.instrument_item("3x10d")(value)

FIGURES = [
    Figure("002-3x10d", PROGRAMME, _l("3X10D: start and six months, per item"), (
        Column("group", _l("Item"), "label"), Column("clients", _l("Clients with both answers")),
        Column("start_mean", _l("Mean at start (0–10)"), "mean", base="clients"),
        Column("follow_mean", _l("Mean at six months or end (0–10)"), "mean", base="clients"),
        Column("change", _l("Change"), "share", base="clients", target=CHANGE_TARGET)), _three_by_ten,
        chart="lines", group_label=_item_label, chart_columns=("start_mean", "follow_mean"),
        note=_l("The follow-up is the answer at six months, or at the end when the service ended earlier; "
                "clients are counted in the period of their follow-up answer.")),
    Figure("002-intensity", PROGRAMME, _l("Contacts per client per week"), (
        Column("group", _l("Group"), "label"), Column("clients", _l("Clients")),
        Column("contacts", _l("Held contacts")), Column("client_weeks", _l("Client-weeks"), "number", base="clients"),
        Column("per_week", _l("Contacts per client per week"), "number", base="clients",
               target=CONTACTS_PER_WEEK_TARGET)), _intensity, chart="none", group_label=labels.all_group,
        note=_l("Counted over the days each client was in the service within the period; the whole service "
                "is the intensive work (at most six months).")),
    Figure("002-feedback", PROGRAMME, _l("Written feedback against the 100 % targets"), (
        Column("group", _l("Question"), "label"), Column("answers", _l("Answers")), Column("yes", _l("Yes")),
        Column("yes_share", _l("Yes, share"), "share", base="answers", target=1.0)), _feedback,
        group_label=labels.instrument_item("written-feedback"), confidential=True),
    Figure("002-completion", PROGRAMME, _l("Services ended within six months"), (
        Column("group", _l("Group"), "label"), Column("ended", _l("Services ended")),
        Column("within", _l("Ended within six months")),
        Column("within_share", _l("Share within six months"), "share", base="ended"),
        Column("mean_days", _l("Mean length (days)"), "mean", base="ended")), _completion, chart="none",
        group_label=labels.all_group),
]

