"""Who may see and handle a task: the workers of its enrolment (the plan's rule), not only the contact person,
so a colleague can step in; the task list itself shows each worker only their own."""

from __future__ import annotations

from portal.auth.models import User
from portal.plans import permissions as plan_permissions
from portal.tasks.models import Task


def can_handle(user: User, task: Task) -> bool:
    return plan_permissions.can_work(user, task.enrolment)
