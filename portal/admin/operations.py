"""Changes the administrator makes to staff accounts."""

from __future__ import annotations

from portal.audit.models import AuditAction
from portal.audit.operations import record
from portal.auth.models import Role, User, UserRole
from portal.extensions import db


class LastAdminError(ValueError):
    """Refused: the organisation would be left without an administrator."""


def set_roles(actor: User, user: User, roles: set[Role], active: bool) -> bool:
    """Replace a staff member's roles and active flag; audited. Returns whether anything changed."""
    if user.has_role(Role.ADMIN) and (Role.ADMIN not in roles or not active) and _admin_count() <= 1:
        raise LastAdminError()
    changed = user.role_set != roles or user.active != active
    if not changed:
        return False
    user.roles = [UserRole(role=role) for role in sorted(roles)]
    user.active = active
    record(actor, AuditAction.UPDATE, "admin", "user", user.id,
           detail={"roles": sorted(r.value for r in roles), "active": active})
    db.session.flush()
    return True


def _admin_count() -> int:
    from sqlalchemy import func, select

    return db.session.scalar(
        select(func.count()).select_from(UserRole).join(User)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))
    )
