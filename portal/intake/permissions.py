"""Who may see and act on intake items, assessments, agendas and decisions.

Case workers (worker, care coordinator, team lead) see an open contact of a municipality their unit serves,
and everything of a registered application through ``enrolments_visible_to``. The queue coordinator and
housing-unit users never see assessments (they are not case workers). The service-unit manager chairs SAP:
they read the agenda of their unit's meetings (with the assessments' summaries) and its decisions, nothing
more. A referrer makes §35 notifications but does not read them back. Clients see only their own application
and signed decisions.
"""

from __future__ import annotations

from portal.auth.models import User
from portal.extensions import db
from portal.intake import queries
from portal.intake.models import Assessment, Decision, DecisionMeeting, IntakeItem, IntakeStatus
from portal.people.permissions import any_visible, enrolments_visible_to
from portal.programmes.models import Enrolment
from portal.web.access import CASEWORK_ROLES


def works_on(user: User, enrolment_id: int) -> bool:
    if not user.has_role(*CASEWORK_ROLES):
        return False
    return any_visible(enrolments_visible_to(user).where(Enrolment.id == enrolment_id))


def can_see_item(user: User, item: IntakeItem) -> bool:
    if not user.has_role(*CASEWORK_ROLES) or item.status is IntakeStatus.draft:
        return False
    if item.enrolment_id is not None:
        return works_on(user, item.enrolment_id)
    return item.municipality_code in set(db.session.scalars(queries.served_municipalities(user)))


def can_see_assessment(user: User, assessment: Assessment) -> bool:
    return works_on(user, assessment.enrolment_id)


def can_see_decision(user: User, decision: Decision) -> bool:
    """The client sees their own decision once signed; case workers of the enrolment see drafts too, and so
    does the service-unit manager of the unit whose SAP meeting made it."""
    if user.is_client:
        return decision.signed and decision.enrolment.client.user_id == user.id
    if decision.meeting_item is not None and queries.manages_unit(user, decision.meeting_item.meeting.unit_id):
        return True
    return works_on(user, decision.enrolment_id)


def can_see_meeting(user: User, meeting: DecisionMeeting) -> bool:
    """The members of the meeting's unit who sit in SAP: its service-unit managers and case workers."""
    return user.has_role(*queries.SAP_ROLES) and queries.is_member(user, meeting.unit_id)
