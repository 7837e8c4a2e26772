from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.admin import bp, queries
from portal.admin.forms import RolesForm
from portal.admin.operations import LastAdminError, set_roles
from portal.auth.models import Role, User
from portal.extensions import db
from portal.i18n import _
from portal.programmes import registry
from portal.web.access import staff_required


@bp.route("")
@staff_required(Role.ADMIN)
def index():
    return render_template("admin/index.html", programmes=registry.all_definitions(),
                           active=queries.active_enrolments_by_programme(), clients=queries.client_count(),
                           units=queries.units())


@bp.route("/programmes/<code>")
@staff_required(Role.ADMIN)
def programme(code: str):
    definition = registry.definition(code)
    if definition is None:
        abort(404)
    return render_template("admin/programme.html", programme=definition)


@bp.route("/users")
@staff_required(Role.ADMIN)
def users():
    return render_template("admin/users.html", users=queries.staff())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def user(user_id: int):
    user = db.get_or_404(User, user_id)
    if not user.is_staff:
        abort(404)
    form = RolesForm(data={"roles": [r.value for r in user.role_set], "active": user.active})
    if form.validate_on_submit():
        try:
            changed = set_roles(current_user, user, {Role(r) for r in form.roles.data}, form.active.data)
        except LastAdminError:
            form.roles.errors.append(_("The organisation must keep at least one administrator."))
        else:
            flash(_("The account was saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user.html", form=form, user=user), 400 if form.errors else 200
