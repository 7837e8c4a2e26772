"""Reads for the lifecycle pages: whom a service can name, where a worker can start one, its handovers."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import Select, bindparam, select

from portal.auth.models import User, UserRole
from portal.db import utcnow
from portal.extensions import db
from portal.people.models import OrgUnit, UnitMembership
from portal.programmes import registry
from portal.programmes.models import Enrolment, EnrolmentStatus, Transfer
from portal.programmes.operations import CASE_ROLES

RECENT_TRANSFER_DAYS = 30  # how long the client's page says "your new contact person"


def _case_workers():
    return (select(User).where(User.active.is_(True), User.id.in_(
        select(UserRole.user_id).where(UserRole.role.in_(CASE_ROLES)))).order_by(User.display_name))


def units_of(user: User) -> list[OrgUnit]:
    """The units a worker can start services in: the ones they work in."""
    return list(db.session.scalars(select(OrgUnit).join(UnitMembership, UnitMembership.unit_id == OrgUnit.id)
                                   .where(UnitMembership.user_id == user.id).order_by(OrgUnit.name_fi)))


def workers_of(unit_ids: list[int]) -> list[User]:
    """Active case workers of these units: who can coordinate or deputise there."""
    members = select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(unit_ids))
    return list(db.session.scalars(_case_workers().where(User.id.in_(members))))


def case_workers() -> list[User]:
    """Every active case worker: an own team and a decision maker may come from any unit."""
    return list(db.session.scalars(_case_workers()))


def transfers_of(enrolment: Enrolment) -> list[Transfer]:
    return list(db.session.scalars(select(Transfer).where(Transfer.enrolment_id == enrolment.id)
                                   .order_by(Transfer.created_at.desc())))


def recent_transfer(enrolment: Enrolment, days: int = RECENT_TRANSFER_DAYS) -> Transfer | None:
    """The newest handover of the last ``days`` days of an ongoing service."""
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        return None
    return db.session.scalars(_recent_transfer(), {"enrolment_id": enrolment.id,
                                                   "since": utcnow() - timedelta(days=days)}).first()


@cache
def _recent_transfer() -> Select:
    """recent_transfer's statement, built once per process: the client's home page runs it for every service."""
    return (select(Transfer).where(Transfer.enrolment_id == bindparam("enrolment_id"),
                                   Transfer.created_at >= bindparam("since"))
            .order_by(Transfer.created_at.desc()).limit(1))


def single_contact_reason(enrolment: Enrolment) -> str | None:
    """The end reason a "served in this contact" record offers (seed 004), if the service is ongoing."""
    definition = registry.definition(enrolment.programme_code)
    if definition is None or enrolment.status is not EnrolmentStatus.ACTIVE:
        return None
    return definition.end.single_contact_reason
