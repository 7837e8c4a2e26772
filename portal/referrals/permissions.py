"""Who may see and handle a referral: the one place the rule lives.

A referrer sees only the referrals and consultations they sent, and of them only the status and the
answer — never the client's record, notes or contacts. Health social workers (case-work roles) see the
inbox of the units they are members of, and handle what is in it.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.people.models import UnitMembership
from portal.people.permissions import enrolments_visible_to
from portal.programmes.models import Enrolment
from portal.referrals.models import Referral
from portal.web.access import CASEWORK_ROLES


def units_of(user: User) -> set[int]:
    return set(db.session.scalars(select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id)))


def is_sender(user: User, referral: Referral) -> bool:
    return user.has_role(Role.REFERRER) and referral.referrer_id == user.id


def can_handle(user: User, referral: Referral) -> bool:
    """A case worker in the unit the referral was sent to."""
    return user.has_role(*CASEWORK_ROLES) and referral.unit_id in units_of(user)


def can_view(user: User, referral: Referral) -> bool:
    return is_sender(user, referral) or can_handle(user, referral)


def can_log_contact(user: User, enrolment: Enrolment) -> bool:
    """A case worker who may see the enrolment (named on it, or leading its unit)."""
    if not user.has_role(*CASEWORK_ROLES):
        return False
    visible = enrolments_visible_to(user).where(Enrolment.id == enrolment.id).with_only_columns(Enrolment.id)
    return db.session.scalar(visible) is not None
