"""Who may read and write a thread: the plan's rule (the enrolment's client, its workers, break-glass)."""

from __future__ import annotations

from portal.auth.models import User
from portal.messages.models import Thread
from portal.plans import permissions as plan_permissions
from portal.programmes.models import Enrolment


def can_read(user: User, thread: Thread) -> bool:
    return plan_permissions.can_read(user, thread.enrolment)


def can_write(user: User, enrolment: Enrolment) -> bool:
    """Read access is enough to write; whether the enrolment is still open is an operation's rule."""
    return plan_permissions.can_read(user, enrolment)
