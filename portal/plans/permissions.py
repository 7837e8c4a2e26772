"""Who may read and change a plan. Messages and the team view use the same rule (one place).

A client: only their own enrolments. Staff: the enrolments ``people.permissions`` lets them see (named
coordinator, deputy, own team, team lead of the unit), or a live break-glass grant with a reason.
Changing a plan needs the enrolment active; the continuation plan may also be written in the grace
period after the end.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import exists, or_, select

from portal.auth.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.people.models import Client
from portal.people.permissions import any_visible, enrolments_visible_to
from portal.plans.models import BreakGlass
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember
from portal.web.access import CASEWORK_ROLES


def is_own(user: User, enrolment: Enrolment) -> bool:
    return user.is_client and enrolment.client.user_id == user.id


def works_on(user: User, enrolment: Enrolment) -> bool:
    """Staff named on the enrolment (or leading its unit), within the access period."""
    if not user.has_role(*CASEWORK_ROLES):
        return False
    return any_visible(enrolments_visible_to(user).where(Enrolment.id == enrolment.id))


def has_break_glass(user: User, enrolment: Enrolment) -> bool:
    return user.has_role(*CASEWORK_ROLES) and bool(db.session.scalar(select(exists().where(
        BreakGlass.user_id == user.id, BreakGlass.enrolment_id == enrolment.id, BreakGlass.expires_at > utcnow()))))


def can_read(user: User, enrolment: Enrolment) -> bool:
    return is_own(user, enrolment) or works_on(user, enrolment) or has_break_glass(user, enrolment)


def can_work(user: User, enrolment: Enrolment) -> bool:
    """A worker may change the plan (accept goals, add steps, agree versions…)."""
    return user.is_staff and (works_on(user, enrolment) or has_break_glass(user, enrolment))


def is_active(enrolment: Enrolment) -> bool:
    return enrolment.status is EnrolmentStatus.ACTIVE


def can_see_photo(viewer: User, staff_id: int) -> bool:
    """Staff see each other's photos; a client sees the photos of the people in their active care teams."""
    if viewer.is_staff:
        return True
    if not viewer.is_client:
        return False
    in_team = or_(Enrolment.coordinator_id == staff_id, Enrolment.deputy_id == staff_id, exists().where(
        TeamMember.enrolment_id == Enrolment.id, TeamMember.user_id == staff_id))
    return bool(db.session.scalar(select(exists().where(
        Enrolment.client_id == Client.id, Client.user_id == viewer.id,
        Enrolment.status == EnrolmentStatus.ACTIVE, in_team))))


def client_or_casework(view):
    """Route decorator: clients and case workers only; everyone else is refused before any id is looked up."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not (current_user.is_client or current_user.has_role(*CASEWORK_ROLES)):
            abort(403)
        return view(*args, **kwargs)

    return wrapper
