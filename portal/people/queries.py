"""Reads about clients, always through what the reader is allowed to see (people/permissions.py)."""

from __future__ import annotations

from functools import cache

from flask import g, has_request_context
from sqlalchemy import Select, bindparam, exists, func, or_, select, union

from portal.auth.models import AccountKind, User, UserRole
from portal.extensions import db
from portal.people.models import Client, ClientUnit, Municipality, OrgUnit, UnitMembership
from portal.people.permissions import enrolments_visible_to, units_of
from portal.programmes.models import Enrolment


def visible_clients(user: User) -> Select:
    """Clients a staff member may see (nobody else's), by name."""
    ids = enrolments_visible_to(user).with_only_columns(Enrolment.client_id)
    return select(Client).where(Client.id.in_(ids)).order_by(Client.last_name, Client.first_name)


def client_of_user(user: User) -> Client | None:
    """The client record behind a client's own account.

    Kept for the rest of the request once found: a client's page asks from several places (the home page
    three times), and the record does not move to another account mid-request."""
    kept = g.get("client_of_user") if has_request_context() else None
    if kept is not None and kept[0] == user.id:
        return kept[1]
    client = db.session.scalar(_client_of_user(), {"user_id": user.id})
    if client is not None:
        keep_client_of_user(user, client)
    return client


def keep_client_of_user(user: User, client: Client | None) -> None:
    """Keep ``client`` as ``user``'s for the rest of the request (the session's own statement finds it)."""
    if has_request_context():
        g.client_of_user = (user.id, client)


@cache
def _client_of_user() -> Select:
    """Built once per process (nearly every client page asks it): building a statement costs more CPU than the
    database's answer (bench/pages.py)."""
    return select(Client).where(Client.user_id == bindparam("user_id"))


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


def units_of_worker(user: User) -> list[OrgUnit]:
    """The units a staff member works in, by name: where they may register clients."""
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(units_of(user))).order_by(OrgUnit.name_fi)))


def registered_clients(user: User, search: str = "", limit: int = 50) -> list[Client]:
    """Clients of the user's units and of the services they work on, by name; ``search`` narrows by name."""
    ids = union(enrolments_visible_to(user).with_only_columns(Enrolment.client_id),
                select(ClientUnit.client_id).where(ClientUnit.unit_id.in_(units_of(user))))
    query = select(Client).where(Client.id.in_(ids))  # one IN over a UNION plans better than OR of two
    for word in search.lower().split()[:4]:  # every word in the first or the last name; % and _ are literal
        query = query.where(or_(func.lower(Client.first_name).contains(word, autoescape=True),
                                func.lower(Client.last_name).contains(word, autoescape=True)))
    return list(db.session.scalars(query.order_by(Client.last_name, Client.first_name, Client.id).limit(limit)))


def client_by_identity_hash(digest: str) -> Client | None:
    return db.session.scalar(select(Client).where(Client.identity_hash == digest))


def possible_duplicates(first_name: str, last_name: str, birth_year: int, digest: str | None) -> list[Client]:
    """Clients who may be the person being registered, across the organisation.

    The identity code decides when known (the one client with it); else the same name (any case) and
    birth year, leaving out clients whose known code differs (certainly someone else).
    """
    if digest is not None and (same := client_by_identity_hash(digest)) is not None:
        return [same]
    query = select(Client).where(
        func.lower(Client.first_name) == first_name.strip().lower(),
        func.lower(Client.last_name) == last_name.strip().lower(),
        Client.birth_year == birth_year,
    )
    if digest is not None:
        query = query.where(Client.identity_hash.is_(None))
    return list(db.session.scalars(query.order_by(Client.id).limit(10)))
