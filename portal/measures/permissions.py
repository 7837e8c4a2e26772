"""Who may answer, enter, correct and read measures: the portal's own rule (people/permissions.py).

A client answers only their own enrolment's questionnaires, while the enrolment is ongoing or its
"at the end" questionnaires are open.
A worker reads, enters and corrects for the clients they may see, except confidential feedback about the
service (the yearly satisfaction survey, written feedback): only the client answers it, and it is read only
in the programme's reports.
"""

from __future__ import annotations

from portal.auth.models import User
from portal.measures import instruments
from portal.measures.schedule import END_KEY, Occurrence
from portal.people.permissions import can_see_client
from portal.people.queries import client_of_user
from portal.programmes.models import Enrolment, EnrolmentStatus


def is_own(user: User, enrolment: Enrolment) -> bool:
    client = client_of_user(user) if user.is_client else None
    return client is not None and client.id == enrolment.client_id


def client_may_answer(user: User, enrolment: Enrolment, occurrence: Occurrence | None = None) -> bool:
    """While the enrolment is ongoing; after it ended, only its "at the end" questionnaires (the answer page
    asks for an open occurrence, which bounds the time)."""
    if not is_own(user, enrolment):
        return False
    if enrolment.status is EnrolmentStatus.ACTIVE:
        return True
    return enrolment.ended_on is not None and (occurrence is None or occurrence.key == END_KEY)


def worker_may_see(user: User, enrolment: Enrolment) -> bool:
    return user.is_staff and can_see_client(user, enrolment.client_id)


def worker_may_handle(instrument_code: str) -> bool:
    """Whether staff may read, enter or correct one client's answers to this instrument: never confidential
    feedback about the service (seeds 000 and 002), which is read only in the programme's reports."""
    return not instruments.is_confidential(instrument_code)
