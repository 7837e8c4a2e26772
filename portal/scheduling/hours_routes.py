"""The worker's own working hours and absences: each case worker edits only their own."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.scheduling import bp, hours, hours_forms
from portal.scheduling.models import Absence
from portal.web.access import CASEWORK_ROLES, staff_required


@bp.route("/hours", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def working_hours():
    if request.method == "GET":
        return _hours_page(hours_forms.HoursForm(hours.effective_week(current_user)[0]))
    form = hours_forms.HoursForm()
    if not form.validate():
        return _hours_page(form, 400)
    try:
        hours.set_working_hours(current_user, current_user, form.rows)
    except hours.HoursError as exc:
        form.refuse(exc)
        return _hours_page(form, 400)
    flash(_("Your working hours were saved."), "success")
    return redirect(url_for(".working_hours"))


@bp.route("/absences", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def absences():
    form = hours_forms.AbsenceForm()
    if not form.is_submitted():
        return _absences_page(form)
    if not form.validate():
        return _absences_page(form, 400)
    try:
        _absence, covered = hours.add_absence(current_user, current_user, form.first_day, form.last_day,
                                              form.reason.data)
    except hours.HoursError as exc:
        form.refuse(exc)
        return _absences_page(form, 400)
    flash(_("The absence was added."), "success")
    if covered:
        flash(_("The absence covers booked appointments (%(count)s). They are listed with the absence: move or "
                "cancel them.", count=len(covered)), "info")
    return redirect(url_for(".absences"))


@bp.route("/absences/<int:absence_id>/remove", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def remove_absence(absence_id: int):
    absence = db.get_or_404(Absence, absence_id)
    if absence.user_id != current_user.id:
        abort(403)
    hours.remove_absence(current_user, absence)
    flash(_("The absence was removed."), "success")
    return redirect(url_for(".absences"))


def _hours_page(form: hours_forms.HoursForm, status: int = 200):
    uses_default = not hours.week_of(current_user)
    return render_template("scheduling/hours.html", form=form, uses_default=uses_default), status


def _absences_page(form: hours_forms.AbsenceForm, status: int = 200):
    upcoming = hours.upcoming_absences(current_user, utcnow())
    return render_template("scheduling/absences.html", form=form, upcoming=upcoming), status
