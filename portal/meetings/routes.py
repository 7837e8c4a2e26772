"""Recording a meeting, and the list of meetings still to record."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.audit.operations import record_read
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.meetings import bp, forms, operations, permissions, queries
from portal.programmes.routes import offer_to_close
from portal.scheduling.models import Appointment
from portal.web.access import CASEWORK_ROLES, staff_required


@bp.app_context_processor
def _record_links() -> dict:
    """For the calendar and caseload pages: callables, so nothing is queried unless a template asks."""

    def record_link(appointment: Appointment) -> tuple[str, str] | None:
        """The record page's address and the link's text, for an appointment that has or needs a record."""
        if queries.record_due(appointment, utcnow()):
            text = _("Record the meeting")
        elif queries.record_editable(appointment):
            text = _("Correct the record")
        else:
            return None
        return url_for("meetings.record", appointment_id=appointment.id), text

    def to_record_count() -> int:
        return queries.pending_count(current_user, utcnow()) if current_user.is_authenticated else 0

    return {"meeting_record_link": record_link, "meetings_to_record": to_record_count}


@bp.route("/appointments/<int:appointment_id>/record", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def record(appointment_id: int):
    appointment = _load(appointment_id)
    contact, call = operations.contact_of(appointment), queries.call_of(appointment.id)
    form = forms.RecordForm(operations.allowed_modalities(appointment),
                            operations.support_types_of(appointment.programme_code), str(get_locale()),
                            queries.prefill(appointment, contact, call),
                            outcomes=operations.records_outcome(appointment.programme_code))
    if contact is not None:
        form.fill_record(contact)
    if not form.is_submitted():
        record_read(current_user, "meetings", "appointment", appointment.id, appointment.enrolment.client_id)
        return _page(form, appointment, contact, call)
    try:
        if not form.validate():
            return _page(form, appointment, contact, call, 400)
        recorded = operations.record_meeting(current_user, appointment,
                                             form.contact_record((appointment.starts_at, appointment.ends_at)))
    except operations.RecordError as exc:
        form.refuse(exc)
        return _page(form, appointment, contact, call, 400)
    flash(_("The meeting was recorded."), "success")
    served = recorded.outcome is not None and recorded.outcome.value == "served"
    return offer_to_close(appointment.enrolment, served) or redirect(url_for(".pending"))


@bp.route("/to-record")
@staff_required(*CASEWORK_ROLES)
def pending():
    rows = queries.pending(current_user, utcnow())
    for appointment in rows:
        record_read(current_user, "meetings", "appointment", appointment.id, appointment.enrolment.client_id)
    return render_template("meetings/pending.html", rows=rows, limit=queries.PENDING_LIMIT)


def _load(appointment_id: int) -> Appointment:
    """404 for an unknown appointment or a group session (recorded as attendance), 403 for someone else's."""
    appointment = db.get_or_404(Appointment, appointment_id)
    if appointment.enrolment_id is None:
        abort(404)
    if not permissions.can_record(current_user, appointment):
        abort(403)
    return appointment


def _page(form: forms.RecordForm, appointment: Appointment, contact, call, status: int = 200):
    return render_template("meetings/record.html", form=form, appointment=appointment, contact=contact, call=call,
                           client=appointment.enrolment.client, started=appointment.starts_at <= utcnow()), status
