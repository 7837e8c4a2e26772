"""Statements the programmes' figures start from: held contacts and submitted answers in the period."""

from __future__ import annotations

from sqlalchemy import Select, select

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
