"""The client's appointments (/me/appointments…), their calendar file and private feed (/calendar/…)."""

from __future__ import annotations

import hashlib

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from portal.appointments import bp, ical, operations, queries
from portal.appointments.forms import CancelForm, ChangeRequestForm
from portal.appointments.operations import AppointmentRefused
from portal.db import utcnow
from portal.drafts import operations as drafts
from portal.extensions import db
from portal.i18n import _
from portal.notifications.operations import recipient_for
from portal.people.models import Client
from portal.people.queries import client_of_user
from portal.scheduling.models import Appointment
from portal.web.access import client_required


def _my_client() -> Client:
    client = client_of_user(current_user)
    if client is None:
        abort(403)
    return client


def _load(appointment_id: int) -> tuple[Client, Appointment]:
    """404 for an unknown appointment, 403 for one the client does not take part in."""
    client = _my_client()
    appointment = db.get_or_404(Appointment, appointment_id)
    if not queries.takes_part(client, appointment):
        abort(403)
    return client, appointment


def _back():
    return redirect(url_for("appointments.index"))


@bp.route("/me/appointments")
@client_required
def index():
    client, now = _my_client(), utcnow()
    upcoming, past = queries.upcoming_and_past(client, now)
    for row in upcoming:
        row.actions = operations.client_actions(row.appointment, now)
    return render_template("appointments/index.html", upcoming=upcoming, past=past,
                           feed=queries.active_feed(client), too_late=operations.too_late_message(),
                           calm=client.calm_mode)


@bp.route("/me/appointments/<int:appointment_id>/confirm", methods=["POST"])
@client_required
def confirm(appointment_id: int):
    return _act(operations.confirm_by_client, appointment_id,
                _("Thank you. Your worker can now see that you will come."))


@bp.route("/me/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
@client_required
def cancel(appointment_id: int):
    """Asks first (with an optional reason); only the confirmed form cancels."""
    appointment = _load(appointment_id)[1]
    if not operations.client_actions(appointment, utcnow()).cancel:
        flash(str(operations.too_late_message()) if appointment.active else str(operations.MESSAGES["not_active"]),
              "error")
        return _back()
    form = CancelForm()
    if form.validate_on_submit():
        return _act(operations.cancel_by_client, appointment_id,
                    _("The appointment was cancelled. Your worker will see it."), reason=form.reason.data)
    return render_template("appointments/cancel.html", form=form, row=queries.client_view(appointment)), \
        400 if form.errors else 200


def _act(operation, appointment_id: int, done: str, **details):
    """Run a client's action on their appointment; a refusal is shown, not raised."""
    appointment = _load(appointment_id)[1]
    try:
        operation(current_user, appointment, **details)
    except AppointmentRefused as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return _back()


@bp.route("/me/appointments/<int:appointment_id>/change", methods=["GET", "POST"])
@client_required
def change(appointment_id: int):
    client, appointment = _load(appointment_id)
    try:
        operations.require_upcoming(appointment, utcnow())
    except AppointmentRefused as exc:
        flash(str(exc), "error")
        return _back()
    form = ChangeRequestForm(operations.modalities_to_offer(appointment))
    drafts.prefill(form, current_user, f"change-request:{appointment.id}")
    if form.validate_on_submit():
        try:
            operations.request_change(current_user, client, appointment, form.preferred_times.data,
                                      form.wants_modality.data, form.message.data)
        except AppointmentRefused as exc:
            form.wants_modality.errors.append(str(exc))
        else:
            drafts.clear(current_user, f"change-request:{appointment.id}")
            flash(_("Your request was sent. Your worker will contact you about it."), "success")
            return _back()
    row = queries.client_view(appointment)
    return render_template("appointments/change.html", form=form, row=row), 400 if form.errors else 200


@bp.route("/me/appointments/<int:appointment_id>.ics")
@client_required
def download(appointment_id: int):
    client, appointment = _load(appointment_id)
    body = ical.calendar([appointment], queries.sequences([appointment.id]), method="PUBLISH",
                         url=url_for("appointments.index", _external=True), alarms=_alarms(client))
    return _calendar_response(body, f"silta-appointment-{appointment.id}.ics", attachment=True)


@bp.route("/me/calendar-feed", methods=["POST"])
@client_required
def create_feed():
    token = operations.create_feed(current_user, _my_client())[1]
    # Shown on this page only, never redirected through the session; the token is not kept anywhere.
    url = url_for("appointments.feed", token=token, _external=True)
    return render_template("appointments/feed_created.html", feed_url=url,
                           webcal_url="webcal://" + url.split("://", 1)[1])


@bp.route("/me/calendar-feed/revoke", methods=["POST"])
@client_required
def revoke_feed():
    if operations.revoke_feed(current_user, _my_client()):
        flash(_("The calendar link was stopped. Calendars that used it no longer get your appointments."), "success")
    return redirect(url_for("appointments.index", _anchor="calendar"))


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    """The private feed: no sign-in, the unguessable token is the key. Unknown or stopped → 404."""
    feed = queries.feed_by_token(token)
    if feed is None or feed.client_id is None:
        abort(404)
    client = db.session.get(Client, feed.client_id)
    now = utcnow()
    operations.feed_used(feed, now)
    appointments = queries.feed_appointments(client, now)
    locale = client.user.locale if client.user else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        body = ical.calendar(appointments, queries.sequences([a.id for a in appointments]),
                             name=_("Silta appointments"), url=url_for("appointments.index", _external=True),
                             alarms=_alarms(client))
    # The body changes only when an appointment does (DTSTAMP is the last change): a calendar that sends
    # If-None-Match back gets 304 and nothing to parse.
    response = _calendar_response(body, "silta.ics", attachment=False)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


def _alarms(client: Client) -> tuple[int, ...]:
    """The reminder offsets as calendar alarms, for a client who gets reminders from Silta."""
    return tuple(current_app.config["REMINDER_OFFSETS"]) if recipient_for(client) is not None else ()


def _calendar_response(body: bytes, filename: str, attachment: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    response.headers["X-Robots-Tag"] = "noindex"
    return response
