"""Statements the programmes' figures start from: held contacts and submitted answers in the period."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, Subquery, case, literal, select, true, union_all

from portal.measures.models import Answer, AnswerStatus
from portal.meetings.models import Contact, ContactStatus
from portal.people.models import Client
from portal.programmes.models import Enrolment
from portal.reports.queries import Filters, in_period, scoped


def held_contacts(columns, filters: Filters, programme: str) -> Select:
    """Held contacts in the period, joined to their enrolment and client and scoped by the filters."""
    stmt = (select(*columns).select_from(Contact).join(Enrolment, Enrolment.id == Contact.enrolment_id)
            .join(Client, Client.id == Enrolment.client_id)
            .where(Contact.status == ContactStatus.HELD, in_period(Contact.starts_at, filters)))
    return scoped(stmt, filters, programme)


def submitted_answers(columns, instrument: str, filters: Filters, programme: str) -> Select:
    """Submitted answers of one instrument answered in the period, scoped by the filters."""
    stmt = (select(*columns).select_from(Answer).join(Enrolment, Enrolment.id == Answer.enrolment_id)
            .join(Client, Client.id == Enrolment.client_id)
            .where(Answer.instrument_code == instrument, Answer.status == AnswerStatus.SUBMITTED,
                   in_period(Answer.answered_on, filters)))
    return scoped(stmt, filters, programme)


def unpivot(wide: Subquery, groups: Sequence[str], columns: Sequence[str]) -> Subquery:
    """One row per group from a one-row aggregate whose columns are named ``{column}_{position}``.

    A figure with a row per fixed group (support types, 3X10D items) counts every group in ONE pass over
    its rows; a UNION ALL branch per group read the rows once per group (9–11 scans at county scale).
    The result has ``group``, ``position`` (for ORDER BY: the groups' order) and ``columns``.
    """
    keys = union_all(*[select(literal(group).label("group"), literal(n).label("position"))
                       for n, group in enumerate(groups)]).subquery()
    picked = [case(*[(keys.c.position == n, wide.c[f"{column}_{n}"]) for n in range(len(groups))]).label(column)
              for column in columns]
    return select(keys.c.group, keys.c.position, *picked).select_from(keys).join(wide, true()).subquery()
