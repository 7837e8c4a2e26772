"""Reads about clients, always through what the reader is allowed to see (people/permissions.py)."""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from portal.auth.models import AccountKind, User, UserRole
from portal.extensions import db
from portal.people.models import Client, Municipality, UnitMembership
from portal.people.permissions import enrolments_visible_to
from portal.programmes.models import Enrolment


def visible_clients(user: User) -> Select:
    """Clients a staff member may see (nobody else's), by name."""
    ids = enrolments_visible_to(user).with_only_columns(Enrolment.client_id)
    return select(Client).where(Client.id.in_(ids)).order_by(Client.last_name, Client.first_name)


def client_of_user(user: User) -> Client | None:
    """The client record behind a client's own account."""
    return db.session.scalar(select(Client).where(Client.user_id == user.id))


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name_fi)))


def unit_caseworkers(unit_id: int) -> list[User]:
    """The unit's active case workers (worker, care coordinator, team lead), by name, in one query."""
    from portal.web.access import CASEWORK_ROLES

    return list(db.session.scalars(
        select(User).join(UnitMembership, UnitMembership.user_id == User.id)
        .where(UnitMembership.unit_id == unit_id, User.kind == AccountKind.STAFF, User.active,
               exists().where(UserRole.user_id == User.id, UserRole.role.in_(CASEWORK_ROLES)))
        .order_by(User.display_name, User.id)
    ))
