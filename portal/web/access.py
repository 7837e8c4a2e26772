"""Route decorators for who may enter; object-level checks live in each feature's permissions.py."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.auth.models import Role

CASEWORK_ROLES = (Role.WORKER, Role.CARE_COORDINATOR, Role.TEAM_LEAD)


def staff_required(*roles: Role):
    """Signed-in staff holding at least one of ``roles`` (any staff when none are given)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.is_staff or (roles and not current_user.has_role(*roles)):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def client_required(view):
    """A signed-in client (the client's own pages)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_client:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def get_permitted(model, object_id: int, allowed):
    """The row, or 404 when it does not exist and 403 when ``allowed(current_user, row)`` says no."""
    from portal.extensions import db

    row = db.get_or_404(model, object_id)
    if not allowed(current_user, row):
        abort(403)
    return row
