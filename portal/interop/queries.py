"""Reads for the FHIR directory resources (Practitioner, PractitionerRole, Organization)."""

from __future__ import annotations

from sqlalchemy import exists, select, union

from portal.auth.models import User
from portal.extensions import db
from portal.measures.models import Answer
from portal.people.models import OrgUnit, UnitMembership
from portal.plans.models import Goal, Plan, PlanNote
from portal.programmes.models import Enrolment, TeamMember
from portal.scheduling.models import Participant


def staff_of_client(client_id: int, staff_id: int) -> bool:
    """Whether the staff member appears in something of the client's that the API serves them: an
    appointment, a care team (coordinator, deputy, own team), an answer they entered, a plan's goal or note."""
    enrolments = select(Enrolment.id).where(Enrolment.client_id == client_id)
    plans = select(Plan.id).where(Plan.enrolment_id.in_(enrolments))
    appointments = select(Participant.appointment_id).where(Participant.client_id == client_id)
    related = union(
        select(Participant.user_id).where(Participant.appointment_id.in_(appointments)),
        select(Enrolment.coordinator_id).where(Enrolment.client_id == client_id),
        select(Enrolment.deputy_id).where(Enrolment.client_id == client_id),
        select(TeamMember.user_id).where(TeamMember.enrolment_id.in_(enrolments)),
        select(Answer.entered_by_id).where(Answer.client_id == client_id),
        select(Goal.proposed_by_id).where(Goal.plan_id.in_(plans)),
        select(PlanNote.author_id).where(PlanNote.plan_id.in_(plans)),
    ).subquery()
    return bool(db.session.scalar(select(exists().where(related.c[0] == staff_id))))


def staff_member(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_staff else None


def units_of(user_id: int) -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).join(UnitMembership).where(UnitMembership.user_id == user_id)
                                   .order_by(OrgUnit.id)))


def membership(user_id: int, unit_id: int) -> UnitMembership | None:
    return db.session.get(UnitMembership, (unit_id, user_id))


