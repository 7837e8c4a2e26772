"""Reads about clients, always through what the reader is allowed to see."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Select, and_, exists, or_, select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.people.models import Client, UnitMembership
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember


def _recent_enough(today: date):
    """Enrolments that still give their workers access: active, or ended within the grace period."""
    grace = timedelta(days=current_app.config["ACCESS_AFTER_END_DAYS"])
    return or_(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.ended_on >= today - grace)


def enrolments_visible_to(user: User, today: date | None = None) -> Select:
    """Enrolments a staff member works on: named coordinator or deputy, own-team member, or team lead of the unit."""
    today = today or date.today()
    named = or_(
        Enrolment.coordinator_id == user.id,
        Enrolment.deputy_id == user.id,
        exists().where(TeamMember.enrolment_id == Enrolment.id, TeamMember.user_id == user.id),
    )
    if user.has_role(Role.TEAM_LEAD):
        led_units = select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)
        named = or_(named, Enrolment.unit_id.in_(led_units))
    return select(Enrolment).where(and_(named, _recent_enough(today)))


def visible_clients(user: User) -> Select:
    """Clients a staff member may see (nobody else's), by name."""
    ids = enrolments_visible_to(user).with_only_columns(Enrolment.client_id)
    return select(Client).where(Client.id.in_(ids)).order_by(Client.last_name, Client.first_name)


def can_see_client(user: User, client_id: int) -> bool:
    if not user.is_staff:
        return False
    visible = enrolments_visible_to(user).where(Enrolment.client_id == client_id)
    return db.session.scalar(select(exists(visible.subquery().select()))) or False


def client_of_user(user: User) -> Client | None:
    return db.session.scalar(select(Client).where(Client.user_id == user.id))
