from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.auth.models import AccountKind, Role, User, UserRole
from portal.extensions import db
from portal.intake.models import HousingServiceType
from portal.people.models import Client, Municipality, OrgUnit, UnitMembership
from portal.programmes.models import Enrolment, EnrolmentStatus
from portal.queues.models import HousingQueue, HousingUnit


def staff() -> list[User]:
    return list(db.session.scalars(select(User).where(User.kind == AccountKind.STAFF).order_by(User.display_name)
                                   .options(selectinload(User.roles))))


def units() -> list[OrgUnit]:
    return list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.county, OrgUnit.name_fi)))


def active_enrolments_by_programme() -> dict[str, int]:
    rows = db.session.execute(
        select(Enrolment.programme_code, func.count()).where(Enrolment.status == EnrolmentStatus.ACTIVE)
        .group_by(Enrolment.programme_code)
    )
    return dict(rows.all())


def client_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Client))


def unit_ids_of(user: User) -> list[int]:
    return list(db.session.scalars(select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)))


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name_fi)))


def staff_with_role(role: Role) -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True)).order_by(User.display_name)))


def housing_units() -> list[HousingUnit]:
    return list(db.session.scalars(select(HousingUnit).order_by(HousingUnit.name)))


def queues_by_type() -> dict[HousingServiceType, HousingQueue]:
    return {q.service_type: q for q in db.session.scalars(select(HousingQueue))}
