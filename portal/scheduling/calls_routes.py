"""Call slots: the worker's own phone-call times (publish, withdraw) and taking one for a client."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.scheduling import bp, calls, hours_forms, queries
from portal.scheduling.models import CallSlot
from portal.scheduling.routes import _load_enrolment  # the booking page's loader (404, 403); imported at its end
from portal.scheduling.rules import BookingError
from portal.scheduling.timeutil import local_date
from portal.web.access import CASEWORK_ROLES, staff_required
from portal.web.templating import long_datetime


@bp.route("/calls", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def call_slots():
    form = hours_forms.CallSlotsForm()
    if not form.is_submitted():
        return _slots_page(form)
    if not form.validate():
        return _slots_page(form, 400)
    try:
        slots = calls.publish(current_user, form.day.data, form.start.data, form.end.data, form.minutes.data)
    except BookingError as exc:
        form.form_errors.append(str(exc))
        return _slots_page(form, 400)
    flash(_("Call slots published: %(count)s.", count=len(slots)), "success")
    return redirect(url_for(".call_slots"))


@bp.route("/calls/<int:slot_id>/remove", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def remove_call_slot(slot_id: int):
    slot = db.get_or_404(CallSlot, slot_id)
    if slot.user_id != current_user.id:
        abort(403)
    try:
        calls.remove(current_user, slot)
        flash(_("The call slot was removed."), "success")
    except BookingError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".call_slots"))


@bp.route("/calls/<int:slot_id>/take/<int:enrolment_id>", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def take_call_slot(slot_id: int, enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    slot = db.get_or_404(CallSlot, slot_id)
    if slot.user_id not in {u.id for u in queries.call_slot_workers(enrolment, current_user)}:
        abort(403)
    try:
        appointment = calls.take(current_user, slot, enrolment)
    except BookingError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".book", enrolment_id=enrolment.id))
    flash(_("The phone call was booked: %(when)s.", when=long_datetime(appointment.starts_at)), "success")
    return redirect(url_for(".index", date=local_date(appointment.starts_at).isoformat()))


def _slots_page(form: hours_forms.CallSlotsForm, status: int = 200):
    return render_template("scheduling/calls.html", form=form, slots=calls.own_slots(current_user, utcnow())), status
