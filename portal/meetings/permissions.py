"""Who may record a meeting: the appointment's workers, the client's named workers and their team leads."""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.people.models import UnitMembership
from portal.people.permissions import enrolments_visible_to
from portal.programmes.models import Enrolment
from portal.scheduling.models import Appointment, ParticipantRole

WORKER_ROLES = (ParticipantRole.HOST, ParticipantRole.WORKER)


def can_record(user: User, appointment: Appointment) -> bool:
    """A worker taking part, the enrolment's coordinator or deputy, or a team lead of its unit.

    Always within the client-access rule (people/permissions.py): after the service has ended only for
    its grace period. An own-team member who did not take part may read the client but not record for
    someone else's meeting.
    """
    enrolment = appointment.enrolment
    if enrolment is None or not user.is_staff or not _sees(user, enrolment):
        return False
    if any(p.user_id == user.id and p.role in WORKER_ROLES for p in appointment.participants):
        return True
    if user.id in (enrolment.coordinator_id, enrolment.deputy_id):
        return True
    return user.has_role(Role.TEAM_LEAD) and enrolment.unit_id in _units_of(user)


def _sees(user: User, enrolment: Enrolment) -> bool:
    return db.session.scalar(enrolments_visible_to(user).where(Enrolment.id == enrolment.id)
                             .with_only_columns(Enrolment.id)) is not None


def _units_of(user: User) -> set[int]:
    return set(db.session.scalars(select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)))
