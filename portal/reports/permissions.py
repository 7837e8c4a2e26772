"""Who sees which report, and which part of the data it counts.

Team leads: every programme, for the units they are members of. Workers and care coordinators:
every programme, for their own caseload only. Queue coordinators: the housing report, for the whole
county (they coordinate the county's one queue). Clients, referrers, housing units and admins: none
(admins run the system; they do not follow the clients' work).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.auth.models import Role, User
from portal.extensions import db
from portal.people.models import UnitMembership

HOUSING = "housing-guidance"
REPORT_ROLES = (Role.TEAM_LEAD, Role.WORKER, Role.CARE_COORDINATOR, Role.QUEUE_COORDINATOR)


@dataclass(frozen=True)
class Scope:
    unit_ids: tuple[int, ...] | None  # None: every unit
    worker_id: int | None  # set: only this worker's own caseload


def can_view(user: User, programme: str) -> bool:
    if not user.is_staff:
        return False
    if user.has_role(Role.TEAM_LEAD, Role.WORKER, Role.CARE_COORDINATOR):
        return True
    return programme == HOUSING and user.has_role(Role.QUEUE_COORDINATOR)


def scope_of(user: User, programme: str) -> Scope:
    """The widest part of the data the user may count in this programme's report (check can_view first)."""
    if user.has_role(Role.TEAM_LEAD):
        units = db.session.scalars(select(UnitMembership.unit_id).where(UnitMembership.user_id == user.id))
        return Scope(tuple(sorted(units)), None)
    if programme == HOUSING and user.has_role(Role.QUEUE_COORDINATOR):
        return Scope(None, None)
    return Scope(None, user.id)


def can_read_comments(user: User, scope: Scope) -> bool:
    """The open answers of confidential feedback: a team lead reading their units' report, not a caseload."""
    return scope.worker_id is None and user.has_role(Role.TEAM_LEAD)
