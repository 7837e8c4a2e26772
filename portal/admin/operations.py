"""Changes the administrator makes to staff accounts: create (with an invitation), edit, deactivate, reactivate.

Every change is audited with field names only (no values: names and addresses stay out of the trail).
Deactivating ends the person's sessions (their rows, portal/auth/session.py) and, through the auth's
``sessions_ended`` signal, their real-time connections and tickets, at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth import tokens
from portal.auth.models import AccountKind, JobTitle, Role, TokenPurpose, User, UserRole
from portal.auth.operations import end_sessions, find_by_email, send_invitation
from portal.auth.totp import disable as disable_totp
from portal.errors import Refusal
from portal.extensions import db
from portal.i18n import _l
from portal.people.models import OrgUnit, UnitMembership

FEATURE = "admin"
CASEWORK = {Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD}


class LastAdminError(ValueError):
    """Refused: the organisation would be left without an administrator."""


class StaffRefused(Refusal):
    """A change the account rules refuse (the shared refusal: translated message, optional form field)."""


@dataclass
class StaffDetails:
    display_name: str
    email: str
    job_title: JobTitle
    roles: set[Role]
    unit_ids: set[int] = field(default_factory=set)
    phone: str | None = None
    locale: str = "fi"
    oidc_only: bool = False


def create_staff(actor: User, details: StaffDetails) -> User:
    """A new staff account with its roles and units; the invitation email is queued. Audited."""
    _check(details, None)
    user = User(kind=AccountKind.STAFF, active=True)
    db.session.add(user)
    _apply(user, details)
    db.session.flush()
    record(actor, AuditAction.CREATE, FEATURE, "user", user.id,
           detail={"roles": sorted(r.value for r in details.roles)})
    send_invitation(actor, user)
    db.session.flush()
    return user


def update_staff(actor: User, user: User, details: StaffDetails) -> list[str]:
    """Change a staff account's details, roles and units; returns the names of the fields changed."""
    _check(details, user)
    if user.has_role(Role.ADMIN) and Role.ADMIN not in details.roles and user.active and _admin_count() <= 1:
        raise LastAdminError()
    before = _snapshot(user)
    _apply(user, details)
    changed = sorted(k for k, v in _snapshot(user).items() if before[k] != v)
    if "email" in changed:
        tokens.revoke(user, TokenPurpose.RESET)  # a reset link sent to the old address stops working
    if "oidc_only" in changed and user.oidc_only:
        user.password_hash = None  # the provider is the only way in now
        end_sessions(user)
        tokens.revoke(user)
    if changed:
        record(actor, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"fields": changed})
        db.session.flush()
    return changed


def deactivate(actor: User, user: User) -> None:
    """Take the account out of use: sessions, links and real-time connections end. Audited."""
    if user.id == actor.id:
        raise StaffRefused(_l("You cannot take your own account out of use."))
    if user.has_role(Role.ADMIN) and _admin_count() <= 1:
        raise LastAdminError()
    if not user.active:
        return
    user.active = False
    end_sessions(user)
    tokens.revoke(user)
    record(actor, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"active": False})
    db.session.flush()


def reactivate(actor: User, user: User) -> None:
    if user.active:
        return
    user.active = True
    record(actor, AuditAction.UPDATE, FEATURE, "user", user.id, detail={"active": True})
    db.session.flush()


def resend_invitation(actor: User, user: User) -> None:
    if not user.active:
        raise StaffRefused(_l("The account is not in use. Take it into use first."))
    send_invitation(actor, user)


def reset_two_step(actor: User, user: User) -> None:
    """A lost phone: TOTP off and every session ended; the person sets it up again at the next sign-in."""
    disable_totp(actor, user)
    end_sessions(user)


def _check(details: StaffDetails, user: User | None) -> None:
    email = details.email.strip().lower()
    other = find_by_email(email)
    if other is not None and (user is None or other.id != user.id):
        raise StaffRefused(_l("Another account already uses this email address."), "email")
    if details.roles & CASEWORK and not details.unit_ids:
        raise StaffRefused(_l("A worker, care coordinator or team lead must belong to at least one unit."), "units")
    if not details.roles:
        raise StaffRefused(_l("Choose at least one role."), "roles")


def _apply(user: User, details: StaffDetails) -> None:
    user.display_name = details.display_name.strip()
    user.email = details.email.strip().lower()
    user.phone = (details.phone or "").strip() or None
    user.job_title = details.job_title
    user.locale = details.locale
    user.oidc_only = details.oidc_only
    if user.role_set != details.roles:
        user.roles = [UserRole(role=role) for role in sorted(details.roles)]
    current = {m.unit_id for m in _memberships(user)}
    for membership in _memberships(user):
        if membership.unit_id not in details.unit_ids:
            db.session.delete(membership)
    for unit_id in sorted(details.unit_ids - current):
        if db.session.get(OrgUnit, unit_id) is None:
            raise StaffRefused(_l("Choose units from the list."), "units")
        db.session.add(UnitMembership(unit_id=unit_id, user=user))


def _memberships(user: User) -> list[UnitMembership]:
    if user.id is None:
        return []
    return list(db.session.scalars(select(UnitMembership).where(UnitMembership.user_id == user.id)))


def _snapshot(user: User) -> dict:
    return {"display_name": user.display_name, "email": user.email, "phone": user.phone, "job_title": user.job_title,
            "locale": user.locale, "oidc_only": user.oidc_only, "roles": user.role_set,
            "units": frozenset(m.unit_id for m in _memberships(user))}


def _admin_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserRole).join(User)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))
    )
