"""Who may see and act on queues, housing units, vacancies and a client's queue status.

- Queue coordinators (role) see every queue: the queues are kept centrally for all ten municipalities.
  Acting on a queue (offering, recording answers, priorities) is for its named coordinator, or for the
  named deputy while the coordinator is away (an absence in scheduling covers now). A queue with no
  named coordinator may be kept by any queue coordinator.
- Housing-unit staff see only the units they are linked to: vacancies, and of placed clients the name
  and start date — never assessments, decisions or the queue.
- Case workers see the queue status of the clients they work with (``plans.permissions.works_on``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select

from portal.auth.models import Role, User
from portal.db import utcnow
from portal.extensions import db
from portal.plans.permissions import works_on
from portal.programmes.models import Enrolment
from portal.queues.models import HousingQueue, HousingUnit, housing_unit_staff
from portal.scheduling.models import Absence


def sees_queues(user: User) -> bool:
    return user.has_role(Role.QUEUE_COORDINATOR)


def is_away(user_id: int, now: datetime) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Absence.user_id == user_id, Absence.starts_at <= now, Absence.ends_at > now))))


def keeps(user: User, queue: HousingQueue, now: datetime | None = None) -> bool:
    """The queue's coordinator, or its deputy while the coordinator is away."""
    if not sees_queues(user):
        return False
    if queue.coordinator_id is None or user.id == queue.coordinator_id:
        return True
    return user.id == queue.deputy_id and is_away(queue.coordinator_id, now or utcnow())


def unit_ids_of(user: User) -> set[int]:
    return set(db.session.scalars(select(housing_unit_staff.c.unit_id).where(housing_unit_staff.c.user_id == user.id)))


def is_unit_staff(user: User, unit: HousingUnit) -> bool:
    return user.has_role(Role.HOUSING_UNIT) and unit.id in unit_ids_of(user)


def sees_unit(user: User, unit: HousingUnit) -> bool:
    return sees_queues(user) or is_unit_staff(user, unit)


def sees_client_status(user: User, enrolment: Enrolment) -> bool:
    return sees_queues(user) or works_on(user, enrolment)
