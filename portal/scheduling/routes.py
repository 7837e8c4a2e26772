"""The worker's calendar: a day or a week, the team's week, booking and cancelling appointments."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.audit.operations import record_read, record_reads
from portal.auth.models import Role
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import _
from portal.people.permissions import active_with_clients
from portal.programmes import registry
from portal.programmes.models import Enrolment
from portal.scheduling import bp, calendar, calls, forms, operations, queries
from portal.scheduling.models import Appointment
from portal.scheduling.rules import BookingError, NeedsConfirmation
from portal.scheduling.timeutil import local_date
from portal.web import templating
from portal.web.access import CASEWORK_ROLES, staff_required
from portal.web.errors import render_error
from portal.web.navigation import safe_next
from portal.web.templating import long_datetime

SERIES_RESULT_KEY = "series_result"  # the last weekly booking's result, shown after the redirect
CALL_SLOTS_SHOWN = 8  # the soonest free call slots offered on a booking page


@bp.context_processor
def _calendar_helpers() -> dict:
    return {"local_time": templating.local_time, "slot_value": forms.slot_value,
            "local_day": lambda moment: local_date(moment).isoformat()}


@bp.route("/")
@staff_required(*CASEWORK_ROLES)
def index():
    try:
        view, day = forms.calendar_args(request.args, _today())
    except forms.CalendarArgsError as exc:
        return render_error(400, str(exc))
    mine = queries.calendars(current_user, [current_user], calendar.period(view, day), str(get_locale()))
    _record_reads(mine)
    return render_template("scheduling/index.html", view=view, day=day, days=mine[0].days,
                           pages=calendar.neighbours(view, day), enrolments=active_with_clients(current_user),
                           leads_team=current_user.has_role(Role.TEAM_LEAD))


@bp.route("/team")
@staff_required(Role.TEAM_LEAD)
def team():
    try:
        _view, day = forms.calendar_args(request.args, _today())
    except forms.CalendarArgsError as exc:
        return render_error(400, str(exc))
    week = calendar.week_of(day)
    calendars = queries.calendars(current_user, queries.team_of(current_user), week, str(get_locale()))
    _record_reads(calendars)
    return render_template("scheduling/team.html", day=day, week=week, calendars=calendars,
                           pages=calendar.neighbours(calendar.WEEK, day))


@bp.route("/book/<int:enrolment_id>", methods=["GET", "POST"])
@staff_required(*CASEWORK_ROLES)
def book(enrolment_id: int):
    enrolment = _load_enrolment(enrolment_id)
    form = forms.BookingForm(registry.definition(enrolment.programme_code),
                             queries.colleagues_for(enrolment, current_user), enrolment=enrolment)
    if not form.is_submitted():
        record_read(current_user, "scheduling", "enrolment", enrolment.id, enrolment.client_id)
        return _booking_page(form, enrolment)
    if form.helper_requested:
        return _free_times(form, enrolment)
    if not form.validate():
        return _booking_page(form, enrolment, status=400)
    try:
        if form.repeat_weeks > 1:
            return _book_series(form, enrolment)
        appointment, warnings = operations.book(current_user, form.booking_request(enrolment))
    except NeedsConfirmation as exc:
        return _booking_page(form, enrolment, warnings=exc.warnings, status=400)
    except BookingError as exc:
        form.refuse(exc)
        return _booking_page(form, enrolment, status=400)
    _flash_booked(appointment.starts_at, warnings)
    return redirect(url_for(".index", date=local_date(appointment.starts_at).isoformat()))


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def cancel(appointment_id: int):
    appointment = db.get_or_404(Appointment, appointment_id)
    if not queries.can_cancel(current_user, appointment):
        abort(403)
    form = forms.CancelForm()
    if not form.validate():
        flash(" ".join(form.reason.errors), "error")
    else:
        try:
            operations.cancel(current_user, appointment, form.reason.data)
            flash(_("The appointment was cancelled."), "success")
        except BookingError as exc:
            flash(str(exc), "error")
    back = url_for(".index", date=local_date(appointment.starts_at).isoformat())
    return redirect(safe_next(form.next.data) or back)


def _today() -> date:
    return local_date(utcnow())


def _load_enrolment(enrolment_id: int) -> Enrolment:
    """404 for an unknown enrolment, 403 for a client the worker does not work with."""
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    if not queries.can_book_for(current_user, enrolment):
        abort(403)
    return enrolment


def _record_reads(calendars: list[queries.WorkerCalendar]) -> None:
    """One audit record for each appointment shown with its client's name (group sessions show none)."""
    shown = {item.appointment.id: item.client.id for cal in calendars for item in cal.items if item.client}
    record_reads(current_user, "scheduling", "appointment", shown)


def _booking_page(form: forms.BookingForm, enrolment: Enrolment, *, slots: list[datetime] | None = None,
                  picked: bool = False, warnings=(), status: int = 200):
    call_slots = []
    if calls.phone_contact_type(enrolment.programme_code):  # phone contacts are booked into published call slots
        workers = queries.call_slot_workers(enrolment, current_user)
        call_slots = calls.free_slots([u.id for u in workers], utcnow(), limit=CALL_SLOTS_SHOWN)
    return render_template("scheduling/book.html", form=form, enrolment=enrolment, client=enrolment.client,
                           slots=slots, picked=picked, warnings=warnings, call_slots=call_slots), status


def _free_times(form: forms.BookingForm, enrolment: Enrolment):
    """List the first free times, or fill in the one picked; nothing is booked."""
    if not form.find.data:
        return _booking_page(form, enrolment, picked=form.fill_slot())
    if form.day.process_errors:  # a date that is no date, or out of the years: say so instead of searching today
        form.day.errors = list(form.day.process_errors)
        return _booking_page(form, enrolment, status=400)
    slots = queries.free_slots([current_user, *form.workers], enrolment, form.chosen_modality, form.length,
                               form.day.data)
    return _booking_page(form, enrolment, slots=slots)


def _book_series(form: forms.BookingForm, enrolment: Enrolment):
    """Book, then redirect to the result (post/redirect/get): a reload shows it again and books nothing."""
    booking = form.booking_request(enrolment)
    plan = queries.weekly_plan(current_user, booking, form.repeat_weeks)
    result = operations.book_series(current_user, booking, plan)
    session[SERIES_RESULT_KEY] = queries.series_memo(result, enrolment)  # the reasons are not stored elsewhere
    return redirect(url_for(".series_result", key=result.series_key))


@bp.route("/series/<key>")
@staff_required(*CASEWORK_ROLES)
def series_result(key: str):
    """What a weekly booking booked and why the rest was not (the reasons while this session remembers them)."""
    memo = session.get(SERIES_RESULT_KEY) or {}
    memo = memo if memo.get("key") == key else {}
    result, enrolment_id = queries.series_result(key, memo)
    enrolment = _load_enrolment(enrolment_id) if enrolment_id is not None else abort(404)
    record_read(current_user, "scheduling", "enrolment", enrolment.id, enrolment.client_id)
    return render_template("scheduling/series.html", result=result, enrolment=enrolment, client=enrolment.client)


def _flash_booked(starts_at: datetime, warnings: list[str]) -> None:
    flash(_("The appointment was booked: %(when)s.", when=long_datetime(starts_at)), "success")
    if warnings:
        flash(_("Booked as urgent although: %(warnings)s", warnings=" ".join(warnings)), "info")


from portal.scheduling import calls_routes, hours_routes  # noqa: E402,F401
