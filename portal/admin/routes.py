from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.admin import bp, queries
from portal.admin.forms import StaffForm
from portal.admin.operations import (
    LastAdminError,
    StaffDetails,
    StaffRefused,
    create_staff,
    deactivate,
    reactivate,
    resend_invitation,
    reset_two_step,
    update_staff,
)
from portal.auth.models import JobTitle, Role, User
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


@bp.route("/users/new", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def new_user():
    form = _staff_form()
    if form.validate_on_submit():
        try:
            user = create_staff(current_user, _details(form))
        except StaffRefused as refused:
            refused.show_on(form, "display_name")
        else:
            flash(_("The account was created and an invitation was sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None), 400 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def user(user_id: int):
    user = _staff(user_id)
    form = _staff_form(user)
    if form.validate_on_submit():
        try:
            changed = update_staff(current_user, user, _details(form))
        except LastAdminError:
            form.roles.errors.append(_("The organisation must keep at least one administrator."))
        except StaffRefused as refused:
            refused.show_on(form, "display_name")
        else:
            flash(_("The account was saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user), 400 if form.errors else 200


@bp.route("/users/<int:user_id>/<action>", methods=["POST"])
@staff_required(Role.ADMIN)
def user_action(user_id: int, action: str):
    user = _staff(user_id)
    operation, done = _ACTIONS.get(action, (None, None))
    if operation is None:
        abort(404)
    try:
        operation(current_user, user)
    except LastAdminError:
        flash(_("The organisation must keep at least one administrator."), "error")
    except StaffRefused as refused:
        flash(str(refused), "error")
    else:
        flash(done(), "success")
    return redirect(url_for("admin.user", user_id=user.id))


_ACTIONS = {
    "deactivate": (deactivate, lambda: _("The account is no longer in use. Its sessions have ended.")),
    "reactivate": (reactivate, lambda: _("The account is in use again.")),
    "invite": (resend_invitation, lambda: _("A new invitation was sent.")),
    "reset-two-step": (reset_two_step,
                       lambda: _("Two-step verification was reset; it is set up again at the next sign-in.")),
}


def _staff(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not user.is_staff:
        abort(404)
    return user


def _staff_form(user: User | None = None) -> StaffForm:
    data = None
    if user is not None:
        data = {"display_name": user.display_name, "email": user.email, "phone": user.phone,
                "job_title": user.job_title.value if user.job_title else "", "locale": user.locale,
                "roles": [r.value for r in user.role_set], "units": queries.unit_ids_of(user),
                "oidc_only": user.oidc_only}
    form = StaffForm(data=data)
    form.units.choices = [(u.id, u.name(str(get_locale()))) for u in queries.units()]
    return form


def _details(form: StaffForm) -> StaffDetails:
    return StaffDetails(display_name=form.display_name.data, email=form.email.data, phone=form.phone.data,
                        job_title=JobTitle(form.job_title.data), roles={Role(r) for r in form.roles.data},
                        unit_ids=set(form.units.data or ()), locale=form.locale.data, oidc_only=form.oidc_only.data)


# Units, municipalities, housing units and queue keepers add their views to the same blueprint.
from portal.admin import organisation_routes  # noqa: E402,F401
