"""Who may see a client: the one place the rule lives.

Staff see a client through an enrolment where they are the named care coordinator, the deputy or an
own-team member, or as team lead of the enrolment's unit — while the enrolment is active and for
``ACCESS_AFTER_END_DAYS`` after it ends (to finish the records). Clients see only themselves.
Administrators manage the service but do not read client records.

The workers of a unit that registered a client (``client_units``) see the client's identity and contact
details — to find them and start a service — but not their care records: ``can_see_registration``
guards those pages only, ``can_see_client`` everything else.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache, lru_cache

from flask import current_app
from sqlalchemy import Select, bindparam, exists, or_, select, union
from sqlalchemy.orm import contains_eager

from portal.auth.models import Role, User
from portal.extensions import db
from portal.people.models import Client, ClientUnit, UnitMembership
from portal.programmes.models import Enrolment, EnrolmentStatus, TeamMember


def ended_since(today: date) -> date:
    """An enrolment that ended on or after this day is still visible (ACCESS_AFTER_END_DAYS)."""
    return today - timedelta(days=current_app.config["ACCESS_AFTER_END_DAYS"])


def enrolments_visible_to(user: User, today: date | None = None) -> Select:
    """The enrolments a staff member works on, as a query to refine.

    The ways in are a UNION of index lookups (one per role), not one OR: PostgreSQL cannot use an index
    for an OR that holds an EXISTS, so at county scale (120 000 enrolments) the OR read the whole table
    for every caseload and access check, and its estimated cost switched JIT compilation on (2 s).
    """
    return _visible(user.id, user.has_role(Role.TEAM_LEAD), ended_since(today or date.today()))


@lru_cache(maxsize=1024)
def _visible(user_id: int, team_lead: bool, since: date) -> Select:
    """The same statement for the same user and day, built once: statements do not change once built (each
    refinement makes a new one), and building this one cost more CPU than running it (bench/pages.py)."""
    return visible_statement(user_id, team_lead, since)


def visible_statement(user_id, team_lead: bool, since) -> Select:
    """enrolments_visible_to's statement; ``user_id`` and ``since`` are values or bind parameters (for a
    statement built once per process and run with the user's values)."""
    ways = [_ids_where(Enrolment.coordinator_id == user_id), _ids_where(Enrolment.deputy_id == user_id),
            _ids_where(Enrolment.decided_by_id == user_id),  # the decision maker (seed 002) keeps read access
            select(TeamMember.enrolment_id).where(TeamMember.user_id == user_id)]
    if team_lead:
        led_units = select(UnitMembership.unit_id).where(UnitMembership.user_id == user_id)
        ways.append(_ids_where(Enrolment.unit_id.in_(led_units)))
    return select(Enrolment).where(Enrolment.id.in_(union(*ways)),
                                   or_(Enrolment.status == EnrolmentStatus.ACTIVE, Enrolment.ended_on >= since))


def visible_parameters(user: User, today: date | None = None) -> tuple[bool, dict]:
    """For a statement built once per process on ``visible_statement(bindparam("user_id"), team_lead,
    bindparam("since"))``: which of its two variants the user needs (team lead or not), and the parameters that
    make it theirs today."""
    return user.has_role(Role.TEAM_LEAD), {"user_id": user.id, "since": ended_since(today or date.today())}


def active_with_clients(user: User, today: date | None = None) -> list[Enrolment]:
    """The active enrolments the staff member works on, their clients loaded, by the client's name: the lists to
    book for (the calendar) or start a video meeting with (the video page)."""
    team_lead, params = visible_parameters(user, today)
    return list(db.session.scalars(_active_with_clients(team_lead), params).unique())


@cache
def _active_with_clients(team_lead: bool) -> Select:
    """Built once per process (per visibility rule) with the user and the day as parameters: the calendar and
    the video page run it on every visit."""
    return (visible_statement(bindparam("user_id"), team_lead, bindparam("since"))
            .where(Enrolment.status == EnrolmentStatus.ACTIVE)
            .join(Client, Client.id == Enrolment.client_id).options(contains_eager(Enrolment.client))  # one join
            .order_by(Client.last_name, Client.first_name, Enrolment.id))


def _ids_where(condition) -> Select:
    # Its own FROM enrolments: uncorrelated, or the outer query's enrolments would be taken for it.
    # (An aliased() entity per way cost more CPU than the whole query.)
    return select(Enrolment.id).where(condition).correlate(None)


def can_see_client(user: User, client_id: int) -> bool:
    if not user.is_staff:
        return False
    return any_visible(enrolments_visible_to(user).where(Enrolment.client_id == client_id))


def any_visible(visible: Select) -> bool:
    """Whether a refined ``enrolments_visible_to`` query finds anything (one EXISTS of its ids).

    The ids only: a subquery of whole enrolment rows made SQLAlchemy build a proxy of every column on each
    access check (~0.3 ms of CPU, on every page that checks one)."""
    return bool(db.session.scalar(select(visible.with_only_columns(Enrolment.id).exists())))


def units_of(user: User) -> Select:
    """The ids of the units a staff member works in, as a subquery."""
    return select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)


def can_see_registration(user: User, client_id: int) -> bool:
    """The client's identity and contact details: a worker of a unit the client is registered in, or anyone
    who may see the client's records."""
    if not user.is_staff:
        return False
    in_unit = exists().where(ClientUnit.client_id == client_id, ClientUnit.unit_id.in_(units_of(user)))
    return bool(db.session.scalar(select(in_unit))) or can_see_client(user, client_id)
