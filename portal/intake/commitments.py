"""The worker's SAP agenda slots as busy time in their own calendar (scheduling.commitments).

The client does not attend the decision meeting (seed 001: the worker presents the assessment), so a slot is
an agenda row, not an appointment; but the minutes are the worker's, from the item's planned start (the
meeting's start plus the estimates before it) for its estimate. No client is named: colleagues see calendars.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from flask import has_request_context, url_for
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.i18n import _
from portal.intake.models import DecisionMeeting, DecisionMeetingItem
from portal.scheduling.commitments import Commitment

LONGEST_MEETING = timedelta(hours=8)  # a meeting starting this much before the window cannot reach into it


def sap_slots(user_ids: Sequence[int], start: datetime, end: datetime) -> list[Commitment]:
    """The agenda slots of these workers in meetings that may overlap [start, end): one query with its items."""
    meetings = db.session.scalars(_statement(), {"user_ids": list(user_ids), "end": end,
                                                 "earliest": start - LONGEST_MEETING})
    found = []
    for meeting in meetings:
        at = meeting.starts_at
        for item in meeting.items:  # in agenda order (the relationship's order_by)
            until = at + timedelta(minutes=item.estimated_minutes)
            if item.worker_id in user_ids:
                url = url_for("intake.meeting", meeting_id=meeting.id) if has_request_context() else None
                found.append(Commitment(item.worker_id, at, until, _("Decision meeting (SAP): agenda slot"), url))
            at = until
    return found


@cache
def _statement() -> Select:
    """sap_slots' statement, built once per process (parameters user_ids, end and earliest): every calendar
    page runs it, and building it cost more CPU than running it."""
    return (select(DecisionMeeting)
            .where(DecisionMeeting.starts_at < bindparam("end"), DecisionMeeting.starts_at > bindparam("earliest"),
                   select(DecisionMeetingItem.id).where(
                       DecisionMeetingItem.meeting_id == DecisionMeeting.id,
                       DecisionMeetingItem.worker_id.in_(bindparam("user_ids", expanding=True))).exists())
            .options(selectinload(DecisionMeeting.items)))
