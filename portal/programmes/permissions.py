"""Who may change a service's people, hand it over or end it: its coordinator or deputy, or a team lead of
its unit. Its own-team members and the deciding worker read it (people/permissions.py) but do not run it."""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.people.models import UnitMembership
from portal.programmes.models import Enrolment


def can_manage(user: User, enrolment: Enrolment) -> bool:
    if not user.is_staff:
        return False
    if user.id in (enrolment.coordinator_id, enrolment.deputy_id):
        return True
    return user.has_role(Role.TEAM_LEAD) and db.session.scalar(select(UnitMembership.user_id).where(
        UnitMembership.unit_id == enrolment.unit_id, UnitMembership.user_id == user.id)) is not None
